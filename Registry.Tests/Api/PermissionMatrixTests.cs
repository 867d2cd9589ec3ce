using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Identity.AccessTokens;
using Registry.Core.Tags;
using Registry.Core.Teams;

namespace Registry.Tests.Api;

/// <summary>
/// The full permission matrix: each role × public/private × every operation, through the API where the API offers it
/// and through Core otherwise. Every cell asserts the exact status, and that a refusal changed nothing.
/// </summary>
public class PermissionMatrixTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    // role, on team collection?, view public, view private, push, manage, authenticated
    public static TheoryData<string, bool> Cells()
    {
        var data = new TheoryData<string, bool>();
        foreach (var role in Roles.Keys) { data.Add(role, false); data.Add(role, true); }
        return data;
    }

    private sealed record Expect(bool Team, bool ViewPrivate, bool Push, bool Manage, bool Authenticated);

    private static readonly Dictionary<string, Expect> Roles = new()
    {
        ["anonymous"] = new(false, false, false, false, false),
        ["user"] = new(false, false, false, false, true),
        ["read token"] = new(false, true, false, false, true),
        ["write token"] = new(false, true, true, true, true),
        ["collection token elsewhere"] = new(false, false, false, false, true),
        ["contributor"] = new(false, true, false, false, true),
        ["owner"] = new(false, true, true, true, true),
        ["team member"] = new(true, true, true, false, true),
        ["team owner"] = new(true, true, true, true, true),
        ["admin"] = new(false, true, true, true, true),
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Cell(string role, bool isPrivate)
    {
        var expect = Roles[role];
        var world = await World.CreateAsync(factory, isPrivate);
        var (entity, collectionId, containerId, imageId) = expect.Team ? world.TeamCollection : world.UserCollection;
        var token = world.TokenFor(role);
        var client = new LibraryClient(factory.Client(token));
        var actor = token is null ? Actor.Anonymous : (await factory.Services.GetRequiredService<AccessTokenService>().AuthenticateAsync(token, ""))!.Value.Actor;
        var canView = !isPrivate || expect.ViewPrivate;
        // Writes without a token are 401 whatever the target; with one, an invisible target is 404 and a visible one 403.
        var refusedWrite = !expect.Authenticated ? HttpStatusCode.Unauthorized : !canView ? HttpStatusCode.NotFound : HttpStatusCode.Forbidden;
        var path = $"{entity}/lab/app";

        (await client.GetAsync($"/v1/collections/{entity}/lab")).Status.ShouldBe(canView ? HttpStatusCode.OK : HttpStatusCode.NotFound, "view");
        (await client.GetAsync($"/v1/containers/{path}")).Status.ShouldBe(canView ? HttpStatusCode.OK : HttpStatusCode.NotFound, "view container");
        // The entity lists the collection, and counts its bytes, only for those who may see it.
        var (_, owned) = await client.GetAsync($"/v1/entities/{entity}");
        (owned!["data"]!["collections"]!.ToJsonString(), owned["data"]!["size"]!.GetValue<long>())
            .ShouldBe(canView ? ($"[\"{collectionId}\"]", 1500L) : ("[]", 0L), "entity");
        (await client.Http.GetAsync($"/v1/imagefile/{path}:latest?arch=amd64")).StatusCode.ShouldBe(canView ? HttpStatusCode.SeeOther : HttpStatusCode.NotFound, "pull");

        var push = await client.PostAsync("/v1/images", new { hash = "sha256." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), container = containerId });
        push.Status.ShouldBe(expect.Push && canView ? HttpStatusCode.OK : refusedWrite, "push");
        (await world.ImageCountAsync(containerId)).ShouldBe(expect.Push && canView ? 2 : 1, "push changed nothing when refused");

        var retag = await client.PostAsync($"/v2/tags/{containerId}", new { Arch = "amd64", Tag = "moved", ImageID = imageId });
        retag.Status.ShouldBe(expect.Push && canView ? HttpStatusCode.OK : refusedWrite, "retag");
        (await world.HasTagAsync(containerId, "moved")).ShouldBe(expect.Push && canView);

        var tags = factory.Services.GetRequiredService<TagService>();
        var freeze = await tags.FreezeAsync(actor, containerId, "amd64", "latest", true);
        freeze.Outcome.ShouldBe(!canView ? Outcome.NotFound : expect.Manage ? Outcome.Ok : Outcome.Forbidden, "freeze");
        if (freeze.Succeeded) await tags.FreezeAsync(actor, containerId, "amd64", "latest", false);

        var settings = await factory.Services.GetRequiredService<CollectionService>().SetPrivateAsync(actor, collectionId, !isPrivate);
        settings.Outcome.ShouldBe(!canView ? Outcome.NotFound : expect.Manage ? Outcome.Ok : Outcome.Forbidden, "settings");
        (await world.IsPrivateAsync(collectionId)).ShouldBe(expect.Manage && canView ? !isPrivate : isPrivate);
        if (settings.Succeeded) await factory.Services.GetRequiredService<CollectionService>().SetPrivateAsync(world.Admin, collectionId, isPrivate);

        var members = await factory.Services.GetRequiredService<CollectionMembersService>().RemoveAsync(actor, collectionId, world.ContributorId);
        members.Outcome.ShouldBe(expect.Manage && canView ? Outcome.Ok : Outcome.Forbidden, "manage members");
        (await world.IsMemberAsync(collectionId, world.ContributorId)).ShouldBe(!(expect.Manage && canView));

        var delete = await client.SendAsync(HttpMethod.Delete, $"/v1/images/{path}:latest?arch=amd64");
        delete.Status.ShouldBe(expect.Push && canView ? HttpStatusCode.OK : refusedWrite, "delete");
        (await world.ImageExistsAsync(imageId)).ShouldBe(!(expect.Push && canView));
    }

    /// <summary>Fresh users, a user collection and a team collection, each with one tagged image, for one cell.</summary>
    private sealed class World
    {
        private readonly RegistryApiFactory _factory;
        private readonly Dictionary<string, string?> _tokens = new();
        public required (string Entity, string CollectionId, string ContainerId, string ImageId) UserCollection { get; init; }
        public required (string Entity, string CollectionId, string ContainerId, string ImageId) TeamCollection { get; init; }
        public required string ContributorId { get; init; }
        public Actor Admin { get; } = new("matrix-root", "root", true, TokenScope.Admin);

        private World(RegistryApiFactory factory) => _factory = factory;

        public string? TokenFor(string role) => _tokens[role];

        public static async Task<World> CreateAsync(RegistryApiFactory factory, bool isPrivate)
        {
            var n = Guid.NewGuid().ToString("N")[..8];
            var (owner, ownerToken) = await factory.CreateUserAsync($"o{n}");
            var (contributor, contributorToken) = await factory.CreateUserAsync($"c{n}");
            var (_, strangerToken) = await factory.CreateUserAsync($"s{n}");
            var (_, adminToken) = await factory.CreateUserAsync($"a{n}", admin: true, scope: TokenScope.Admin);
            var (teamOwner, teamOwnerToken) = await factory.CreateUserAsync($"to{n}");
            var (teamMember, teamMemberToken) = await factory.CreateUserAsync($"tm{n}");

            var teams = factory.Services.GetRequiredService<TeamService>();
            var teamOwnerActor = Actor.ForUser(teamOwner.Id, teamOwner.UserName!, false);
            (await teams.CreateAsync(teamOwnerActor, $"t{n}", "", false)).Succeeded.ShouldBeTrue();
            var invites = factory.Services.GetRequiredService<Registry.Core.Invitations.MemberInviteService>();
            await invites.JoinTeamAsync(teamOwnerActor, $"t{n}", Actor.ForUser(teamMember.Id, teamMember.UserName!, false));
            var contributorActor = Actor.ForUser(contributor.Id, contributor.UserName!, false);

            var user = await SetUpAsync(factory, $"o{n}", ownerToken, isPrivate, contributorActor);
            var team = await SetUpAsync(factory, $"t{n}", teamOwnerToken, isPrivate, contributorActor);
            var world = new World(factory) { UserCollection = user, TeamCollection = team, ContributorId = contributor.Id };
            world._tokens["anonymous"] = null;
            world._tokens["user"] = strangerToken;
            world._tokens["read token"] = await factory.CreateTokenAsync(owner, TokenScope.Read);
            world._tokens["write token"] = ownerToken;
            world._tokens["collection token elsewhere"] = await factory.CreateTokenAsync(owner, TokenScope.Write, team.CollectionId);
            world._tokens["contributor"] = contributorToken;
            world._tokens["owner"] = await factory.CreateTokenAsync(owner, TokenScope.Admin);
            world._tokens["team member"] = teamMemberToken;
            world._tokens["team owner"] = teamOwnerToken;
            world._tokens["admin"] = adminToken;
            return world;
        }

        private static async Task<(string Entity, string CollectionId, string ContainerId, string ImageId)> SetUpAsync(RegistryApiFactory factory, string entity, string token, bool isPrivate, Actor contributor)
        {
            var client = new LibraryClient(factory.Client(token));
            var imageId = await client.PushAsync(entity, "lab", "app", SifBuilder.Bytes(1500), "latest");
            var (_, x) = await client.GetAsync($"/v1/containers/{entity}/lab/app");
            var collectionId = (string)x!["data"]!["collection"]!;
            var admin = new Actor("matrix-root", "root", true, TokenScope.Admin);
            await factory.Services.GetRequiredService<Registry.Core.Invitations.MemberInviteService>().JoinCollectionAsync(admin, collectionId, contributor);
            if (isPrivate) (await factory.Services.GetRequiredService<CollectionService>().SetPrivateAsync(admin, collectionId, true)).Succeeded.ShouldBeTrue();
            return (entity, collectionId, (string)x["data"]!["id"]!, imageId);
        }

        private Registry.Core.Data.RegistryDbContext Db() =>
            _factory.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Registry.Core.Data.RegistryDbContext>>().CreateDbContext();

        public async Task<int> ImageCountAsync(string containerId) { await using var db = Db(); return db.Images.Count(i => i.ContainerId == containerId); }
        public async Task<bool> HasTagAsync(string containerId, string tag) { await using var db = Db(); return db.Tags.Any(t => t.ContainerId == containerId && t.Name == tag); }
        public async Task<bool> IsPrivateAsync(string collectionId) { await using var db = Db(); return db.Collections.Single(c => c.Id == collectionId).IsPrivate; }
        public async Task<bool> IsMemberAsync(string collectionId, string userId) { await using var db = Db(); return db.CollectionMembers.Any(m => m.CollectionId == collectionId && m.UserId == userId); }
        public async Task<bool> ImageExistsAsync(string imageId) { await using var db = Db(); return db.Images.Any(i => i.Id == imageId); }
    }
}
