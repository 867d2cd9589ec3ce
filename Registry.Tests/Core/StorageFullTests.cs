using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Registry.Core.Data;

namespace Registry.Tests.Core;

/// <summary>A full disk is recognised as each database reports it (answered 507), and nothing else is taken for one.</summary>
public sealed class StorageFullTests
{
    public static TheoryData<Exception, bool> Errors() => new()
    {
        { new DbUpdateException("saving", new SqliteException("SQLite Error 13: 'database or disk is full'.", 13)), true },
        { new DbUpdateException("saving", new PostgresException("could not extend file", "ERROR", "ERROR", PostgresErrorCodes.DiskFull)), true },
        { new PostgresException("could not write to file", "ERROR", "ERROR", PostgresErrorCodes.DiskFull), true }, // a commit throws it bare
        { new IOException("No space left on device"), true },
        { new DbUpdateException("saving", new PostgresException("duplicate key", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation)), false },
        { new DbUpdateException("saving", new SqliteException("SQLite Error 19: 'UNIQUE constraint failed'.", 19)), false },
        { new PostgresException("out of memory", "ERROR", "ERROR", PostgresErrorCodes.OutOfMemory), false },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Is_true_only_for_a_full_disk(Exception error, bool full) => StorageFull.Is(error).ShouldBe(full);
}
