using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Entities;
using Registry.Core.Identity.AccessTokens;

using static Registry.Tests.Api.ContractJson;

namespace Registry.Tests.Api;

/// <summary>Sizes, stars and search results of the catalogue objects (docs/library-api.md §Models, §Search), whole bodies.</summary>
public class CatalogueContractTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private static string Ids(params string[] ids) => "[" + string.Join(",", ids.Select(id => $"\"{id}\"")) + "]";

    [Fact]
    public async Task Sizes_are_the_bytes_of_uploaded_images_counted_as_the_quota_counts_them()
    {
        var (user, token) = await factory.CreateUserAsync("sizer");
        var owner = new LibraryClient(factory.Client(token));
        var shared = SifBuilder.Bytes(1000);
        var v1 = await owner.PushAsync("sizer", "lab", "a", shared, "v1");
        var v2 = await owner.PushAsync("sizer", "lab", "a", SifBuilder.Bytes(3000), "v2");
        // The same bytes in a second container: stored once, counted in full in each (as quota usage counts them).
        var again = await owner.PushAsync("sizer", "lab", "b", shared, "v1");
        var (_, a) = await owner.GetAsync("/v1/containers/sizer/lab/a");
        var aId = (string)a!["data"]!["id"]!;
        // Registered but never uploaded: listed among the images, not counted.
        var (_, pending) = await owner.PostAsync("/v1/images", new { hash = "sha256." + Hex(SifBuilder.Bytes(7000)), container = aId });
        var pendingId = (string)pending!["data"]!["id"]!;
        var (_, e) = await owner.GetAsync("/v1/entities/sizer");
        var entityId = (string)e!["data"]!["id"]!;
        (await owner.PostAsync("/v1/collections", new { name = "vault", entity = entityId, @private = true })).Status.ShouldBe(HttpStatusCode.OK);
        await owner.PushAsync("sizer", "vault", "z", SifBuilder.Bytes(5000), "v1");
        var (_, lab) = await owner.GetAsync("/v1/collections/sizer/lab");
        var labId = (string)lab!["data"]!["id"]!;
        var (_, vault) = await owner.GetAsync("/v1/collections/sizer/vault");
        var vaultId = (string)vault!["data"]!["id"]!;
        var bId = (string)(await owner.GetAsync("/v1/containers/sizer/lab/b")).Body!["data"]!["id"]!;
        var stars = factory.Services.GetRequiredService<StarService>();
        (await stars.SetAsync(new Actor(user.Id, "sizer", false, TokenScope.Write), labId, true)).Succeeded.ShouldBeTrue();
        var anonymous = new LibraryClient(factory.Client());

        Normalised((await anonymous.GetAsync("/v1/containers/sizer/lab/a")).Body).ShouldBe(
            $$$"""{"data":{"id":"{{{aId}}}","name":"a","description":"","fullDescription":"","collection":"{{{labId}}}","collectionName":"lab","entity":"{{{entityId}}}","entityName":"sizer","images":{{{Ids(v1, v2, pendingId)}}},"imageTags":{"v1":"{{{v1}}}","v2":"{{{v2}}}"},"archTags":{"amd64":{"v1":"{{{v1}}}","v2":"{{{v2}}}"}},"size":4000,"downloadCount":0,"stars":1,"private":false,"readOnly":false,"customData":"","deleted":false,"createdBy":"{{{user.Id}}}","createdAt":"T","updatedAt":"T","deletedAt":"{{{Zero}}}","owner":"sizer"}}""");
        var b = (await anonymous.GetAsync("/v1/containers/sizer/lab/b")).Body!["data"]!;
        (b["images"]!.ToJsonString(), b["size"]!.GetValue<long>()).ShouldBe((Ids(again), 1000));
        (await anonymous.GetAsync("/v1/images/sizer/lab/b:v1?arch=amd64")).Body!["data"]!["containerStars"]!.GetValue<int>().ShouldBe(1);
        Normalised((await anonymous.GetAsync("/v1/collections/sizer/lab")).Body).ShouldBe(
            $$$"""{"data":{"id":"{{{labId}}}","name":"lab","description":"","entity":"{{{entityId}}}","entityName":"sizer","containers":{{{Ids(aId, bId)}}},"size":5000,"private":false,"customData":"","deleted":false,"createdBy":"{{{user.Id}}}","createdAt":"T","updatedAt":"T","deletedAt":"{{{Zero}}}","owner":"sizer"}}""");
        (await owner.GetAsync("/v1/collections/sizer/vault")).Body!["data"]!["size"]!.GetValue<long>().ShouldBe(5000);
        // A container created before any push: found, empty, size 0.
        (await owner.PostAsync("/v1/containers", new { name = "empty", collection = vaultId })).Status.ShouldBe(HttpStatusCode.OK);
        var empty = (await owner.GetAsync("/v1/containers/sizer/vault/empty")).Body!["data"]!;
        (empty["images"]!.ToJsonString(), empty["archTags"]!.ToJsonString(), empty["size"]!.GetValue<long>()).ShouldBe(("[]", "{}", 0L));

        // The owner's entity size is its quota usage; anyone else sees the public part only (a private collection's bytes don't leak).
        Normalised((await owner.GetAsync("/v1/entities/sizer")).Body).ShouldBe(
            $$$"""{"data":{"id":"{{{entityId}}}","name":"sizer","description":"","collections":{{{Ids(labId, vaultId)}}},"size":10000,"quota":0,"defaultPrivate":false,"customData":"","deleted":false,"createdBy":"","createdAt":"T","updatedAt":"T","deletedAt":"{{{Zero}}}","owner":"sizer"}}""");
        Normalised((await anonymous.GetAsync("/v1/entities/sizer")).Body).ShouldBe(
            $$$"""{"data":{"id":"{{{entityId}}}","name":"sizer","description":"","collections":{{{Ids(labId)}}},"size":5000,"quota":0,"defaultPrivate":false,"customData":"","deleted":false,"createdBy":"","createdAt":"T","updatedAt":"T","deletedAt":"{{{Zero}}}","owner":"sizer"}}""");
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        var entity = await db.Entities.SingleAsync(x => x.Id == entityId);
        (await EntityService.UsageAsync(db, entity, factory.Services.GetRequiredService<IOptions<RegistryOptions>>().Value, default)).Usage.ShouldBe(10000);
    }

    [Fact]
    public async Task Search_without_arch_lists_containers_as_get_shows_them_and_private_stays_private()
    {
        var (_, token) = await factory.CreateUserAsync("seeker");
        var owner = new LibraryClient(factory.Client(token));
        var amd = await owner.PushAsync("seeker", "pub", "lookout", SifBuilder.Bytes(1100), "latest");
        var arm = await owner.PushAsync("seeker", "pub", "lookout", SifBuilder.Bytes(1300, archCode: "04"));
        var lookoutId = (string)(await owner.GetAsync("/v1/containers/seeker/pub/lookout")).Body!["data"]!["id"]!;
        (await owner.PostAsync($"/v2/tags/{lookoutId}", new { Arch = "arm64", Tag = "latest", ImageID = arm })).Status.ShouldBe(HttpStatusCode.OK);
        var (_, e) = await owner.GetAsync("/v1/entities/seeker");
        (await owner.PostAsync("/v1/collections", new { name = "hid", entity = (string)e!["data"]!["id"]!, @private = true })).Status.ShouldBe(HttpStatusCode.OK);
        var hidden = await owner.PushAsync("seeker", "hid", "lookoutx", SifBuilder.Bytes(1700), "latest");
        var anonymous = new LibraryClient(factory.Client());

        // Each container is the very object GET /v1/containers answers; the images are every uploaded one the asker may see.
        foreach (var (client, paths, images) in new[]
                 {
                     (anonymous, new[] { "seeker/pub/lookout" }, new[] { amd, arm }),
                     (owner, new[] { "seeker/hid/lookoutx", "seeker/pub/lookout" }, new[] { amd, arm, hidden }),
                 })
        {
            var (status, found) = await client.GetAsync("/v1/search?value=lookout");
            status.ShouldBe(HttpStatusCode.OK);
            var containers = found!["data"]!["container"]!.AsArray().OrderBy(x => (string)x!["entityName"]! + "/" + (string)x["collectionName"]!).ToList();
            var expected = new List<string>();
            foreach (var path in paths) expected.Add(Normalised((await client.GetAsync($"/v1/containers/{path}")).Body!["data"]));
            containers.Select(Normalised).ShouldBe(expected);
            found["data"]!["image"]!.AsArray().Select(i => (string)i!["id"]!).Order().ShouldBe(images.Order());
        }
        var (_, publicOnly) = await anonymous.GetAsync("/v1/search?value=lookout");
        var lookout = publicOnly!["data"]!["container"]!.AsArray().Single()!;
        lookout["archTags"]!.ToJsonString().ShouldBe($$$"""{"amd64":{"latest":"{{{amd}}}"},"arm64":{"latest":"{{{arm}}}"}}""");
        lookout["size"]!.GetValue<long>().ShouldBe(2400);
        publicOnly.ToJsonString().ShouldNotContain("lookoutx");
        publicOnly.ToJsonString().ShouldNotContain(hidden);

        // With arch: images of that arch only, no containers.
        var (_, armOnly) = await anonymous.GetAsync("/v1/search?arch=arm64&value=lookout");
        armOnly!["data"]!["container"]!.AsArray().ShouldBeEmpty();
        armOnly["data"]!["image"]!.AsArray().Select(i => (string)i!["id"]!).ShouldBe([arm]);

        // The entity found by name: sizes of what the asker sees.
        (await anonymous.GetAsync("/v1/search?value=seeker")).Body!["data"]!["entity"]!.AsArray().Single()!["size"]!.GetValue<long>().ShouldBe(2400);
        (await owner.GetAsync("/v1/search?value=seeker")).Body!["data"]!["entity"]!.AsArray().Single()!["size"]!.GetValue<long>().ShouldBe(4100);
    }
}
