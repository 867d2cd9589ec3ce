using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Storage;

namespace Registry.Core.Oci;

/// <summary>The referrers of a manifest as an image index, and whether an <c>artifactType</c> filter was applied.</summary>
public sealed record OciReferrerList(byte[] Index, bool Filtered);

/// <summary>
/// <c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>: the manifests of the repository whose <c>subject</c> is that digest
/// (the subject itself need not exist), as an OCI image index of descriptors with their artifact type and annotations.
/// See: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-referrers
/// </summary>
public sealed class OciReferrers(IDbContextFactory<RegistryDbContext> dbFactory)
{
    public async Task<Result<OciReferrerList>> ListAsync(Actor actor, OciRepository repo, Digest subject, string? artifactType, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await OciAccess.ReadableAsync(db, repo, actor, ct);
        if (!target.Succeeded) return target.As<OciReferrerList>();
        var containerId = target.Value!.Container?.Id;
        var rows = containerId is null ? []
            : await db.OciManifests.AsNoTracking().Where(m => m.ContainerId == containerId && m.SubjectHash == subject.Hex)
                .OrderBy(m => m.CreatedAt).Take(OciLimits.MaxPage).ToListAsync(ct);
        var manifests = new JsonArray();
        foreach (var row in rows)
        {
            var doc = OciDocument.Parse(row.Content, row.MediaType);
            if (!doc.Succeeded) continue;
            var type = doc.Value!.ReferrerType;
            if (artifactType is not null && type != artifactType) continue;
            var descriptor = new JsonObject { ["mediaType"] = row.MediaType, ["digest"] = "sha256:" + row.Hash, ["size"] = row.Content.Length };
            if (type is not null) descriptor["artifactType"] = type;
            if (doc.Value.Json["annotations"] is JsonObject annotations) descriptor["annotations"] = annotations.DeepClone();
            manifests.Add(descriptor);
        }
        var index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = OciDocument.OciIndex, ["manifests"] = manifests };
        return new OciReferrerList(System.Text.Encoding.UTF8.GetBytes(index.ToJsonString()), artifactType is not null);
    }
}
