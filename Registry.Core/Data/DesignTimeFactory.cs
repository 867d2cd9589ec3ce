using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;

namespace Registry.Core.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without the web host, with the same Identity schema version (passkeys).</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<RegistryDbContext>
{
    public RegistryDbContext CreateDbContext(string[] args)
    {
        var services = new ServiceCollection()
            .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentitySchemaVersions.Version3)
            .BuildServiceProvider();
        return new(new DbContextOptionsBuilder<RegistryDbContext>().UseSqlite("Data Source=design-time.db")
            .UseApplicationServiceProvider(services).Options);
    }
}
