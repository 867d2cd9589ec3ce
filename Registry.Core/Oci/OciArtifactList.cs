using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Storage;

namespace Registry.Core.Oci;

/// <summary>A stored manifest that is not a SIF image, as the container page lists it: what it is, its tags and digest.</summary>
public sealed record OciArtifactRow(Digest Digest, string MediaType, string Kind, long Size, List<string> Tags, DateTime CreatedAt);

/// <summary>The container images, indexes and other artifacts of a repository (no Library images: those are tag rows).</summary>
public sealed class OciArtifactList(IDbContextFactory<RegistryDbContext> dbFactory)
{
    public async Task<List<OciArtifactRow>> ListAsync(Actor actor, OciRepository repo, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await OciAccess.ReadableAsync(db, repo, actor, ct);
        if (target.Value?.Container?.Id is not { } containerId) return [];
        var manifests = await db.OciManifests.AsNoTracking().Where(m => m.ContainerId == containerId && m.ImageId == null)
            .OrderByDescending(m => m.CreatedAt).Take(OciLimits.MaxPage).ToListAsync(ct);
        var tags = (await db.OciTags.AsNoTracking().Where(t => t.ContainerId == containerId).ToListAsync(ct)).ToLookup(t => t.Hash);
        return manifests.Select(m => new OciArtifactRow(new Digest(m.Hash), m.MediaType, KindOf(m), m.Content.Length,
            tags[m.Hash].Select(t => t.Name).Order(StringComparer.Ordinal).ToList(), m.CreatedAt)).ToList();
    }

    /// <summary>In words: a container image (Docker or OCI), an index with its platforms, or an artifact of some type.</summary>
    private static string KindOf(OciManifest m)
    {
        if (OciDocument.Parse(m.Content, m.MediaType) is not { Succeeded: true } parsed) return m.MediaType;
        var doc = parsed.Value!;
        if (doc.IsIndex)
        {
            var platforms = doc.Json["manifests"]!.AsArray().Select(c => c?["platform"] is JsonObject p ? $"{p["os"]}/{p["architecture"]}" : null)
                .Where(p => p is not null).Distinct().ToList();
            return $"multi-arch index of {doc.Manifests.Count}" + (platforms.Count > 0 ? $" ({string.Join(", ", platforms)})" : "");
        }
        if (doc.ArtifactType is { } type) return $"artifact {type}" + (doc.Subject is { } s ? $" referring to {s.Oci()[..19]}…" : "");
        return doc.Config?.MediaType switch
        {
            "application/vnd.docker.container.image.v1+json" => $"container image (Docker), {doc.Layers.Count} layers",
            "application/vnd.oci.image.config.v1+json" => $"container image (OCI), {doc.Layers.Count} layers",
            var config => $"artifact {config}",
        };
    }
}
