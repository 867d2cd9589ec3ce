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

/// <summary>A real, migrated SQLite file in a temp folder, for Core service tests without a host.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("registry-core-").FullName;
    public IDbContextFactory<RegistryDbContext> Factory { get; }
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    public IOptions<RegistryOptions> RegistryOptions { get; }
    /// <summary>The read caches' generation, moved by this database's saves as in the app.</summary>
    public WriteGeneration Writes { get; } = new();

    private TestDatabase(IInterceptor[] interceptors)
    {
        // Same Identity schema version (passkeys) as the host, or the model would differ from the migrations.
        var services = new ServiceCollection()
            .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentitySchemaVersions.Version3)
            .BuildServiceProvider();
        var options = new DbContextOptionsBuilder<RegistryDbContext>()
            .UseSqlite($"Data Source={Path.Combine(Root, "registry.db")};Pooling=False")
            .AddInterceptors([SqliteFunctions.Instance, new WriteGenerationInterceptor(Writes), .. interceptors]) // as in the app
            .UseApplicationServiceProvider(services).Options;
        Factory = new PooledDbContextFactory<RegistryDbContext>(options);
        RegistryOptions = Options.Create(new RegistryOptions { DataPath = Root });
    }

    public static async Task<TestDatabase> CreateAsync(params IInterceptor[] interceptors)
    {
        var db = new TestDatabase(interceptors);
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

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
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
