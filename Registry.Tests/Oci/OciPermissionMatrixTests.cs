using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Identity.AccessTokens;
using Registry.Tests.Api;

namespace Registry.Tests.Oci;

/// <summary>
/// The permission matrix of <see cref="PermissionMatrixTests"/> on <c>/v2/</c>: each role × public/private × pull, push
/// (a new blob and manifest, and a tag set by manifest) and delete by digest, allowed exactly where the Library API allows
/// it. A refusal changes nothing, and says only what the caller may know: 401 anonymously or outside the token's scopes,
/// 404 for what the caller cannot see, 403 DENIED for a visible repository the caller may not write.
/// </summary>
public class OciPermissionMatrixTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private sealed record Expect(bool ViewPrivate, bool Push, bool Authenticated, bool PushScope);

    // Same rights as the Library API's matrix; PushScope: the API token may be granted push (read-scoped tokens may not).
    private static readonly Dictionary<string, Expect> Roles = new()
    {
        ["anonymous"] = new(false, false, false, false),
        ["user"] = new(false, false, true, true),
        ["read token"] = new(true, false, true, false),
        ["write token"] = new(true, true, true, true),
        ["collection token elsewhere"] = new(false, false, true, true),
        ["contributor"] = new(true, false, true, true),
        ["owner"] = new(true, true, true, true),
        ["admin"] = new(true, true, true, true),
        // The CLI secret (get-login-password) is its user's write rights; an admin's acts as a plain user, as an admin's write token does.
        ["owner's cli secret"] = new(true, true, true, true),
        ["contributor's cli secret"] = new(true, false, true, true),
        ["admin's cli secret"] = new(false, false, true, true),
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
        var (owner, ownerToken) = await factory.CreateUserAsync($"vo{n}");
        var sif = SifBuilder.Bytes(1500);
        var library = new LibraryClient(factory.Client(ownerToken));
        var imageId = await library.PushAsync(owner.UserName!, "lab", "app", sif, "latest");
        await library.PushAsync(owner.UserName!, "else", "app", SifBuilder.Bytes(1500), "latest");
        var admin = new Actor("matrix-root", "root", true, TokenScope.Admin);
        var collectionId = await IdOfAsync(owner.UserName!, "lab");
        var (contributor, contributorToken) = await factory.CreateUserAsync($"vc{n}");
        await factory.Services.GetRequiredService<Registry.Core.Invitations.MemberInviteService>().JoinCollectionAsync(admin, collectionId, Actor.ForUser(contributor.Id, contributor.UserName!, false));
        if (isPrivate) (await factory.Services.GetRequiredService<CollectionService>().SetPrivateAsync(admin, collectionId, true)).Succeeded.ShouldBeTrue();

        var (user, token) = role switch
        {
            "anonymous" => ((string?)null, (string?)null),
            "user" => ($"vu{n}", (await factory.CreateUserAsync($"vu{n}")).Token),
            "read token" => (owner.UserName, await factory.CreateTokenAsync(owner, TokenScope.Read)),
            "write token" => (owner.UserName, ownerToken),
            "collection token elsewhere" => (owner.UserName, await factory.CreateTokenAsync(owner, TokenScope.Write, await IdOfAsync(owner.UserName!, "else"))),
            "contributor" => (contributor.UserName, contributorToken),
            "owner" => (owner.UserName, await factory.CreateTokenAsync(owner, TokenScope.Admin)),
            "owner's cli secret" => (owner.UserName, await CliSecretAsync(ownerToken)),
            "contributor's cli secret" => (contributor.UserName, await CliSecretAsync(contributorToken)),
            "admin's cli secret" => ($"vs{n}", await CliSecretAsync((await factory.CreateUserAsync($"vs{n}", admin: true, scope: TokenScope.Admin)).Token)),
            _ => ($"va{n}", (await factory.CreateUserAsync($"va{n}", admin: true, scope: TokenScope.Admin)).Token),
        };
        var repo = $"{owner.UserName}/lab/app";
        var client = new OciClient(factory.BaseAddress, user, token);
        if (user is not null) (await client.LoginAsync($"repository:{repo}:pull,push,delete")).StatusCode.ShouldBe(HttpStatusCode.OK, "login");
        var canView = !isPrivate || expect.ViewPrivate;
        var allowed = expect.Push && canView;
        var refused = !expect.Authenticated || !expect.PushScope ? HttpStatusCode.Unauthorized : !canView ? HttpStatusCode.NotFound : HttpStatusCode.Forbidden;

        using (var pull = await client.SendAsync(HttpMethod.Get, $"/v2/{repo}/manifests/latest"))
            pull.StatusCode.ShouldBe(canView ? HttpStatusCode.OK : expect.Authenticated ? HttpStatusCode.NotFound : HttpStatusCode.Unauthorized, "pull");
        using (var blob = await client.SendAsync(HttpMethod.Get, $"/v2/{repo}/blobs/{OciClient.Digest(sif)}"))
            blob.StatusCode.ShouldBe(canView ? HttpStatusCode.OK : expect.Authenticated ? HttpStatusCode.NotFound : HttpStatusCode.Unauthorized, "pull blob");
        var owners = new OciClient(factory.BaseAddress, owner.UserName, ownerToken);
        (await owners.LoginAsync($"repository:{repo}:pull")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var served = await owners.SendAsync(HttpMethod.Get, $"/v2/{repo}/manifests/latest");
        var digest = served.Headers.GetValues("Docker-Content-Digest").Single();

        using (var start = await client.SendAsync(HttpMethod.Post, $"/v2/{repo}/blobs/uploads/"))
            start.StatusCode.ShouldBe(allowed ? HttpStatusCode.Accepted : refused, $"push: {await start.Content.ReadAsStringAsync()}");
        if (allowed) (await client.PushSifAsync(repo, "pushed", SifBuilder.Bytes(2000))).Response.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await CountAsync(db => db.Images.CountAsync(i => i.Container!.CollectionId == collectionId))).ShouldBe(allowed ? 2 : 1, "push changed nothing when refused");

        // A tag set by manifest (the manifest of the image already there), as a retag through the Library API.
        using (var retag = await client.PutManifestAsync(repo, "moved", await served.Content.ReadAsByteArrayAsync()))
            retag.StatusCode.ShouldBe(allowed ? HttpStatusCode.Created : refused, $"retag: {await retag.Content.ReadAsStringAsync()}");
        (await CountAsync(db => db.Tags.CountAsync(t => t.ImageId == imageId && t.Name == "moved"))).ShouldBe(allowed ? 1 : 0, "retag");

        using (var delete = await client.SendAsync(HttpMethod.Delete, $"/v2/{repo}/manifests/{digest}"))
            delete.StatusCode.ShouldBe(allowed ? HttpStatusCode.Accepted : refused, $"delete: {await delete.Content.ReadAsStringAsync()}");
        (await CountAsync(db => db.Images.CountAsync(i => i.Id == imageId))).ShouldBe(allowed ? 0 : 1, "delete");
    }

    private async Task<string> CliSecretAsync(string token) => (await CliRequests.GetLoginPasswordAsync(factory.BaseAddress, token)).Secret!;

    private async Task<int> CountAsync(Func<RegistryDbContext, Task<int>> query)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        return await query(db);
    }

    private async Task<string> IdOfAsync(string entity, string collection)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        return await db.Collections.Where(c => c.Entity!.Name == entity && c.Name == collection).Select(c => c.Id).SingleAsync();
    }
}
