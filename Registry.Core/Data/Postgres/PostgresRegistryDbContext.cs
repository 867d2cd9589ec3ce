using Microsoft.EntityFrameworkCore;

namespace Registry.Core.Data.Postgres;

/// <summary>
/// The registry's model on PostgreSQL. A type of its own only so that EF keeps a second migration set (in
/// <c>Data/Postgres/Migrations</c>, tied to this type) beside SQLite's; services still ask for a
/// <see cref="RegistryDbContext"/>. Regenerate after a model change with <c>scripts/migrations-add.sh</c>.
/// </summary>
public sealed class PostgresRegistryDbContext(DbContextOptions<PostgresRegistryDbContext> options) : RegistryDbContext(options);
