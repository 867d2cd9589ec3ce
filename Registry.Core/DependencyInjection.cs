using FluentValidation;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Identity;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Images;
using Registry.Core.Invitations;
using Registry.Core.Keys;
using Registry.Core.Search;
using Registry.Core.Signatures;
using Registry.Core.Sregistry;
using Registry.Core.Storage;
using Registry.Core.Storage.FileSystem;
using Registry.Core.Tags;
using Registry.Core.Teams;
using Registry.Core.Terms;
using Registry.Core.Uploads;

namespace Registry.Core;

public static class DependencyInjection
{
    /// <summary>The one wiring entry of Core: options, the database (SQLite in the data folder, or PostgreSQL), blob store and the domain services.</summary>
    public static IServiceCollection AddRegistryCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RegistryOptions>().Bind(configuration.GetSection(RegistryOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataPath), "Registry:DataPath must be set")
            .Validate(o => Names.IsValid(o.DefaultEntity) && Names.IsValid(o.DefaultCollection), "Registry:DefaultEntity/DefaultCollection must be valid names")
            .Validate(o => o.MultipartPartSize >= 5 * 1024 * 1024, "Registry:MultipartPartSize must be at least 5 MiB")
            .Validate(o => o.MaxCollectionsPerUser >= 0, "Registry:MaxCollectionsPerUser must be 0 (unlimited) or more")
            .Validate(o => o.GcInterval >= TimeSpan.Zero, "Registry:GcInterval must be 0 (off) or positive")
            .Validate(o => o.Database != DatabaseProvider.PostgreSql || !string.IsNullOrWhiteSpace(o.DatabaseConnection),
                "Registry:DatabaseConnection must be set when Registry:Database is PostgreSql")
            .ValidateOnStart();

        var settings = configuration.GetSection(RegistryOptions.SectionName).Get<RegistryOptions>() ?? new RegistryOptions();
        services.AddRegistryDatabase(settings.Database);

        services.AddSingleton<WriteGeneration>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IBlobStore>(sp => new FileSystemBlobStore(sp.GetRequiredService<IOptions<RegistryOptions>>().Value.DataRoot));
        services.AddSingleton<EntityService>();
        services.AddSingleton<CollectionService>();
        services.AddSingleton<ContainerService>(); services.AddSingleton<ContainerBrowser>();
        services.AddSingleton<ImageService>();
        services.AddSingleton<DownloadCounts>(); services.AddHostedService(sp => sp.GetRequiredService<DownloadCounts>());
        services.AddSingleton<TagService>();
        services.AddSingleton<ImagePublisher>();
        services.AddSingleton<RefusedPush>();
        services.AddSingleton<UploadJanitor>();
        services.AddSingleton<SessionOutcomes>();
        services.AddSingleton<UploadReceiver>();
        services.AddSingleton<PartsWrittenHere>();
        services.AddSingleton<UploadCompleter>();
        services.AddSingleton<UploadService>();
        services.AddSingleton<SearchService>();
        services.AddSingleton<LabelSearch>();
        services.AddSingleton<LabelBackfill>();
        services.AddHostedService(sp => sp.GetRequiredService<LabelBackfill>());
        services.AddSingleton<Oci.OciRefBackfill>();
        services.AddHostedService(sp => sp.GetRequiredService<Oci.OciRefBackfill>());
        services.AddMetrics(); // a host has it already; bUnit's services do not
        services.AddSingleton<SignatureChecks>();
        services.AddSingleton<SignatureRefresh>();
        services.AddHostedService(sp => sp.GetRequiredService<SignatureRefresh>());
        // Cookie, antiforgery and token-secret keys live in the data folder: nothing is written elsewhere, and sign-ins and
        // sregistry-cli tokens survive restarts.
        var dataRoot = settings.DataRoot;
        services.AddDataProtection().SetApplicationName("Registry")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataRoot, "keys", "data-protection")));
        services.AddSingleton<TokenSecrets>();
        services.AddSingleton<AccessTokenService>();
        services.AddSingleton<CliSecrets>();
        services.AddSingleton<SregistryAuth>(); services.AddSingleton<SregistryCatalog>(); services.AddSingleton<SregistryPush>(); services.AddSingleton<SregistryDelete>();
        services.AddSingleton<Oci.OciUploads>(); services.AddSingleton<Oci.OciBlobs>(); services.AddSingleton<Oci.OciManifests>(); services.AddSingleton<Oci.OciManifestWriter>(); services.AddSingleton<Oci.OciCatalog>(); services.AddSingleton<Oci.OciReferrers>(); services.AddSingleton<Oci.OciArtifactList>();
        services.AddSingleton<StorageMaintenance>();
        services.AddSingleton<Nodes.ClusterJobLock>(); services.AddSingleton<Nodes.ClusterLock>(); services.AddSingleton<Nodes.ClusterLease>();
        services.AddSingleton<SignupInviteService>(); services.AddSingleton<MemberInviteService>(); services.AddSingleton<UserDeletion>();
        services.AddHostedService<ScheduledGc>();
        services.AddSingleton<StarService>(); services.AddSingleton<CollectionBrowser>(); services.AddSingleton<ViewerCache>(); services.AddKeyedSingleton(ViewerCache.ForSearches, (sp, _) => new ViewerCache(sp.GetRequiredService<WriteGeneration>())); services.AddSingleton<BrowserUploadLock>(); services.AddSingleton<BrowserUploadService>(); services.AddSingleton<UnfinishedUploads>(); services.AddSingleton<DownloadService>();
        services.AddOptions<AccountOptions>().Bind(configuration.GetSection(AccountOptions.SectionName))
            .Validate(o => o.TermsVersion >= 0 && o.InviteLifetime > TimeSpan.Zero, "Accounts:TermsVersion must be >= 0 and InviteLifetime positive")
            .ValidateOnStart();
        services.AddSingleton<TermsService>();
        services.AddSingleton<TeamService>(); services.AddSingleton<TeamInviteLinks>();
        services.AddSingleton<RegistrationPolicy>();
        services.AddSingleton<KeyService>();
        services.AddSingleton<CollectionMembersService>();
        services.AddSingleton<UserAdminService>();
        services.AddSingleton<AccountChanges>();
        services.AddScoped<PasswordResets>(); // UserManager is scoped
        services.AddSingleton<Audit.AuditQueries>();
        services.AddValidatorsFromAssemblyContaining<RegistryOptions>(ServiceLifetime.Singleton);
        return services;
    }
}
