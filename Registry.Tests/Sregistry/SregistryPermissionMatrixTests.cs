using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Identity.AccessTokens;
using Registry.Tests.Api;

namespace Registry.Tests.Sregistry;

/// <summary>
/// The permission matrix of <see cref="PermissionMatrixTests"/> for the sregistry-cli API (its own host: sregistry names
/// collections without their entity, so each cell's collection name must be unique). Each role × public/private ×
/// pull, signed listing, label search and delete; a refusal changes nothing.
/// </summary>
public class SregistryPermissionMatrixTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private sealed record Expect(bool ViewPrivate, bool Push, bool Authenticated);

    private static readonly Dictionary<string, Expect> Roles = new()
    {
        ["anonymous"] = new(false, false, false),
        ["user"] = new(false, false, true),
        ["read token"] = new(true, false, true),
        ["write token"] = new(true, true, true),
        ["collection token elsewhere"] = new(false, false, true),
        ["contributor"] = new(true, false, true),
        ["admin"] = new(true, true, true),
        ["token without encrypted secret"] = new(false, false, false), // created before sregistry support: signs nothing
    };

    public static TheoryData<string, bool> Cells()
    {
        var data = new TheoryData<string, bool>();
        foreach (var role in Roles.Keys) { data.Add(role, false); data.Add(role, true); }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Cell(string role, bool isPrivate)
    {
        var expect = Roles[role];
        var n = Guid.NewGuid().ToString("N")[..8];
        var (owner, ownerToken) = await factory.CreateUserAsync($"so{n}");
        var ownerClient = new SregistryClient(factory.BaseAddress, owner.UserName!, ownerToken);
        var collection = $"m{n}";
        (await ownerClient.PushAsync(collection, "app", "latest", SifBuilder.Bytes(1500))).Status.ShouldBe(HttpStatusCode.OK);
        (await ownerClient.PushAsync($"e{n}", "app", "latest", SifBuilder.Bytes(1500))).Status.ShouldBe(HttpStatusCode.OK);
        var admin = new Actor("matrix-root", "root", true, TokenScope.Admin);
        var collectionId = await IdOfAsync(collection);
        var (contributor, contributorToken) = await factory.CreateUserAsync($"sc{n}");
        await factory.Services.GetRequiredService<Registry.Core.Invitations.MemberInviteService>().JoinCollectionAsync(admin, collectionId, Actor.ForUser(contributor.Id, contributor.UserName!, false));
        if (isPrivate) (await factory.Services.GetRequiredService<CollectionService>().SetPrivateAsync(admin, collectionId, true)).Succeeded.ShouldBeTrue();

        var client = role switch
        {
            "anonymous" => new SregistryClient(factory.BaseAddress, "nobody", "reg_none"),
            "user" => await ClientAsync($"su{n}"),
            "read token" => new SregistryClient(factory.BaseAddress, owner.UserName!, await factory.CreateTokenAsync(owner, TokenScope.Read)),
            "write token" => ownerClient,
            "collection token elsewhere" => new SregistryClient(factory.BaseAddress, owner.UserName!,
                await factory.CreateTokenAsync(owner, TokenScope.Write, await IdOfAsync($"e{n}"))),
            "contributor" => new SregistryClient(factory.BaseAddress, contributor.UserName!, contributorToken),
            "admin" => await ClientAsync($"sa{n}", admin: true),
            _ => await WithoutSecretAsync(owner.UserName!, await factory.CreateTokenAsync(owner, TokenScope.Write)),
        };
        var canView = !isPrivate || expect.ViewPrivate;

        var (pulled, _, _) = await client.PullAsync(collection, "app", "latest");
        pulled.ShouldBe(canView ? HttpStatusCode.OK : expect.Authenticated ? HttpStatusCode.NotFound : HttpStatusCode.Unauthorized, "pull");

        // Listings unsigned for anonymous callers (a bad signature is refused, not downgraded), signed otherwise.
        var signed = expect.Authenticated ? ("", "", "") : ((string, string, string)?)null;
        var (listed, all) = await client.GetAsync("/api/collections/", signed);
        listed.ShouldBe(HttpStatusCode.OK, "list");
        all!["results"]!.AsArray().Any(c => (string)c!["name"]! == collection).ShouldBe(canView, "list");
        var (searched, found) = await client.GetAsync($"/api/container/search/collection/{collection}/name/app",
            expect.Authenticated ? (collection, "app", "") : null);
        searched.ShouldBe(HttpStatusCode.OK, "search");
        found!.AsArray().Count.ShouldBe(canView ? 1 : 0, "search");

        var (deleted, body) = await client.DeleteAsync(collection, "app", "latest");
        deleted.ShouldBe(!expect.Authenticated ? HttpStatusCode.Unauthorized : !canView ? HttpStatusCode.NotFound
            : expect.Push ? HttpStatusCode.NoContent : HttpStatusCode.Forbidden, $"delete: {body?.ToJsonString()}");
        (await ownerClient.PullAsync(collection, "app", "latest")).Status.ShouldBe(expect.Push && canView ? HttpStatusCode.NotFound : HttpStatusCode.OK);
    }

    private async Task<SregistryClient> ClientAsync(string name, bool admin = false)
    {
        var (_, token) = await factory.CreateUserAsync(name, admin, admin ? TokenScope.Admin : TokenScope.Write);
        return new SregistryClient(factory.BaseAddress, name, token);
    }

    private async Task<SregistryClient> WithoutSecretAsync(string user, string token)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        var hash = Registry.Core.Ids.Sha256Hex(token);
        await db.AccessTokens.Where(t => t.SecretHash == hash).ExecuteUpdateAsync(u => u.SetProperty(t => t.ProtectedSecret, (string?)null));
        return new SregistryClient(factory.BaseAddress, user, token);
    }

    private async Task<string> IdOfAsync(string collection)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        return await db.Collections.Where(c => c.Name == collection).Select(c => c.Id).SingleAsync();
    }
}
