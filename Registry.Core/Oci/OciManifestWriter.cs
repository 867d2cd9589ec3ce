using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Data;
using Registry.Core.Images;
using Registry.Core.Signatures;
using Registry.Core.Storage;
using Registry.Core.Tags;

namespace Registry.Core.Oci;

/// <summary>What a manifest <c>PUT</c> stored: its digest, and the subject it names (answered as <c>OCI-Subject</c>).</summary>
public sealed record OciPut(Digest Digest, Digest? Subject);

/// <summary>
/// Manifest <c>PUT</c> and <c>DELETE</c>. A SIF manifest makes its layer an image of the container (published by
/// <see cref="ImagePublisher"/> like every push: SIF header, quota, signatures, audit) and, pushed by tag, tags it for the
/// SIF's own architecture; the manifest bytes are kept so the client's digest keeps naming them.
/// See: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-manifests
/// </summary>
public sealed class OciManifestWriter(IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, OciBlobs ociBlobs,
    CollectionService collections, ContainerService containers, ImageService images, TagService tags, ImagePublisher publisher,
    SignatureChecks checks, IOptions<RegistryOptions> options, Nodes.ClusterLock locks)
{
    /// <summary>A SIF manifest becomes an image; any other manifest or index is stored as it is (<see cref="OciArtifacts"/>).</summary>
    public async Task<Result<OciPut>> PutAsync(Actor actor, OciRepository repo, string reference, byte[] body, string? contentType, CancellationToken ct = default)
    {
        var document = OciDocument.Parse(body, contentType);
        if (!document.Succeeded) return document.As<OciPut>();
        var doc = document.Value!;
        if (doc is { IsIndex: false, Config.MediaType: SifManifest.ConfigType, Subject: null })
        {
            var sif = await PutSifAsync(actor, repo, reference, body, contentType, doc, ct);
            return sif.Succeeded ? Result.Created(new OciPut(sif.Value, null)) : sif.As<OciPut>();
        }
        var digest = SifManifest.DigestOf(body);
        if (OciRefs.TryParseDigest(reference, out var named) && named != digest)
            return Result.Invalid($"the manifest hashes to {digest.Oci()}, not {reference}");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await OciAccess.PushableAsync(db, repo, actor, ct);
        if (!target.Succeeded) return target.As<OciPut>();
        var missing = await OciArtifacts.MissingAsync(db, ociBlobs, repo, target.Value!.Container?.Id, doc, ct);
        if (missing is not null) return missing.Value;
        var tag = named == digest ? null : reference;
        if (tag is not null && await FrozenAsync(db, target.Value.Container?.Id, tag, ct))
            return Result.Forbidden($"{repo}:{tag} is frozen and cannot be replaced");
        var container = await ContainerAsync(actor, repo, target.Value, ct);
        if (!container.Succeeded) return container.As<OciPut>();
        var stored = await OciArtifacts.KeepAsync(dbFactory, container.Value!, digest, doc, body, ct);
        await using (var again = await dbFactory.CreateDbContextAsync(ct))
            if (await OciArtifacts.MissingAsync(again, ociBlobs, repo, container.Value!, doc, ct) is { } gone) // a blob DELETE raced this PUT
            {
                if (stored) await OciArtifacts.ForgetAsync(dbFactory, container.Value!, digest, ct);
                return gone;
            }
        if (tag is not null)
        {
            await using var held = await TagLockAsync(container.Value!, tag, ct);
            await OciArtifacts.TagAsync(dbFactory, container.Value!, tag, digest, ct);
            var removed = await RemoveLibraryTagAsync(actor, container.Value!, tag, ct);
            if (!removed.Succeeded) return removed.As<OciPut>();
        }
        return Result.Created(new OciPut(digest, doc.Subject));
    }

    private async Task<Result<Digest>> PutSifAsync(Actor actor, OciRepository repo, string reference, byte[] body, string? contentType, OciDocument doc,
        CancellationToken ct)
    {
        var layer = SifManifest.Parse(body, contentType);
        if (!layer.Succeeded) return layer.As<Digest>();
        var digest = SifManifest.DigestOf(body);
        if (OciRefs.TryParseDigest(reference, out var named) && named != digest)
            return Result.Invalid($"the manifest hashes to {digest.Oci()}, not {reference}");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await OciAccess.PushableAsync(db, repo, actor, ct);
        if (!target.Succeeded) return target.As<Digest>();
        var sif = layer.Value!;
        if (await ociBlobs.LengthInAsync(db, repo, target.Value!.Container?.Id, sif.Digest, ct) is not { } length)
            return Result.NotFound($"blob {sif.Digest.Oci()} (the SIF) has not been pushed to {repo}");
        if (length != sif.Size) return Result.Invalid($"the layer says {sif.Size} bytes but blob {sif.Digest.Oci()} has {length}");
        var tag = named == digest ? null : reference;
        if (tag is not null && await FrozenAsync(db, target.Value.Container?.Id, tag, ct))
            return Result.Forbidden($"{repo}:{tag} is frozen and cannot be replaced");
        var signatures = await OciSignedGate.CheckAsync(db, target.Value, options.Value.DefaultOnlySigned, repo, new StoredBlob(blobs, sif.Digest, length),
            sif.Digest, checks, ct);
        if (!signatures.Succeeded) return signatures.As<Digest>();

        var container = await ContainerAsync(actor, repo, target.Value, ct);
        if (!container.Succeeded) return container.As<Digest>();
        var image = await Retried(() => images.CreateAsync(actor, container.Value!, sif.Digest.LibraryForm, "", ct));
        if (!image.Succeeded) return image.As<Digest>();
        if (!image.Value!.Uploaded)
        {
            var stored = new StoredBlob(blobs, sif.Digest, length);
            var inspected = ImagePublisher.Inspect(stored);
            if (!inspected.Succeeded) return inspected.As<Digest>();
            await using var publishDb = await dbFactory.CreateDbContextAsync(ct);
            var published = await publisher.PublishAsync(publishDb, actor, image.Value.Id, stored, inspected.Value!, " (oci)", ct,
                verified: signatures.Value);
            if (!published.Succeeded) return published.As<Digest>();
        }
        await KeepAsync(container.Value!, image.Value.Id, digest, body, doc, ct);
        if (tag is not null)
        {
            await using var held = await TagLockAsync(container.Value!, tag, ct);
            var tagged = await Retried(() => tags.SetAsync(actor, container.Value!, null, tag, image.Value.Id, ct));
            if (!tagged.Succeeded) return tagged.As<Digest>();
            await OciArtifacts.UntagAsync(dbFactory, container.Value!, tag, ct); // the name now names the image
        }
        return digest;
    }

    /// <summary>
    /// One tag write at a time per container and tag name, on every node. A tag is one thing at a time across both faces
    /// (a Library tag on a SIF image, or an <see cref="OciTag"/> on any other manifest) and setting one removes the other:
    /// unserialized, two PUTs to one tag, one of each kind, could each remove the other's tag and leave none.
    /// </summary>
    private Task<IAsyncDisposable> TagLockAsync(string containerId, string tag, CancellationToken ct) =>
        locks.TakeAsync($"oci-tag:{containerId}\n{tag}", ct);

    /// <summary>By digest: the image and every tag on it (as <c>DELETE /v1/images</c>); by tag: the tag only.</summary>
    public async Task<Result<bool>> DeleteAsync(Actor actor, OciRepository repo, string reference, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await OciAccess.DeletableAsync(db, repo, actor, ct);
        if (!target.Succeeded) return target.As<bool>();
        var containerId = target.Value!.Container!.Id;
        var found = await OciManifests.FindAsync(db, containerId, repo, reference, ct);
        if (found is null) return Result.NotFound($"manifest {reference} not found in {repo}");
        if (OciRefs.TryParseDigest(reference, out var digest))
        {
            if (found.BuiltIndex)
                return Result.Forbidden($"{reference} is the index of a tag's architectures, built from their images: delete the tag, or an architecture's manifest by its digest");
            if (found.Image is null) return await OciArtifacts.DeleteAsync(db, containerId, digest, ct);
            var deleted = await images.DeleteAsync(actor, new ImageRef(repo.Entity, repo.Collection, repo.Container, "", new Digest(found.Image.Hash)), null, ct);
            return deleted.Succeeded ? true : deleted.As<bool>();
        }
        var removed = await RemoveLibraryTagAsync(actor, containerId, reference, ct);
        if (!removed.Succeeded) return removed;
        await OciArtifacts.UntagAsync(dbFactory, containerId, reference, ct);
        return true;
    }

    /// <summary>Removes the Library tag <paramref name="tag"/> on every architecture (frozen ones refuse).</summary>
    private async Task<Result<bool>> RemoveLibraryTagAsync(Actor actor, string containerId, string tag, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var arches = await db.Tags.Where(t => t.ContainerId == containerId && t.Name == tag).Select(t => t.Arch).ToListAsync(ct);
        foreach (var arch in arches)
        {
            var removed = await tags.RemoveAsync(actor, containerId, arch, tag, ct);
            if (!removed.Succeeded && removed.Outcome != Outcome.NotFound) return removed.As<bool>();
        }
        return true;
    }

    private async Task<Result<string>> ContainerAsync(Actor actor, OciRepository repo, OciTarget target, CancellationToken ct)
    {
        if (target.Container is not null) return target.Container.Id;
        var collection = target.Collection;
        if (collection is null)
        {
            var made = await collections.CreateAsync(actor, target.Entity.Id, repo.Collection, "", null, ct);
            if (!made.Succeeded) return made.As<string>();
            collection = made.Value!;
        }
        var container = await containers.CreateAsync(actor, collection.Id, repo.Container, "", ct);
        return container.Succeeded ? container.Value!.Id : container.As<string>();
    }

    private async Task KeepAsync(string containerId, string imageId, Digest digest, byte[] body, OciDocument doc, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.OciManifests.AnyAsync(m => m.ContainerId == containerId && m.Hash == digest.Hex, ct)) return;
        var manifest = new OciManifest { ContainerId = containerId, ImageId = imageId, Hash = digest.Hex, MediaType = SifManifest.ManifestType, Content = body };
        db.OciManifests.Add(manifest);
        db.OciManifestRefs.AddRange(OciManifestRef.Of(manifest, doc));
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { } // the same manifest kept by a concurrent push
    }

    private static async Task<bool> FrozenAsync(RegistryDbContext db, string? containerId, string tag, CancellationToken ct) =>
        containerId is not null && await db.Tags.AnyAsync(t => t.ContainerId == containerId && t.Name == tag && t.Frozen, ct);

    /// <summary>Concurrent pushes of the same image or tag race on a unique index: the loser's second try finds the winner's row.</summary>
    private static async Task<Result<T>> Retried<T>(Func<Task<Result<T>>> action)
    {
        try { return await action(); }
        catch (DbUpdateException) { return await action(); }
    }
}
