using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Identity.AccessTokens;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Api;

/// <summary>
/// The catalogue reads are answered from memory (<c>CatalogueCache</c>, and the shub manifest's owner lookup): an answer is never shared between views that see
/// different things, and never outlives the write that changed it, even with readers racing the write.
/// </summary>
public class CatalogueCacheTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task An_answer_cached_for_one_view_is_never_served_to_another()
    {
        var (owner, token) = await factory.CreateUserAsync("cview");
        var (_, strangerToken) = await factory.CreateUserAsync("cviewer");
        var client = new LibraryClient(factory.Client(token));
        await client.PushAsync("cview", "open", "a", SifBuilder.Bytes(1000), "v1");
        await client.PushAsync("cview", "vault", "z", SifBuilder.Bytes(2000), "v1");
        var vaultId = (string)(await client.GetAsync("/v1/collections/cview/vault")).Body!["data"]!["id"]!;
        (await Services<CollectionService>().SetPrivateAsync(Actor.ForUser(owner.Id, "cview", false), vaultId, true)).Succeeded.ShouldBeTrue();
        var openScoped = await factory.CreateTokenAsync(owner, TokenScope.Read,
            (string)(await client.GetAsync("/v1/collections/cview/open")).Body!["data"]!["id"]!);

        // The owner's answers first, three times each: warm.
        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync("/v1/collections/cview/vault")).Status.ShouldBe(HttpStatusCode.OK);
            (await client.GetAsync("/v1/containers/cview/vault/z")).Status.ShouldBe(HttpStatusCode.OK);
            (await client.GetAsync("/v1/entities/cview")).Body!["data"]!["collections"]!.AsArray().Count.ShouldBe(2);
        }
        foreach (var other in new[] { factory.Client(), factory.Client(strangerToken), factory.Client(openScoped) })
        {
            var them = new LibraryClient(other);
            (await them.GetAsync("/v1/collections/cview/vault")).Status.ShouldBeOneOf(HttpStatusCode.NotFound, HttpStatusCode.Forbidden);
            (await them.GetAsync("/v1/containers/cview/vault/z")).Status.ShouldBeOneOf(HttpStatusCode.NotFound, HttpStatusCode.Forbidden);
            var entity = (await them.GetAsync("/v1/entities/cview")).Body!["data"]!;
            entity["collections"]!.AsArray().Select(c => (string)c!).ShouldNotContain(vaultId);
            entity["size"]!.GetValue<long>().ShouldBe(1000);
        }
    }

    [Fact]
    public async Task A_write_is_seen_by_the_next_read_with_readers_racing_it()
    {
        var (owner, token) = await factory.CreateUserAsync("crace");
        var client = new LibraryClient(factory.Client(token));
        await client.PushAsync("crace", "flip", "a", SifBuilder.Bytes(1000), "v1");
        var id = (string)(await client.GetAsync("/v1/collections/crace/flip")).Body!["data"]!["id"]!;
        var collections = Services<CollectionService>();
        var actor = Actor.ForUser(owner.Id, "crace", false);
        var anonymous = new LibraryClient(factory.Client());
        string[] paths = ["/v1/collections/crace/flip", "/v1/containers/crace/flip/a"];
        string[] searched = ["/v1/search?value=crace"];

        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var reads = 0;
            while (!stop.IsCancellationRequested)
                foreach (var path in paths.Concat(searched)) { await anonymous.GetAsync(path); reads++; }
            return reads;
        })).ToList();
        for (var round = 0; round < 10; round++)
        {
            var makePrivate = round % 2 == 0;
            (await collections.SetPrivateAsync(actor, id, makePrivate)).Succeeded.ShouldBeTrue();
            foreach (var path in paths)
                (await anonymous.GetAsync(path)).Status.ShouldBe(makePrivate ? HttpStatusCode.NotFound : HttpStatusCode.OK,
                    $"round {round}: {path} right after the collection was made {(makePrivate ? "private" : "public")}");
            var entity = (await anonymous.GetAsync("/v1/entities/crace")).Body!["data"]!["collections"]!.AsArray();
            entity.Count.ShouldBe(makePrivate ? 0 : 1, $"round {round}: the entity's collections");
            var found = (await anonymous.GetAsync("/v1/search?value=crace")).Body!["data"]!["collection"]!.AsArray();
            found.Count.ShouldBe(makePrivate ? 0 : 1, $"round {round}: the search's collections");
        }
        await stop.CancelAsync();
        (await Task.WhenAll(readers)).Sum().ShouldBeGreaterThan(paths.Length * 8, "the readers raced the writes");
    }

    [Fact]
    public async Task The_sregistry_listings_follow_a_collection_made_private_and_keep_signed_views_apart()
    {
        var (owner, token) = await factory.CreateUserAsync("csreg");
        var signed = new Sregistry.SregistryClient(factory.BaseAddress, "csreg", token);
        var sifs = new SifFiles(Directory.CreateTempSubdirectory("registry-ccache-sif-").FullName);
        try
        {
            var labelled = await File.ReadAllBytesAsync(await sifs.CreateLabelledAsync("""{"csregkey":"flip"}""", 8192));
            (await signed.PushAsync("csregflip", "tool", "v1", labelled)).Status.ShouldBe(HttpStatusCode.OK);
        }
        finally { Directory.Delete(sifs.Directory, recursive: true); }
        var id = (await Services<CollectionService>().FindByNameAsync(Actor.ForUser(owner.Id, "csreg", false), "csregflip")).Single().Id;
        var anonymous = new Sregistry.SregistryClient(factory.BaseAddress, "nobody", "none");
        // Each with the fields sregistry-cli signs for it.
        var signatures = new Dictionary<string, (string, string, string)>
        {
            ["/api/collections/?limit=1000"] = ("", "", ""), ["/api/collection/csregflip"] = ("csregflip", "", ""),
            ["/api/container/search/name/tool"] = ("", "tool", ""), ["/api/labels/search/csregkey/key"] = ("", "", ""),
        };
        var paths = signatures.Keys;
        async Task<bool> SeenAsync(Sregistry.SregistryClient client, string path, bool sign = false)
        {
            var (status, body) = await client.GetAsync(path, sign ? signatures[path] : null);
            return status == HttpStatusCode.OK && body!.ToJsonString().Contains("csregflip");
        }
        foreach (var path in paths)
            for (var i = 0; i < 2; i++) (await SeenAsync(anonymous, path)).ShouldBeTrue(path);
        const string shub = "/api/container/csregflip/tool:v1"; // its collection's owner is looked up from memory too
        for (var i = 0; i < 2; i++) (await anonymous.Http.GetAsync(shub)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await Services<CollectionService>().SetPrivateAsync(Actor.ForUser(owner.Id, "csreg", false), id, true)).Succeeded.ShouldBeTrue();
        foreach (var path in paths)
        {
            (await SeenAsync(signed, path, sign: true)).ShouldBeTrue($"{path}, signed by the owner");
            (await SeenAsync(anonymous, path)).ShouldBeFalse($"{path}, anonymous, after the collection was made private");
        }
        (await anonymous.Http.GetAsync(shub)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await signed.PullAsync("csregflip", "tool", "v1")).Status.ShouldBe(HttpStatusCode.OK);
    }

    private T Services<T>() where T : notnull => factory.Services.GetRequiredService<T>();
}
