using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Sregistry;

/// <summary><c>sregistry search</c> and the label search: what anonymous and signed callers see, DRF pages, no private leaks.</summary>
public class SregistryListingTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>, IDisposable
{
    private readonly string _sifs = Directory.CreateTempSubdirectory("registry-sreg-sif-").FullName;

    public void Dispose() => Directory.Delete(_sifs, recursive: true);

    [Fact]
    public async Task Listings_page_the_way_the_client_loops_and_show_private_collections_to_their_signed_readers_only()
    {
        var (_, token) = await factory.CreateUserAsync("slann");
        var ann = new SregistryClient(factory.BaseAddress, "slann", token);
        foreach (var name in new[] { "slpub1", "slpub2", "slpriv" })
            (await ann.PushAsync(name, "tool", "v1", SifBuilder.Bytes(2000))).Status.ShouldBe(HttpStatusCode.OK);
        (await ann.PushAsync("slpub1", "tool", "v2", SifBuilder.Bytes(2000))).Status.ShouldBe(HttpStatusCode.OK);
        var priv = (await factory.Services.GetRequiredService<CollectionService>().FindByNameAsync(new Actor("x", "root", true, Registry.Core.Identity.AccessTokens.TokenScope.Admin), "slpriv")).Single();
        (await factory.Services.GetRequiredService<CollectionService>().SetPrivateAsync(new Actor("x", "root", true, Registry.Core.Identity.AccessTokens.TokenScope.Admin), priv.Id, true)).Succeeded.ShouldBeTrue();
        var anonymous = new SregistryClient(factory.BaseAddress, "nobody", "none");

        // No limit/offset: everything on the first page and no next, or the client would request the same URL forever.
        var (status, page) = await anonymous.GetAsync("/api/collections/");
        status.ShouldBe(HttpStatusCode.OK);
        page!["next"].ShouldBeNull();
        var names = page["results"]!.AsArray().Select(c => (string)c!["name"]!).ToList();
        names.ShouldContain("slpub1");
        names.ShouldNotContain("slpriv");
        page["count"]!.GetValue<int>().ShouldBe(names.Count);
        var pub1 = page["results"]!.AsArray().Single(c => (string)c!["name"]! == "slpub1")!;
        pub1["containers"]!.AsArray().Select(c => (string)c!["uri"]!).ShouldBe(["slpub1/tool:v1", "slpub1/tool:v2"]);
        ((string)pub1["containers"]![0]!["detail"]!).ShouldBe($"{factory.BaseAddress.ToString().TrimEnd('/')}/slann/slpub1/tool");

        var signed = (await ann.GetAsync("/api/collections/", ("", "", ""))).Body!;
        signed["results"]!.AsArray().Select(c => (string)c!["name"]!).ShouldContain("slpriv");

        // With limit/offset: DRF pages whose next links walk all of them.
        var seen = new List<string>();
        string? next = "/api/collections/?limit=1&offset=0";
        while (next is not null)
        {
            var (_, p) = await anonymous.GetAsync(next);
            p!["results"]!.AsArray().Count.ShouldBe(1);
            seen.Add((string)p["results"]![0]!["name"]!);
            next = p["next"]?.GetValue<string>() is { } url ? new Uri(url).PathAndQuery : null;
        }
        seen.ShouldBe(names);
        (await anonymous.GetAsync("/api/collections/?limit=x")).Status.ShouldBe(HttpStatusCode.BadRequest);

        (await anonymous.GetAsync("/api/collection/slpub1")).Body!["containers"]!.AsArray().Count.ShouldBe(2);
        var (hidden, detail) = await anonymous.GetAsync("/api/collection/slpriv");
        hidden.ShouldBe(HttpStatusCode.NotFound);
        detail!["detail"]!.GetValue<string>().ShouldBe("collection slpriv not found");
        (await ann.GetAsync("/api/collection/slpriv", ("slpriv", "", ""))).Status.ShouldBe(HttpStatusCode.OK);

        var (_, found) = await anonymous.GetAsync("/api/container/search/collection/slpub1/name/tool/tag/v2");
        found!.AsArray().Select(c => (string)c!["uri"]!).ShouldBe(["slpub1/tool:v2"]);
        (await anonymous.GetAsync("/api/container/search/name/tool")).Body!.AsArray().Select(c => (string)c!["collection"]!)
            .ShouldNotContain("slpriv"); // sregistry's container search leaked private ones
        (await ann.GetAsync("/api/container/search/name/tool", ("", "tool", ""))).Body!.AsArray().Select(c => (string)c!["collection"]!)
            .ShouldContain("slpriv");

        var identity = (await anonymous.GetAsync("/api/registry/identity")).Body!;
        identity["url"]!.GetValue<string>().ShouldBe(factory.BaseAddress.ToString().TrimEnd('/'));
    }

    [Fact]
    public async Task Label_search_answers_stored_labels_of_visible_images_only()
    {
        var sifs = new SifFiles(_sifs);
        var (_, token) = await factory.CreateUserAsync("sllab");
        var lab = new SregistryClient(factory.BaseAddress, "sllab", token);
        var open = await File.ReadAllBytesAsync(await sifs.CreateLabelledAsync("""{"maintainer":"vanessasaur","build":"7"}""", 8192));
        var closed = await File.ReadAllBytesAsync(await sifs.CreateLabelledAsync("""{"maintainer":"vanessasaur","secret":"yes"}""", 8192));
        (await lab.PushAsync("sllabels", "dino", "v1", open)).Status.ShouldBe(HttpStatusCode.OK);
        (await lab.PushAsync("sllabhidden", "dino", "v1", closed)).Status.ShouldBe(HttpStatusCode.OK);
        var admin = new Actor("x", "root", true, Registry.Core.Identity.AccessTokens.TokenScope.Admin);
        var hidden = (await factory.Services.GetRequiredService<CollectionService>().FindByNameAsync(admin, "sllabhidden")).Single();
        (await factory.Services.GetRequiredService<CollectionService>().SetPrivateAsync(admin, hidden.Id, true)).Succeeded.ShouldBeTrue();
        var anonymous = new SregistryClient(factory.BaseAddress, "nobody", "none");

        (await anonymous.GetAsync("/api/labels/search/maintainer/key/vanessasaur/value")).Body!.ToJsonString()
            .ShouldBe("""[{"key":"maintainer","value":"vanessasaur","containers":["sllabels/dino:v1"]}]""");
        (await anonymous.GetAsync("/api/labels/search/secret/key")).Body!.ToJsonString().ShouldBe("[]");
        (await lab.GetAsync("/api/labels/search/secret/key", ("", "", ""))).Body!.ToJsonString()
            .ShouldBe("""[{"key":"secret","value":"yes","containers":["sllabhidden/dino:v1"]}]""");
        (await anonymous.GetAsync("/api/labels/search/7/value")).Body!.ToJsonString()
            .ShouldBe("""[{"key":"build","value":"7","containers":["sllabels/dino:v1"]}]""");
        (await anonymous.GetAsync("/api/labels/search")).Body!.AsArray().Select(l => (string)l!["key"]!).ShouldNotContain("secret");
    }
}
