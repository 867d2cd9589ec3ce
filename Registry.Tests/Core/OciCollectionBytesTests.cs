using Microsoft.EntityFrameworkCore;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Identity;
using Registry.Core.Oci;

namespace Registry.Tests.Core;

/// <summary>
/// Issue 17: what <c>/v2/</c> stores (container images, artifacts: the blobs their manifests name) counts in a
/// collection's kept bytes beside its uploaded images, whichever way manifests, containers and images change, and so in
/// the treemap, the home counts and the admin's storage table. A SIF manifest's blobs are its image: counted once.
/// </summary>
public class OciCollectionBytesTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    private TestDatabase _db = default!;
    private BrowseFixture _data = default!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(Provider);
        _data = new BrowseFixture(_db);
        await _data.BuildAsync(12);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static string Hash(string name) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)));

    /// <summary>A stored manifest of <paramref name="containerId"/> naming blobs of these names and sizes.</summary>
    private async Task<string> ManifestAsync(string containerId, string? imageId, params (string Blob, long Size)[] blobs)
    {
        await using var db = await _db.Factory.CreateDbContextAsync();
        var manifest = new OciManifest { ContainerId = containerId, ImageId = imageId, Hash = Hash(Guid.NewGuid().ToString()), MediaType = "application/vnd.oci.image.manifest.v1+json" };
        db.OciManifests.Add(manifest);
        db.OciManifestRefs.AddRange(blobs.Select(b => new OciManifestRef { ManifestId = manifest.Id, Hash = Hash(b.Blob), Size = b.Size }));
        await db.SaveChangesAsync();
        return manifest.Id;
    }

    /// <summary>Every collection's kept bytes beside its images and its non-SIF manifests' blobs counted from the rows.</summary>
    private async Task ShouldMatchTheRowsAsync(bool ociHeld = true)
    {
        await using var db = await _db.Factory.CreateDbContextAsync();
        var rows = await db.Collections.AsNoTracking().Select(c => new
        {
            c.Id, c.Bytes,
            Images = db.Images.Where(i => i.Uploaded && i.Container!.CollectionId == c.Id).Sum(i => (long?)i.Size) ?? 0,
            Oci = db.OciManifestRefs.Where(r => db.OciManifests.Any(m => m.Id == r.ManifestId && m.ImageId == null
                && db.Containers.Any(x => x.Id == m.ContainerId && x.CollectionId == c.Id))).Sum(r => (long?)r.Size) ?? 0,
        }).ToListAsync();
        rows.Any(r => r.Oci > 0).ShouldBe(ociHeld);
        foreach (var r in rows) r.Bytes.ShouldBe(r.Images + r.Oci, $"bytes of {r.Id}");
    }

    [Fact]
    public async Task Manifest_blobs_count_through_pushes_deletes_backfills_moves_and_cascades_and_a_sif_manifest_counts_as_its_image()
    {
        string collection, other;
        List<Container> containers;
        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            var ids = await db.Collections.Where(c => c.Containers.Count >= 2).OrderBy(c => c.Id).Select(c => c.Id).Take(2).ToListAsync();
            (collection, other) = (ids[0], ids[1]);
            containers = await db.Containers.Include(x => x.Images).Where(x => x.CollectionId == collection).OrderBy(x => x.Id).ToListAsync();
        }
        var before = _data.Collections[collection].Bytes;
        var app = await ManifestAsync(containers[0].Id, null, ("config", 300), ("base", 5000), ("app", 700));
        await ManifestAsync(containers[0].Id, null, ("config2", 300), ("base", 5000)); // a second tag sharing the base layer
        await ManifestAsync(containers[1].Id, containers[1].Images[0].Id, ("{}", 2), ("sif", containers[1].Images[0].Size)); // a SIF's
        await ShouldMatchTheRowsAsync();
        (await BytesOf(collection)).ShouldBe(before + 6000 + 5300);

        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            await db.OciManifests.Where(m => m.Id == app).ExecuteDeleteAsync(); // DELETE by digest: its refs go by the cascade
            db.OciManifests.Add(new OciManifest { ContainerId = containers[1].Id, Hash = Hash("old"), MediaType = "x", RefsStored = false });
            await db.SaveChangesAsync();
        }
        await ShouldMatchTheRowsAsync();
        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            var old = await db.OciManifests.SingleAsync(m => !m.RefsStored); // the backfill parses an older manifest into refs
            db.OciManifestRefs.Add(new OciManifestRef { ManifestId = old.Id, Hash = Hash("late"), Size = 40 });
            old.RefsStored = true;
            await db.SaveChangesAsync();
            await db.Images.Where(i => i.Id == containers[1].Images[0].Id).ExecuteDeleteAsync(); // its SIF manifest goes with it
            var moved = await db.Containers.SingleAsync(x => x.Id == containers[0].Id);
            moved.CollectionId = other; // a move takes its manifests' bytes along
            moved.Name = "moved-oci";
            await db.SaveChangesAsync();
        }
        await ShouldMatchTheRowsAsync();
        (await BytesOf(other)).ShouldBe(_data.Collections[other].Bytes + containers[0].Images.Sum(i => i.Size) + 5300);

        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            await db.Containers.Where(x => x.Id == containers[1].Id).ExecuteDeleteAsync(); // manifests and refs by the cascade
            db.Collections.Remove(await db.Collections.SingleAsync(c => c.Id == other));
            await db.SaveChangesAsync();
        }
        await ShouldMatchTheRowsAsync(ociHeld: false); // no collection holds /v2/ bytes any more
    }

    [Fact]
    public async Task The_treemap_home_counts_and_admin_storage_include_what_v2_stores_each_shared_file_once_in_stored_bytes()
    {
        string collection, containerId, entity;
        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            var c = await db.Collections.Include(x => x.Entity).Where(x => !x.IsPrivate && x.Containers.Count >= 1).OrderBy(x => x.Id).FirstAsync();
            (collection, entity) = (c.Id, c.Entity!.Name);
            var x = new Container { CollectionId = c.Id, Name = "webserver" }; // holds only a container image
            db.Containers.Add(x);
            await db.SaveChangesAsync();
            containerId = x.Id;
        }
        var browser = new CollectionBrowser(_db.Factory, new ViewerCache(_db.Writes));
        var admin = _db.UserAdmin();
        var statsBefore = await browser.StatsAsync(Actor.Anonymous);
        var entityBefore = (await admin.StorageAsync()).Single(e => e.Name == entity).Bytes;

        await ManifestAsync(containerId, null, ("cfg", 1000), ("layer", 90_000));
        await ManifestAsync(containerId, null, ("cfg-b", 1000), ("layer", 90_000)); // another tag, the same layer

        var storage = await browser.StorageAsync(Actor.Anonymous);
        var drawn = storage.Largest.Single(c => c.Path == _data.Collections[collection].Path);
        drawn.Containers.Single(x => x.Name == "webserver").Bytes.ShouldBe(182_000);
        drawn.Bytes.ShouldBe(_data.Collections[collection].Bytes + 182_000);
        var stats = await browser.StatsAsync(Actor.Anonymous);
        stats.Bytes.ShouldBe(statsBefore.Bytes + 182_000);
        stats.StoredBytes.ShouldBe(statsBefore.StoredBytes + 92_000);
        storage.StoredBytes.ShouldBe(stats.StoredBytes);
        (await admin.StorageAsync()).Single(e => e.Name == entity).Bytes.ShouldBe(entityBefore + 182_000);
    }

    private async Task<long> BytesOf(string collectionId)
    {
        await using var db = await _db.Factory.CreateDbContextAsync();
        return await db.Collections.Where(c => c.Id == collectionId).Select(c => c.Bytes).SingleAsync();
    }
}
