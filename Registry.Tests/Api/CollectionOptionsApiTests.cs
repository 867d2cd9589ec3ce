using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Identity.AccessTokens;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Api;

public sealed class AdminCollectionsOnlyFactory() : RegistryApiFactory(new() { ["Registry:UserCollections"] = "false" });

public sealed class PrivateOnlyFactory() : RegistryApiFactory(new() { ["Registry:PrivateOnly"] = "true" });

public sealed class LimitedCollectionsFactory()
    : RegistryApiFactory(new() { ["Registry:MaxCollectionsPerUser"] = "1", ["Registry:DefaultPrivate"] = "true" });

internal static class Collections
{
    public static async Task<List<string>> OfAsync(RegistryApiFactory factory, string entity)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        return await db.Collections.Where(c => c.Entity!.Name == entity).OrderBy(c => c.Name).Select(c => c.Name).ToListAsync();
    }

    public static async Task<string> EntityIdAsync(LibraryClient client, string entity) =>
        (string)(await client.GetAsync($"/v1/entities/{entity}")).Body!["data"]!["id"]!;

    /// <summary>The real Apptainer library client pushing a small SIF; returns its exit code and error output.</summary>
    public static async Task<ProcessResult> PushWithApptainerClientAsync(RegistryApiFactory factory, string token, string reference)
    {
        var sifs = new SifFiles(Path.Combine(factory.DataPath, "..", Path.GetFileName(factory.DataPath) + "-sif"));
        var sif = await sifs.CreateAsync(4096);
        try { return await GoDriver.RunAsync("-url", factory.BaseAddress.ToString().TrimEnd('/'), "-token", token, "push", sif, reference, "latest"); }
        finally { Directory.Delete(sifs.Directory, recursive: true); }
    }
}

/// <summary><c>UserCollections: false</c>: only admins create collections, on the push path as in the UI; sregistry's library API ignored it.</summary>
public sealed class UserCollectionsOffTests(AdminCollectionsOnlyFactory factory) : IClassFixture<AdminCollectionsOnlyFactory>
{
    [Fact]
    public async Task A_users_first_push_to_a_new_collection_is_refused_with_a_clear_403_and_creates_nothing()
    {
        var (_, token) = await factory.CreateUserAsync("norm");
        var client = new LibraryClient(factory.Client(token));

        var (status, body) = await client.PostAsync("/v1/collections", new { name = "tools", entity = await Collections.EntityIdAsync(client, "norm"), @private = false });

        status.ShouldBe(HttpStatusCode.Forbidden);
        body!.ToJsonString().ShouldBe("""{"error":{"code":403,"message":"only administrators create collections on this registry: ask one to create norm/tools, or push to an existing collection"}}""");
        (await Collections.OfAsync(factory, "norm")).ShouldBeEmpty();

        var push = await Collections.PushWithApptainerClientAsync(factory, token, "norm/tools/app");
        push.ExitCode.ShouldBe(1, push.ToString());
        push.Stderr.ShouldContain("only administrators create collections on this registry: ask one to create norm/tools, or push to an existing collection (403 Forbidden)");
        (await Collections.OfAsync(factory, "norm")).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_admin_creates_the_collection_and_then_the_user_pushes_into_it()
    {
        var (_, token) = await factory.CreateUserAsync("later");
        var (_, adminToken) = await factory.CreateUserAsync("boss", admin: true, scope: TokenScope.Admin);
        var admin = new LibraryClient(factory.Client(adminToken));

        var (status, _) = await admin.PostAsync("/v1/collections", new { name = "shared", entity = await Collections.EntityIdAsync(admin, "later") });
        status.ShouldBe(HttpStatusCode.OK);

        await new LibraryClient(factory.Client(token)).PushAsync("later", "shared", "app", SifBuilder.Bytes(1200), "latest");
        (await Collections.OfAsync(factory, "later")).ShouldBe(["shared"]);
        // An admin's plain write token is an ordinary user: it may not create collections either.
        var (_, admin2) = await factory.CreateUserAsync("boss2", admin: true, scope: TokenScope.Write);
        var writeOnly = new LibraryClient(factory.Client(admin2));
        (await writeOnly.PostAsync("/v1/collections", new { name = "other", entity = await Collections.EntityIdAsync(writeOnly, "later") })).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Collections.OfAsync(factory, "later")).ShouldBe(["shared"]);
    }
}

/// <summary><c>PrivateOnly: true</c>: pushes create private collections (the client always asks for public) and nothing can be made public.</summary>
public sealed class PrivateOnlyTests(PrivateOnlyFactory factory) : IClassFixture<PrivateOnlyFactory>
{
    [Fact]
    public async Task A_push_creates_a_private_collection_and_it_cannot_be_made_public()
    {
        var (user, token) = await factory.CreateUserAsync("hush");
        var client = new LibraryClient(factory.Client(token));

        await client.PushAsync("hush", "lab", "app", SifBuilder.Bytes(1300), "latest");

        var (_, collection) = await client.GetAsync("/v1/collections/hush/lab");
        collection!["data"]!["private"]!.GetValue<bool>().ShouldBeTrue();
        (await new LibraryClient(factory.Client()).GetAsync("/v1/collections/hush/lab")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await factory.Client().GetAsync("/v1/imagefile/hush/lab/app:latest?arch=amd64")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var owner = Actor.ForUser(user.Id, "hush", false);
        var refused = await factory.Services.GetRequiredService<CollectionService>().SetPrivateAsync(owner, (string)collection["data"]!["id"]!, false);
        refused.Outcome.ShouldBe(Outcome.Forbidden);
        refused.Message.ShouldBe("this registry keeps every collection private: hush/lab cannot be made public");
        (await client.GetAsync("/v1/collections/hush/lab")).Body!["data"]!["private"]!.GetValue<bool>().ShouldBeTrue();
    }
}

/// <summary><c>MaxCollectionsPerUser: 1</c> and <c>DefaultPrivate: true</c>, through the push path.</summary>
public sealed class CollectionLimitTests(LimitedCollectionsFactory factory) : IClassFixture<LimitedCollectionsFactory>
{
    [Fact]
    public async Task The_second_collection_is_refused_while_pushes_into_the_first_go_on_and_new_ones_are_private()
    {
        var (_, token) = await factory.CreateUserAsync("thrifty");
        var client = new LibraryClient(factory.Client(token));
        await client.PushAsync("thrifty", "first", "app", SifBuilder.Bytes(1400), "latest");
        (await client.GetAsync("/v1/collections/thrifty/first")).Body!["data"]!["private"]!.GetValue<bool>().ShouldBeTrue();

        var (status, body) = await client.PostAsync("/v1/collections", new { name = "second", entity = await Collections.EntityIdAsync(client, "thrifty"), @private = false });

        status.ShouldBe(HttpStatusCode.Forbidden);
        body!.ToJsonString().ShouldBe("""{"error":{"code":403,"message":"thrifty has reached the collection limit of this registry (1): push to an existing collection or delete one"}}""");
        (await Collections.OfAsync(factory, "thrifty")).ShouldBe(["first"]);
        await client.PushAsync("thrifty", "first", "other", SifBuilder.Bytes(1500), "latest");
        (await client.GetAsync("/v1/containers/thrifty/first/other")).Status.ShouldBe(HttpStatusCode.OK);
    }
}
