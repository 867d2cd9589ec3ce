using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Identity.AccessTokens;
using Registry.Tests.Api;

namespace Registry.Tests.Sregistry;

/// <summary>SREGISTRY-HMAC-SHA256: forged, stale, skewed and misdirected signatures, token scopes, and how secrets are kept.</summary>
public sealed class SregistryAuthTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private const string Invalid = "invalid signature: the user, token or signed fields do not match a live token (tokens created before sregistry-cli support need replacing: create a new one at /auth/tokens)";

    private async Task<(SregistryClient Client, Registry.Core.Identity.RegistryUser User)> UserAsync(string name)
    {
        var (user, token) = await factory.CreateUserAsync(name);
        var client = new SregistryClient(factory.BaseAddress, name, token);
        (await client.PushAsync($"{name}lab", "tool", "v1", SifBuilder.Bytes(2000))).Status.ShouldBe(HttpStatusCode.OK);
        return (client, user);
    }

    [Fact]
    public async Task Forged_stale_and_misdirected_signatures_are_401_with_a_detail_and_audited()
    {
        var (ann, _) = await UserAsync("sgann");
        var forged = new SregistryClient(factory.BaseAddress, "sgann", AccessTokenService.Prefix + "guessed");
        var (status, body) = await forged.DeleteAsync("sgannlab", "tool", "v1");
        status.ShouldBe(HttpStatusCode.Unauthorized);
        body!.ToJsonString().ShouldBe($$"""{"detail":"{{Invalid}}"}""");

        var now = DateTime.UtcNow;
        ann.Now = now.AddHours(-2);
        (status, body) = await ann.StartPushAsync("sgannlab", "tool", "v2");
        status.ShouldBe(HttpStatusCode.Unauthorized);
        body!["detail"]!.GetValue<string>().ShouldStartWith($"the signature's timestamp {now.AddHours(-2):yyyyMMdd'T'HH'Z'} is outside the accepted hours");
        ann.Now = now.AddHours(2);
        (await ann.StartPushAsync("sgannlab", "tool", "v2")).Status.ShouldBe(HttpStatusCode.Unauthorized);
        foreach (var skew in new[] { -1, 1 }) // the previous hour (a request made as the hour turned) and one of clock skew ahead
        {
            ann.Now = now.AddHours(skew);
            (await ann.StartPushAsync("sgannlab", "tool", "v2")).Status.ShouldBe(HttpStatusCode.OK, $"skew {skew}");
        }
        ann.Now = null;

        // A signature is for one request: another kind, or other signed fields, do not verify.
        using var replayed = new HttpRequestMessage(HttpMethod.Delete, "/api/container/sgannlab/tool:v1");
        replayed.Headers.TryAddWithoutValidation("Authorization", ann.Authorize("pull", "sgannlab", "tool", "v1"));
        (status, body) = await ann.SendAsync(replayed);
        status.ShouldBe(HttpStatusCode.Unauthorized);
        body!["detail"]!.GetValue<string>().ShouldBe("this request needs a 'delete' signature, not 'pull'");
        using var otherTag = new HttpRequestMessage(HttpMethod.Delete, "/api/container/sgannlab/tool:v1");
        otherTag.Headers.TryAddWithoutValidation("Authorization", ann.Authorize("delete", "sgannlab", "tool", "v9"));
        (await ann.SendAsync(otherTag)).Body!.ToJsonString().ShouldBe($$"""{"detail":"{{Invalid}}"}""");

        foreach (var header in new[] { "SREGISTRY-HMAC-SHA256 ", "SREGISTRY-HMAC-SHA256 Credential=push/!!/x,Signature=zz",
                     $"SREGISTRY-HMAC-SHA256 Credential=push/{B64("nobody-here")}/{now:yyyyMMdd'T'HH'Z'},Signature={new string('a', 64)}" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/collections/");
            request.Headers.TryAddWithoutValidation("Authorization", header);
            (await ann.SendAsync(request)).Status.ShouldBe(HttpStatusCode.Unauthorized, header);
        }
        (await ann.PullAsync("sgannlab", "tool", "v1")).Status.ShouldBe(HttpStatusCode.OK); // nothing was deleted

        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        var refused = await db.AuditEvents.Where(e => e.Action == "sregistry.refused").Select(e => e.Detail).ToListAsync();
        refused.ShouldContain($"signed as 'sgann': {Invalid}");
        refused.ShouldContain(d => d.StartsWith("signed as 'nobody-here'"));
    }

    [Fact]
    public async Task Read_tokens_pull_only_collection_tokens_reach_their_collection_and_revoked_or_expired_tokens_nothing()
    {
        var (_, user) = await UserAsync("sgbo");
        var reader = new SregistryClient(factory.BaseAddress, "sgbo", await factory.CreateTokenAsync(user, TokenScope.Read));
        (await reader.PullAsync("sgbolab", "tool", "v1")).Status.ShouldBe(HttpStatusCode.OK);
        var (status, body) = await reader.StartPushAsync("sgbolab", "tool", "v2");
        status.ShouldBe(HttpStatusCode.Forbidden);
        body!["detail"]!.GetValue<string>().ShouldStartWith("this token is read-only (scope read)");
        (await reader.DeleteAsync("sgbolab", "tool", "v1")).Status.ShouldBe(HttpStatusCode.Forbidden);

        var tokens = factory.Services.GetRequiredService<AccessTokenService>();
        var owner = Actor.ForUser(user.Id, "sgbo", false);
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync())
        {
            var lab = await db.Collections.SingleAsync(c => c.Name == "sgbolab");
            var robot = new SregistryClient(factory.BaseAddress, "sgbo", await factory.CreateTokenAsync(user, TokenScope.Write, lab.Id));
            (await robot.PushAsync("sgbolab", "tool", "v2", SifBuilder.Bytes(2100))).Status.ShouldBe(HttpStatusCode.OK);
            (status, body) = await robot.StartPushAsync("sgboother", "tool", "v1");
            status.ShouldBe(HttpStatusCode.Forbidden);
            body!["detail"]!.GetValue<string>().ShouldStartWith("this token is restricted to one collection");
        }

        var revoked = await tokens.CreateAsync(owner, user.Id, "gone", TokenScope.Write);
        var revokedClient = new SregistryClient(factory.BaseAddress, "sgbo", revoked.Value!.Secret);
        (await revokedClient.StartPushAsync("sgbolab", "tool", "v3")).Status.ShouldBe(HttpStatusCode.OK);
        (await tokens.RevokeAsync(owner, revoked.Value.Token.Id)).Succeeded.ShouldBeTrue();
        (await revokedClient.StartPushAsync("sgbolab", "tool", "v3")).Status.ShouldBe(HttpStatusCode.Unauthorized);

        var expiring = await tokens.CreateAsync(owner, user.Id, "short", TokenScope.Write, null, DateTime.UtcNow.AddDays(1));
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync())
            await db.AccessTokens.Where(t => t.Id == expiring.Value!.Token.Id).ExecuteUpdateAsync(u => u.SetProperty(t => t.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        (await new SregistryClient(factory.BaseAddress, "sgbo", expiring.Value!.Secret).StartPushAsync("sgbolab", "tool", "v3")).Status.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Secrets_are_stored_encrypted_and_tokens_without_one_keep_working_as_bearer_tokens()
    {
        var (user, token) = await factory.CreateUserAsync("sgcy");
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        var stored = await db.AccessTokens.AsNoTracking().SingleAsync(t => t.UserId == user.Id);
        stored.ProtectedSecret.ShouldNotBeNull().ShouldNotContain(token);
        stored.ProtectedSecret.ShouldNotContain(token[AccessTokenService.Prefix.Length..]);
        Directory.GetFiles(Path.Combine(factory.DataPath, "keys", "data-protection"), "key-*.xml").ShouldNotBeEmpty();
        var raw = await File.ReadAllBytesAsync(Path.Combine(factory.DataPath, "registry.db"));
        Encoding.ASCII.GetString(raw).ShouldNotContain(token);

        // A token from before sregistry support: no encrypted secret, so no signature verifies; apptainer's bearer still works.
        await db.AccessTokens.Where(t => t.Id == stored.Id).ExecuteUpdateAsync(u => u.SetProperty(t => t.ProtectedSecret, (string?)null));
        var (status, body) = await new SregistryClient(factory.BaseAddress, "sgcy", token).StartPushAsync("sgcylab", "tool", "v1");
        status.ShouldBe(HttpStatusCode.Unauthorized);
        body!.ToJsonString().ShouldBe($$"""{"detail":"{{Invalid}}"}""");
        (await factory.Client(token).GetAsync("/v1/token-status")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
}
