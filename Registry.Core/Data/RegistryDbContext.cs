using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Audit;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Entities;
using Registry.Core.Identity;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Images;
using Registry.Core.Invitations;
using Registry.Core.Keys;
using Registry.Core.Signatures;
using Registry.Core.Storage;
using Registry.Core.Tags;
using Registry.Core.Teams;
using Registry.Core.Uploads;

namespace Registry.Core.Data;

public class RegistryDbContext : IdentityDbContext<RegistryUser>
{
    public RegistryDbContext(DbContextOptions<RegistryDbContext> options) : base(options) { }

    /// <summary>For <see cref="Postgres.PostgresRegistryDbContext"/>: the same model, its own migrations.</summary>
    protected RegistryDbContext(DbContextOptions options) : base(options) { }

    public DbSet<Entity> Entities => Set<Entity>();
    public DbSet<Collection> Collections => Set<Collection>();
    public DbSet<CollectionMember> CollectionMembers => Set<CollectionMember>();
    public DbSet<Star> Stars => Set<Star>();
    public DbSet<Container> Containers => Set<Container>();
    public DbSet<Image> Images => Set<Image>();
    public DbSet<ImageLabel> ImageLabels => Set<ImageLabel>();
    public DbSet<ImageSignature> ImageSignatures => Set<ImageSignature>();
    public DbSet<Tag> Tags => Set<Tag>();
    public DbSet<Blob> Blobs => Set<Blob>();
    public DbSet<Oci.OciManifest> OciManifests => Set<Oci.OciManifest>();
    public DbSet<Oci.OciBlobLink> OciBlobLinks => Set<Oci.OciBlobLink>();
    public DbSet<Oci.OciTag> OciTags => Set<Oci.OciTag>();
    public DbSet<Oci.OciManifestRef> OciManifestRefs => Set<Oci.OciManifestRef>();
    public DbSet<UploadSession> UploadSessions => Set<UploadSession>();
    public DbSet<Nodes.Lease> Leases => Set<Nodes.Lease>();
    public DbSet<UploadPart> UploadParts => Set<UploadPart>();
    public DbSet<BrowserUpload> BrowserUploads => Set<BrowserUpload>();
    public DbSet<AccessToken> AccessTokens => Set<AccessToken>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMember> TeamMembers => Set<TeamMember>();
    public DbSet<TeamInvitation> TeamInvitations => Set<TeamInvitation>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<PublicKey> PublicKeys => Set<PublicKey>();
    public DbSet<SignupInvitation> SignupInvitations => Set<SignupInvitation>();
    public DbSet<MemberInvitation> MemberInvitations => Set<MemberInvitation>();

    /// <summary>Every new user gets their entity (namespace) in the same transaction, whichever path created them; the very first user is admin.</summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken ct = default)
    {
        var newUsers = ChangeTracker.Entries<RegistryUser>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        if (newUsers.Count > 0 && !await Users.AnyAsync(ct)) newUsers[0].IsAdmin = true;
        foreach (var user in newUsers)
            Entities.Add(new Entity { Name = user.UserName!.ToLowerInvariant(), Kind = EntityKind.User, UserId = user.Id });
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, ct);
    }

    // SQLite hands DateTimes back as Kind=Unspecified; the Library API needs RFC 3339 with a zone, so everything is UTC.
    protected override void ConfigureConventions(ModelConfigurationBuilder c)
    {
        c.Properties<DateTime>().HaveConversion<UtcConverter>();
        c.Properties<DateTime?>().HaveConversion<NullableUtcConverter>();
    }

    private sealed class UtcConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTime, DateTime>(
        v => v.ToUniversalTime(), v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
    private sealed class NullableUtcConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTime?, DateTime?>(
        v => v.HasValue ? v.Value.ToUniversalTime() : v, v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);

    public const string FoldFunction = "registry_fold";

    /// <summary>Lower case in every script .NET knows, in SQL (a function each SQLite connection gets from
    /// <see cref="SqliteFunctions"/>; on PostgreSQL a SQL function made by its first migration, ICU's lower()).</summary>
    public static string Fold(string text) => throw new NotSupportedException("only inside a query");

    protected override void OnModelCreating(ModelBuilder b)
    {
        base.OnModelCreating(b);
        b.HasDbFunction(typeof(RegistryDbContext).GetMethod(nameof(Fold))!).HasName(FoldFunction);

        b.Entity<Entity>(e =>
        {
            e.HasIndex(x => x.Name).IsUnique();
            e.HasOne(x => x.User).WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(x => x.Team).WithMany().HasForeignKey(x => x.TeamId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Collection>(e =>
        {
            e.HasIndex(x => new { x.EntityId, x.Name }).IsUnique();
            e.HasIndex(x => x.Name);
            e.HasOne(x => x.Entity).WithMany(x => x.Collections).HasForeignKey(x => x.EntityId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<CollectionMember>(e =>
        {
            e.HasKey(x => new { x.CollectionId, x.UserId });
            e.HasOne(x => x.Collection).WithMany(x => x.Members).HasForeignKey(x => x.CollectionId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(x => x.User).WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Star>(e =>
        {
            e.HasKey(x => new { x.CollectionId, x.UserId });
            e.HasOne<Collection>().WithMany(x => x.Stars).HasForeignKey(x => x.CollectionId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<RegistryUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Container>(e =>
        {
            e.HasIndex(x => new { x.CollectionId, x.Name }).IsUnique();
            e.HasIndex(x => x.UpdatedAt);
            e.HasOne(x => x.Collection).WithMany(x => x.Containers).HasForeignKey(x => x.CollectionId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Image>(e =>
        {
            e.HasIndex(x => new { x.ContainerId, x.Hash }).IsUnique();
            e.HasIndex(x => x.Hash);
            e.HasOne(x => x.Container).WithMany(x => x.Images).HasForeignKey(x => x.ContainerId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ImageSignature>(e =>
        {
            e.HasIndex(x => x.ImageId);
            e.HasIndex(x => x.Fingerprint);
            e.Property(x => x.Status).HasConversion<string>();
            e.HasOne(x => x.Image).WithMany().HasForeignKey(x => x.ImageId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Tag>(e =>
        {
            e.HasIndex(x => new { x.ContainerId, x.Arch, x.Name }).IsUnique();
            e.HasIndex(x => new { x.ContainerId, x.UpdatedAt }); // the container page: a page of tags walked from the newest
            e.HasOne<Container>().WithMany(x => x.Tags).HasForeignKey(x => x.ContainerId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(x => x.Image).WithMany(x => x.Tags).HasForeignKey(x => x.ImageId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Blob>().HasKey(x => x.Hash);
        b.Entity<Nodes.Lease>().HasKey(x => x.Name);
        Oci.OciModel.Configure(b);
        CollectionCounters.Configure(b, Database.IsSqlite());
        Registry.Core.Images.ImageLabels.Configure(b, Database.IsSqlite());
        Search.LabelBackfill.Configure(b);
        Search.SearchIndex.Configure(b, Database.IsSqlite());
        b.Entity<UploadSession>(e =>
        {
            e.HasIndex(x => x.ImageId);
            e.Property(x => x.StagingId).HasColumnName("TempPath"); // held a path before staged uploads had ids
            e.HasOne<Image>().WithMany().HasForeignKey(x => x.ImageId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<UploadPart>(e =>
        {
            e.HasKey(x => new { x.SessionId, x.PartNumber });
            e.HasOne<UploadSession>().WithMany(x => x.Parts).HasForeignKey(x => x.SessionId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<BrowserUpload>(e =>
        {
            e.HasIndex(x => x.ExpiresAt);
            e.Property(x => x.StagingId).HasColumnName("TempPath");
            e.HasOne<RegistryUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Collection>().WithMany().HasForeignKey(x => x.CollectionId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<AccessToken>(e =>
        {
            e.HasIndex(x => x.SecretHash).IsUnique();
            e.HasOne(x => x.User).WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Team>().HasIndex(x => x.Name).IsUnique();
        b.Entity<TeamMember>(e =>
        {
            e.HasKey(x => new { x.TeamId, x.UserId });
            e.HasOne(x => x.Team).WithMany(x => x.Members).HasForeignKey(x => x.TeamId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(x => x.User).WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<TeamInvitation>(e =>
        {
            e.HasIndex(x => x.CodeHash).IsUnique();
            e.HasOne(x => x.Team).WithMany().HasForeignKey(x => x.TeamId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<AuditEvent>(e =>
        {
            e.HasIndex(x => x.At);
            e.HasIndex(x => x.CollectionId);
        });
        b.Entity<PublicKey>(e =>
        {
            e.HasKey(x => x.Fingerprint);
            e.HasIndex(x => x.KeyId);
            e.HasOne(x => x.Uploader).WithMany().HasForeignKey(x => x.UploaderId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<SignupInvitation>().HasIndex(x => x.CodeHash).IsUnique();
        b.Entity<MemberInvitation>(e =>
        {
            e.HasIndex(x => new { x.UserId, x.CollectionId, x.TeamId }).IsUnique();
            e.HasOne<RegistryUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Collection>().WithMany().HasForeignKey(x => x.CollectionId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Team>().WithMany().HasForeignKey(x => x.TeamId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
