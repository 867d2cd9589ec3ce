using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Identity;

namespace Registry.Tests.Core;

/// <summary>
/// A real, migrated database for Core service tests without a host: a SQLite file in a temp folder, or a fresh
/// database on the run's <see cref="PostgresServer"/>, wired as the app wires them (<see cref="DatabaseWiring"/>).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private string? _postgres;
    public string Root { get; } = Directory.CreateTempSubdirectory("registry-core-").FullName;
    public IDbContextFactory<RegistryDbContext> Factory { get; }
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    public IOptions<RegistryOptions> RegistryOptions { get; }
    /// <summary>The read caches' generation, moved by this database's saves as in the app.</summary>
    public WriteGeneration Writes { get; } = new();

    private TestDatabase(DatabaseProvider provider, string? postgres, IInterceptor[] interceptors)
    {
        _postgres = postgres;
        RegistryOptions = Options.Create(new RegistryOptions { DataPath = Root, Database = provider, DatabaseConnection = postgres ?? "" });
        // The app's wiring, with this database's clock-free options and the test's extra interceptors; same Identity
        // schema version (passkeys) as the host, or the model would differ from the migrations.
        var services = new ServiceCollection()
            .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentitySchemaVersions.Version3)
            .AddSingleton(RegistryOptions).AddSingleton(Writes)
            .AddRegistryDatabase(provider, interceptors)
            .BuildServiceProvider();
        Factory = services.GetRequiredService<IDbContextFactory<RegistryDbContext>>();
    }

    public static async Task<TestDatabase> CreateAsync(params IInterceptor[] interceptors) => await CreateAsync(DatabaseProvider.Sqlite, interceptors);

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, params IInterceptor[] interceptors)
    {
        var postgres = provider == DatabaseProvider.PostgreSql ? await (await PostgresServer.GetAsync()).CreateDatabaseAsync() : null;
        var db = new TestDatabase(provider, postgres, interceptors);
        await using var context = await db.Factory.CreateDbContextAsync();
        await DatabaseStartup.MigrateAsync(context);
        return db;
    }

    /// <summary>Adds a user (and, through the context, their entity) and returns them as a browser actor; <paramref name="verifiedEmail"/> as an admin gives it.</summary>
    public async Task<Actor> AddUserAsync(string name, bool isAdmin = false, string? verifiedEmail = null)
    {
        await using var db = await Factory.CreateDbContextAsync();
        var user = new RegistryUser { UserName = name, NormalizedUserName = name.ToUpperInvariant(), Email = verifiedEmail, EmailConfirmed = verifiedEmail is not null };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        if (isAdmin != user.IsAdmin) { user.IsAdmin = isAdmin; await db.SaveChangesAsync(); }
        return Actor.ForUser(user.Id, name, user.IsAdmin);
    }

    /// <summary>The admin's user service on this database, wired as the app wires it.</summary>
    public Registry.Core.Identity.UserAdminService UserAdmin() =>
        new(Factory, new Registry.Core.Identity.AccountChanges(), new Registry.Core.Collections.ViewerCache(Writes), new Registry.Core.Nodes.ClusterLock(RegistryOptions));

    public async ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_postgres is not null) await (await PostgresServer.GetAsync()).DropDatabaseAsync(_postgres);
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>An <see cref="IOptionsMonitor{T}"/> over fixed values.</summary>
public sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue { get; set; } = value;
    public T Get(string? name) => CurrentValue;
    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
