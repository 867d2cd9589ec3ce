using Microsoft.EntityFrameworkCore;
using Registry.Core.Containers;

namespace Registry.Core.Oci;

/// <summary>The /v2/ tables' keys, indexes and cascades (called from <see cref="Data.RegistryDbContext"/>'s model).</summary>
internal static class OciModel
{
    public static void Configure(ModelBuilder b)
    {
        b.Entity<OciManifest>(e =>
        {
            e.HasIndex(x => new { x.ContainerId, x.Hash }).IsUnique();
            e.HasIndex(x => x.ImageId);
            e.HasIndex(x => new { x.ContainerId, x.SubjectHash });
            e.HasOne<Container>().WithMany().HasForeignKey(x => x.ContainerId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(x => x.Image).WithMany().HasForeignKey(x => x.ImageId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<OciTag>(e =>
        {
            e.HasIndex(x => new { x.ContainerId, x.Name }).IsUnique();
            e.HasOne<Container>().WithMany().HasForeignKey(x => x.ContainerId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<OciBlobLink>().HasKey(x => new { x.Repository, x.Hash });
        b.Entity<OciManifestRef>(e =>
        {
            e.HasKey(x => new { x.ManifestId, x.Hash });
            e.HasIndex(x => x.Hash);
            e.HasOne<OciManifest>().WithMany().HasForeignKey(x => x.ManifestId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
