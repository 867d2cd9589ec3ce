using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;

namespace Registry.Core.Data.Postgres;

/// <summary>
/// Lets <c>dotnet ef migrations add … --context PostgresRegistryDbContext</c> build the PostgreSQL model without a
/// server (adding a migration and checking for pending model changes never connect).
/// </summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresRegistryDbContext>
{
    public PostgresRegistryDbContext CreateDbContext(string[] args)
    {
        var services = new ServiceCollection()
            .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentitySchemaVersions.Version3)
            .BuildServiceProvider();
        return new(new DbContextOptionsBuilder<PostgresRegistryDbContext>().UseNpgsql("Host=design-time")
            .UseApplicationServiceProvider(services).Options);
    }
}
