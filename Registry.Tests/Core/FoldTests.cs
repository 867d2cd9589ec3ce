using Microsoft.EntityFrameworkCore;
using Registry.Core;
using Registry.Core.Data;

namespace Registry.Tests.Core;

/// <summary>
/// <see cref="RegistryDbContext.Fold"/> in SQL lowers every script as .NET does, on SQLite (a .NET function on each
/// connection) and on PostgreSQL (<see cref="Postgres.FoldTestsOnPostgres"/>: ICU's lower(), made by a migration).
/// </summary>
public class FoldTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;
    private TestDatabase db = null!;

    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync(Provider);
    public async Task DisposeAsync() => await db.DisposeAsync();

    [Theory]
    [InlineData("RNASEQ-Pipeline_2")]
    [InlineData("ÄRGER ÜBER Öl")]
    [InlineData("ΦΙΛΟΣΟΦΙΑ")]
    [InlineData("КИРИЛЛИЦА")]
    [InlineData("ÉCOLE Çà")]
    public async Task Fold_lowers_every_script_as_dotnet_does(string text)
    {
        await using var context = await db.Factory.CreateDbContextAsync();
        var folded = await context.Database.SqlQueryRaw<string>($"SELECT {RegistryDbContext.FoldFunction}({{0}}) AS \"Value\"", text).SingleAsync();
        folded.ShouldBe(text.ToLowerInvariant());
    }
}
