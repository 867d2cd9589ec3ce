using Npgsql;

namespace Registry.Core.Data;

/// <summary>
/// Recognises a database that is out of reach or restarting, which is no bug of the request: PostgreSQL refusing or cutting
/// connections (SQLSTATE class 08, connection exception, and 57P, operator intervention: shutdown, crash, "cannot connect
/// now" while it starts), or a connection that failed or broke on the way (Npgsql's transient errors; EF Core wraps them).
/// Both hosts answer it with 503 and Retry-After, as <c>/readyz</c> does, instead of an internal error.
/// </summary>
public static class DatabaseUnavailable
{
    public const string Message = "the registry's database cannot be reached at the moment; try again shortly";

    /// <summary>What the 503's Retry-After says: about the time a database restart or failover takes.</summary>
    public const int RetryAfterSeconds = 5;

    public static bool Is(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is PostgresException pg) return pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal);
            if (e is NpgsqlException { IsTransient: true }) return true;
        }
        return false;
    }
}
