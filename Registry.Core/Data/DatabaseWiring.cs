using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registry.Core.Data.Postgres;

namespace Registry.Core.Data;

/// <summary>
/// The <see cref="RegistryDbContext"/> factory every service uses, on the provider <see cref="RegistryOptions.Database"/>
/// names: a SQLite file in the data folder, or a PostgreSQL server (one database shared by every node).
/// </summary>
public static class DatabaseWiring
{
    /// <param name="extra">More interceptors after the app's own (tests inject faults with them).</param>
    public static IServiceCollection AddRegistryDatabase(this IServiceCollection services, DatabaseProvider provider, params IInterceptor[] extra)
    {
        if (provider == DatabaseProvider.PostgreSql)
        {
            services.AddDbContextFactory<PostgresRegistryDbContext>((sp, db) =>
                db.UseNpgsql(PostgresConnection(sp.GetRequiredService<IOptions<RegistryOptions>>().Value))
                  .AddInterceptors([PostgresWriteLock.Instance, new WriteGenerationInterceptor(sp.GetRequiredService<WriteGeneration>()), .. extra]));
            services.AddSingleton<IDbContextFactory<RegistryDbContext>>(sp =>
                new AsRegistryDbContext<PostgresRegistryDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresRegistryDbContext>>()));
            services.AddSingleton<PostgresWriteFeed>();
            services.AddHostedService(sp => sp.GetRequiredService<PostgresWriteFeed>());
        }
        else
        {
            services.AddDbContextFactory<RegistryDbContext>((sp, db) =>
            {
                var dataRoot = sp.GetRequiredService<IOptions<RegistryOptions>>().Value.DataRoot;
                Directory.CreateDirectory(dataRoot);
                db.UseSqlite($"Data Source={Path.Combine(dataRoot, "registry.db")};Default Timeout=30")
                  .AddInterceptors([new SqlitePragmas(), SqliteFunctions.Instance, new WriteGenerationInterceptor(sp.GetRequiredService<WriteGeneration>()), .. extra]);
            });
        }
        // Identity's stores want a scoped DbContext; it comes from the same factory.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContext());
        return services;
    }

    private static string PostgresConnection(RegistryOptions options) =>
        string.IsNullOrWhiteSpace(options.DatabaseConnection)
            ? throw new InvalidOperationException("Registry:Database is PostgreSql but Registry:DatabaseConnection is empty")
            : options.DatabaseConnection;

    private sealed class AsRegistryDbContext<T>(IDbContextFactory<T> inner) : IDbContextFactory<RegistryDbContext> where T : RegistryDbContext
    {
        public RegistryDbContext CreateDbContext() => inner.CreateDbContext();
        public async Task<RegistryDbContext> CreateDbContextAsync(CancellationToken ct = default) => await inner.CreateDbContextAsync(ct);
    }
}
