using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Collections;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Storage;
using Registry.Tests.Api;

namespace Registry.Tests.Sregistry;

/// <summary>sregistry push, pull and delete against the real server, as sregistry-cli sends them.</summary>
public class SregistryPushPullTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private async Task<SregistryClient> UserAsync(string name, bool admin = false, TokenScope scope = TokenScope.Write, string? collectionId = null)
    {
        var (_, token) = await factory.CreateUserAsync(name, admin, scope, collectionId);
        return new SregistryClient(factory.BaseAddress, name, token);
    }

    [Fact]
    public async Task Push_creates_the_collection_adds_to_it_replaces_a_tag_and_pulls_back_what_was_pushed()
    {
        var ann = await UserAsync("srann");
        var first = SifBuilder.Bytes(70_000);
        var (status, body) = await ann.PushAsync("annlab", "tool", "v1", first);
        status.ShouldBe(HttpStatusCode.OK, body?.ToJsonString());
        body!.ToJsonString().ShouldBe("""{"message":"Upload complete: library://srann/annlab/tool:v1"}""");

        // The existing collection is found again (same cid), a second container lands beside the first.
        var (_, start) = await ann.StartPushAsync("annlab", "other", "latest");
        (await ann.StartPushAsync("annlab", "tool", "v2")).Body!["cid"]!.ToString().ShouldBe(start!["cid"]!.ToString());
        (await ann.PushAsync("annlab", "other", "latest", SifBuilder.Bytes(5000))).Status.ShouldBe(HttpStatusCode.OK);

        var (pulled, manifest, image) = await ann.PullAsync("annlab", "tool", "v1");
        pulled.ShouldBe(HttpStatusCode.OK);
        image.ShouldBe(first);
        manifest!["name"]!.GetValue<string>().ShouldBe("tool"); // the client files the download by the container name alone
        manifest["collection"]!.GetValue<string>().ShouldBe("annlab");
        manifest["tag"]!.GetValue<string>().ShouldBe("v1");
        manifest["version"]!.GetValue<string>().ShouldBe("sha256." + Convert.ToHexStringLower(SHA256.HashData(first)));

        // An unfrozen tag is replaced by a push of other bytes.
        var second = SifBuilder.Bytes(80_000);
        (await ann.PushAsync("annlab", "tool", "v1", second)).Status.ShouldBe(HttpStatusCode.OK);
        (await ann.PullAsync("annlab", "tool", "v1")).Image.ShouldBe(second);

        // Upper case in names is lowercased, as the client does before sending.
        (await ann.PullAsync("annlab", "TOOL", "v1")).Image.ShouldBe(second);
    }

    [Fact]
    public async Task A_frozen_tag_refuses_a_push_and_a_delete_and_keeps_its_bytes()
    {
        var bo = await UserAsync("srbo");
        var kept = SifBuilder.Bytes(9000);
        (await bo.PushAsync("bolab", "tool", "stable", kept)).Status.ShouldBe(HttpStatusCode.OK);
        var container = await factory.Services.GetRequiredService<Registry.Core.Containers.ContainerService>()
            .FindAsync(Registry.Core.Access.Actor.ForUser("x", "root", true), "srbo", "bolab", "tool");
        var tag = container.Value!.Tags.Single();
        (await factory.Services.GetRequiredService<Registry.Core.Tags.TagService>()
            .FreezeAsync(Registry.Core.Access.Actor.ForUser("x", "root", true), container.Value.Id, tag.Arch, "stable", true)).Succeeded.ShouldBeTrue();

        var (status, body) = await bo.PushAsync("bolab", "tool", "stable", SifBuilder.Bytes(9000));
        status.ShouldBe(HttpStatusCode.Forbidden);
        body!.ToJsonString().ShouldBe("""{"detail":"bolab/tool:stable is frozen and cannot be replaced"}""");
        (status, body) = await bo.DeleteAsync("bolab", "tool", "stable");
        status.ShouldBe(HttpStatusCode.Forbidden);
        body!["detail"]!.GetValue<string>().ShouldContain("frozen");
        (await bo.PullAsync("bolab", "tool", "stable")).Image.ShouldBe(kept);
    }

    [Fact]
    public async Task Private_collections_answer_anonymous_callers_401_and_serve_a_signed_pull_of_a_reader_only()
    {
        var cy = await UserAsync("srcy");
        var secret = SifBuilder.Bytes(4000);
        var (_, start) = await cy.StartPushAsync("cysecret", "tool", "v1");
        var collections = factory.Services.GetRequiredService<CollectionService>();
        (await collections.SetPrivateAsync(Registry.Core.Access.Actor.ForUser("x", "root", true), start!["cid"]!.ToString(), true)).Succeeded.ShouldBeTrue();
        (await cy.PushAsync("cysecret", "tool", "v1", secret)).Status.ShouldBe(HttpStatusCode.OK);

        var anonymous = await factory.Client().GetAsync("/api/container/cysecret/tool:v1");
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        // A name that exists nowhere answers the same: anonymous callers learn nothing about private names.
        var missing = await factory.Client().GetAsync("/api/container/nosuchcollection/tool:v1");
        missing.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.Content.ReadAsStringAsync()).Replace("cysecret", "X").ShouldBe((await missing.Content.ReadAsStringAsync()).Replace("nosuchcollection", "X"));

        var (status, manifest, image) = await cy.PullAsync("cysecret", "tool", "v1");
        status.ShouldBe(HttpStatusCode.OK);
        image.ShouldBe(secret);
        manifest!["name"]!.GetValue<string>().ShouldBe("tool");

        var stranger = await UserAsync("srcystranger");
        (await stranger.PullAsync("cysecret", "tool", "v1")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_by_the_owner_removes_the_tag_and_keeps_bytes_used_elsewhere_and_others_are_refused()
    {
        var di = await UserAsync("srdi");
        var shared = SifBuilder.Bytes(6000);
        (await di.PushAsync("dilab", "one", "v1", shared)).Status.ShouldBe(HttpStatusCode.OK);
        (await di.PushAsync("dilab", "two", "v1", shared)).Status.ShouldBe(HttpStatusCode.OK);
        (await di.PushAsync("dilab", "two", "v2", shared)).Status.ShouldBe(HttpStatusCode.OK);

        var other = await UserAsync("srdiother");
        var (status, body) = await other.DeleteAsync("dilab", "one", "v1");
        status.ShouldBe(HttpStatusCode.Forbidden);
        body!.ToJsonString().ShouldBe("""{"detail":"srdiother may not delete in srdi/dilab"}""");
        (await factory.Client().DeleteAsync("/api/container/dilab/one:v1")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        (await di.DeleteAsync("dilab", "one", "v1")).Status.ShouldBe(HttpStatusCode.NoContent);
        (await di.PullAsync("dilab", "one", "v1")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await di.PullAsync("dilab", "two", "v1")).Image.ShouldBe(shared); // the blob is still used by two
        factory.Services.GetRequiredService<IBlobStore>().Exists(new Digest(Convert.ToHexStringLower(SHA256.HashData(shared)))).ShouldBeTrue();

        // Another tag keeps the image: only v1 goes, v2 still pulls.
        (await di.DeleteAsync("dilab", "two", "v1")).Status.ShouldBe(HttpStatusCode.NoContent);
        (await di.PullAsync("dilab", "two", "v1")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await di.PullAsync("dilab", "two", "v2")).Image.ShouldBe(shared);
        (status, body) = await di.DeleteAsync("dilab", "two", "v1");
        status.ShouldBe(HttpStatusCode.NotFound);
        body!.ToJsonString().ShouldBe("""{"detail":"Container Not Found"}""");
    }

    [Fact]
    public async Task A_collection_name_held_by_several_pushable_entities_names_their_library_refs()
    {
        var ed = await UserAsync("sred");
        (await ed.PushAsync("twins", "x", "v1", SifBuilder.Bytes(3000))).Status.ShouldBe(HttpStatusCode.OK);
        // Someone else's visible collection of that name is not taken over, nor shadowed by a new one of the same name.
        var fi = await UserAsync("srfi");
        var (refused, why) = await fi.StartPushAsync("twins", "x", "v1");
        refused.ShouldBe(HttpStatusCode.Forbidden);
        why!.ToJsonString().ShouldBe("""{"detail":"srfi may not push to collection twins (library://sred/twins): choose another collection name"}""");
        // Through the Library API, which names entities, fi makes her own "twins".
        var (_, fiToken) = await factory.CreateUserAsync("srfi2");
        await new LibraryClient(factory.Client(fiToken)).PushAsync("srfi2", "twins", "x", SifBuilder.Bytes(3000), "v1");
        var admin = await UserAsync("sradmin", admin: true, scope: TokenScope.Admin);

        var (status, body) = await admin.StartPushAsync("twins", "x", "v2");
        status.ShouldBe(HttpStatusCode.Conflict);
        body!.ToJsonString().ShouldBe(
            """{"detail":"several entities have a collection named twins; use one of library://sred/twins/x:v2, library://srfi2/twins/x:v2 with apptainer"}""");
        // For ed, only his own is pushable: it is used, not a new one.
        (await ed.PushAsync("twins", "x", "v2", SifBuilder.Bytes(3000))).Body!["message"]!.GetValue<string>().ShouldBe("Upload complete: library://sred/twins/x:v2");
    }
}
