using Microsoft.EntityFrameworkCore;
using Registry.Core;

namespace Registry.Tests.Core;

internal static class SearchPlans
{
    /// <summary>
    /// The plan of a command as sent. PostgreSQL: with sequential scans priced out, so a plan with none proves an index can
    /// answer (this small table would be read whole otherwise); SQLite: <c>EXPLAIN QUERY PLAN</c> as the app's file plans it.
    /// </summary>
    internal static async Task<List<string>> PlanAsync(TestDatabase db, DatabaseProvider provider, QueryPlanTests.Sent sent)
    {
        if (provider == DatabaseProvider.Sqlite) return await QueryPlanTests.PlanAsync(db, sent);
        await using var context = await db.Factory.CreateDbContextAsync();
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync();
        await using (var off = connection.CreateCommand())
        {
            off.CommandText = "SET enable_seqscan = off";
            await off.ExecuteNonQueryAsync();
        }
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN " + sent.Sql;
        foreach (var (name, value) in sent.Parameters)
        {
            var p = explain.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            explain.Parameters.Add(p);
        }
        var plan = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
        return plan;
    }
}
