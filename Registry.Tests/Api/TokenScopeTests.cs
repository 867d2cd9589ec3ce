using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Identity.AccessTokens;

namespace Registry.Tests.Api;

/// <summary>Tokens narrow what their user may do, say so when they refuse, and report themselves to the CLI.</summary>
public class TokenScopeTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task A_push_with_a_read_token_gets_a_403_that_names_the_token_and_stores_nothing()
    {
        var (owner, token) = await factory.CreateUserAsync("reader");
        var writer = new LibraryClient(factory.Client(token));
        await writer.PushAsync("reader", "tools", "app", SifBuilder.Bytes(1600), "latest");
        var containerId = (string)(await writer.GetAsync("/v1/containers/reader/tools/app")).Body!["data"]!["id"]!;
        var readToken = await factory.CreateTokenAsync(owner, TokenScope.Read);
        var reader = new LibraryClient(factory.Client(readToken));
        const string Expected = """{"error":{"code":403,"message":"this token is read-only (scope read) and cannot write to reader/tools: create a token with write scope at /auth/tokens"}}""";

        var image = await reader.PostAsync("/v1/images", new { hash = "sha256." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), container = containerId });
        var container = await reader.PostAsync("/v1/containers", new { name = "planted", collection = (string)(await reader.GetAsync("/v1/collections/reader/tools")).Body!["data"]!["id"]! });
        var delete = await reader.SendAsync(HttpMethod.Delete, "/v1/images/reader/tools/app:latest?arch=amd64");
        var collection = await reader.PostAsync("/v1/collections", new { name = "more", entity = await Collections.EntityIdAsync(reader, "reader") });

        foreach (var (status, body) in new[] { image, container, delete })
        {
            status.ShouldBe(HttpStatusCode.Forbidden);
            body!.ToJsonString().ShouldBe(Expected);
        }
        collection.Status.ShouldBe(HttpStatusCode.Forbidden);
        collection.Body!["error"]!["message"]!.GetValue<string>()
            .ShouldBe("this token is read-only (scope read) and cannot write to entity reader: create a token with write scope at /auth/tokens");
        await using var db = Db();
        (await db.Images.CountAsync(i => i.ContainerId == containerId)).ShouldBe(1);
        (await db.Containers.CountAsync(x => x.Name == "planted")).ShouldBe(0);
        (await Collections.OfAsync(factory, "reader")).ShouldBe(["tools"]);
        (await reader.GetAsync("/v1/images/reader/tools/app:latest?arch=amd64")).Status.ShouldBe(HttpStatusCode.OK); // reading is what it is for
    }

    [Fact]
    public async Task A_collection_token_pushes_only_to_its_collection_and_says_so_elsewhere()
    {
        var (owner, token) = await factory.CreateUserAsync("robotowner");
        var client = new LibraryClient(factory.Client(token));
        await client.PushAsync("robotowner", "ci", "app", SifBuilder.Bytes(1700), "latest");
        await client.PushAsync("robotowner", "other", "app", SifBuilder.Bytes(1800), "latest");
        var ciId = (string)(await client.GetAsync("/v1/collections/robotowner/ci")).Body!["data"]!["id"]!;
        var robot = new LibraryClient(factory.Client(await factory.CreateTokenAsync(owner, TokenScope.Write, ciId)));

        await robot.PushAsync("robotowner", "ci", "app", SifBuilder.Bytes(1900), "v2");
        var otherContainer = (string)(await robot.GetAsync("/v1/containers/robotowner/other/app")).Body!["data"]!["id"]!;
        var (status, body) = await robot.PostAsync("/v1/images", new { hash = "sha256." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), container = otherContainer });

        status.ShouldBe(HttpStatusCode.Forbidden);
        body!.ToJsonString().ShouldBe("""{"error":{"code":403,"message":"this token is restricted to one collection and cannot write to robotowner/other: use a token without a collection restriction"}}""");
        await using var db = Db();
        (await db.Images.CountAsync(i => i.ContainerId == otherContainer)).ShouldBe(1);
    }

    [Fact]
    public async Task Token_status_and_current_user_reflect_scope_collection_expiry_and_admin_power()
    {
        var (user, token) = await factory.CreateUserAsync("statususer");
        var client = new LibraryClient(factory.Client(token));
        await client.PushAsync("statususer", "ci", "app", SifBuilder.Bytes(2100), "latest");
        var ciId = (string)(await client.GetAsync("/v1/collections/statususer/ci")).Body!["data"]!["id"]!;
        var expires = DateTime.UtcNow.AddDays(30);
        var robotToken = (await factory.Services.GetRequiredService<AccessTokenService>()
            .CreateAsync(Actor.ForUser(user.Id, "statususer", false), user.Id, "ci", TokenScope.Read, ciId, expires)).Value!.Secret;

        var (_, plain) = await client.GetAsync("/v1/token-status");
        plain!["data"]!.ToJsonString().ShouldBe("""{"status":"valid","username":"statususer","scope":"write","admin":false,"collection":null,"expires":null}""");
        var (_, robot) = await new LibraryClient(factory.Client(robotToken)).GetAsync("/v1/token-status");
        robot!["data"]!["scope"]!.GetValue<string>().ShouldBe("read");
        robot["data"]!["collection"]!.GetValue<string>().ShouldBe("statususer/ci");
        robot["data"]!["expires"]!.GetValue<DateTime>().ToUniversalTime().ShouldBe(expires, TimeSpan.FromSeconds(1));
        robot["data"]!["expires"]!.GetValue<string>().ShouldEndWith("Z");

        // An admin's power travels only with an admin-scope token.
        var (admin, adminToken) = await factory.CreateUserAsync("statusadmin", admin: true, scope: TokenScope.Admin);
        var adminWrite = await factory.CreateTokenAsync(admin, TokenScope.Write);
        var (_, full) = await new LibraryClient(factory.Client(adminToken)).GetAsync("/v1/rbac/users/current");
        (full!["role"]!.GetValue<string>(), full["scope"]!.GetValue<string>()).ShouldBe(("admin", "admin"));
        var (_, narrowed) = await new LibraryClient(factory.Client(adminWrite)).GetAsync("/v1/rbac/users/current");
        (narrowed!["role"]!.GetValue<string>(), narrowed["scope"]!.GetValue<string>()).ShouldBe(("user", "write"));
        (await new LibraryClient(factory.Client(adminWrite)).GetAsync("/v1/token-status")).Body!["data"]!["admin"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task Expired_and_revoked_tokens_are_refused_with_a_message_and_last_use_is_recorded()
    {
        var (user, token) = await factory.CreateUserAsync("lapsed");
        var tokens = factory.Services.GetRequiredService<AccessTokenService>();
        var revoked = await tokens.CreateAsync(Actor.ForUser(user.Id, "lapsed", false), user.Id, "old", TokenScope.Write);
        (await tokens.RevokeAsync(Actor.ForUser(user.Id, "lapsed", false), revoked.Value!.Token.Id)).Succeeded.ShouldBeTrue();
        var expiring = await tokens.CreateAsync(Actor.ForUser(user.Id, "lapsed", false), user.Id, "short", TokenScope.Write, expiresAt: DateTime.UtcNow.AddDays(1));
        await using (var db = Db())
            await db.AccessTokens.Where(t => t.Id == expiring.Value!.Token.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));

        foreach (var secret in new[] { revoked.Value.Secret, expiring.Value!.Secret })
        {
            var client = new LibraryClient(factory.Client(secret));
            var (status, body) = await client.GetAsync("/v1/collections/lapsed/any");
            status.ShouldBe(HttpStatusCode.Unauthorized);
            body!.ToJsonString().ShouldBe("""{"error":{"code":401,"message":"the token is invalid, expired or revoked: create a new one at /auth/tokens"}}""");
            (await client.GetAsync("/v1/token-status")).Status.ShouldBe(HttpStatusCode.NotFound); // the CLI's "Invalid Credentials"
        }

        (await new LibraryClient(factory.Client(token)).GetAsync("/v1/token-status")).Status.ShouldBe(HttpStatusCode.OK);
        await using var after = Db();
        var used = await after.AccessTokens.Where(t => t.UserId == user.Id).ToDictionaryAsync(t => t.Label, t => t.LastUsedAt);
        used["test"].ShouldNotBeNull();
        used["short"].ShouldBeNull(); // an expired token's attempt is not a use
    }

    private RegistryDbContext Db() => factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContext();
}
