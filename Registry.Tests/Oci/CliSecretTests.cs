using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Identity;
using Registry.Core.Identity.AccessTokens;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Oci;

/// <summary>
/// <c>apptainer remote get-login-password</c>: the CLI secret in <c>oidc_user_meta.secret</c> of
/// <c>/v1/rbac/users/current</c>, asked for as the client asks, is the <c>/v2/</c> password (the token endpoint, skopeo
/// login and copy), is kept encrypted, is no Library API token, and is replaced on request and when the account is disabled.
/// The container-library client has no call for the current user, so the test sends the CLI's own request.
/// </summary>
public sealed class CliSecretTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("registry-cli-secret-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Host => factory.BaseAddress.Authority;

    private Task<ProcessResult> SkopeoAsync(string[] args, string? stdin = null) => ProcessRunner.RunAsync("skopeo", ["--insecure-policy", .. args],
        new Dictionary<string, string?> { ["HOME"] = _work, ["REGISTRY_AUTH_FILE"] = Path.Combine(_work, "auth.json") }, timeout: TimeSpan.FromMinutes(3), stdin: stdin);

    [Fact]
    public async Task Get_login_password_answers_a_secret_that_logs_skopeo_in_to_push_and_pull_and_nothing_else()
    {
        var (user, token) = await factory.CreateUserAsync("clia");
        var (status, secret) = await CliRequests.GetLoginPasswordAsync(factory.BaseAddress, token);
        status.ShouldBe(HttpStatusCode.OK);
        secret!.ShouldStartWith("reg_");
        secret.ShouldNotBe(token);
        (await CliRequests.GetLoginPasswordAsync(factory.BaseAddress, token)).Secret.ShouldBe(secret); // the same until replaced

        // get-login-password | skopeo login --password-stdin: a real credential check (Bearer), written to the authfile.
        var login = await SkopeoAsync(["login", "--tls-verify=false", "--username", "clia", "--password-stdin", Host], stdin: secret + "\n");
        login.ExitCode.ShouldBe(0, login.ToString());
        login.Stdout.ShouldContain("Login Succeeded!");
        var auth = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_work, "auth.json")))!["auths"]![Host]!["auth"]!;
        Encoding.UTF8.GetString(Convert.FromBase64String((string)auth!)).ShouldBe($"clia:{secret}");

        var sifPath = await new SifFiles(Path.Combine(_work, "sif")).CreateAsync(300_000);
        await OciLayout.WriteAsync(Path.Combine(_work, "layout"), sifPath, "v1");
        var push = await SkopeoAsync(["copy", "--dest-tls-verify=false", $"oci:{_work}/layout:v1", $"docker://{Host}/clia/lab/tool:v1"]);
        push.ExitCode.ShouldBe(0, push.ToString());
        var pull = await SkopeoAsync(["copy", "--src-tls-verify=false", $"docker://{Host}/clia/lab/tool:v1", $"oci:{_work}/out:v1"]);
        pull.ExitCode.ShouldBe(0, pull.ToString());
        var sif = await File.ReadAllBytesAsync(sifPath);
        (await OciLayout.ReadBlobAsync(Path.Combine(_work, "out"), OciClient.Digest(sif))).ShouldBe(sif);

        // A /v2/ password only: the Library API does not take it as a bearer token.
        (await factory.Client(secret).GetAsync("/v1/token-status")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await factory.Client(secret).GetAsync("/v1/rbac/users/current")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        // Kept encrypted (Data Protection), found by its hash, never stored plain; its making is in the audit log.
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        var row = await db.AccessTokens.SingleAsync(t => t.UserId == user.Id && t.IsCliSecret);
        row.SecretHash.ShouldBe(Ids.Sha256Hex(secret));
        row.ProtectedSecret.ShouldNotBeNull();
        row.ProtectedSecret.ShouldNotContain(secret[4..]);
        factory.Services.GetRequiredService<TokenSecrets>().Unprotect(row.ProtectedSecret).ShouldBe(secret);
        (row.Scope, row.CollectionId, row.ExpiresAt, row.RevokedAt).ShouldBe((TokenScope.Write, (string?)null, (DateTime?)null, (DateTime?)null));
        (await db.AuditEvents.CountAsync(e => e.UserId == user.Id && e.Action == "token.cli-secret.create")).ShouldBe(1);
        (await db.AuditEvents.CountAsync(e => e.UserName == "clia" && e.Action == "image.push")).ShouldBe(1);
        // Not listed among the API tokens (the tokens page shows it apart).
        (await factory.Services.GetRequiredService<AccessTokenService>().ListAsync(user.Id)).Select(t => t.Label).ShouldBe(["test"]);
    }

    [Fact]
    public async Task A_read_only_or_one_collection_token_is_not_handed_the_full_rights_secret()
    {
        var (user, readToken) = await factory.CreateUserAsync("clib", scope: TokenScope.Read);
        var library = new LibraryClient(factory.Client(await factory.CreateTokenAsync(user, TokenScope.Write)));
        await library.PushAsync("clib", "lab", "tool", SifBuilder.Bytes(2000), "v1");
        var (_, collection) = await library.GetAsync("/v1/collections/clib/lab");
        var robot = await factory.CreateTokenAsync(user, TokenScope.Write, (string)collection!["data"]!["id"]!);

        foreach (var narrow in new[] { readToken, robot })
        {
            var (status, secret) = await CliRequests.GetLoginPasswordAsync(factory.BaseAddress, narrow);
            status.ShouldBe(HttpStatusCode.OK);
            secret.ShouldBe(""); // apptainer then says "user does not have cli token set"
        }
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        (await db.AccessTokens.CountAsync(t => t.UserId == user.Id && t.IsCliSecret)).ShouldBe(0);
    }

    [Fact]
    public async Task A_new_secret_and_disabling_or_deleting_the_account_end_the_old_one()
    {
        var (admin, _) = await factory.CreateUserAsync("cliadmin", admin: true);
        var adminActor = Actor.ForUser(admin.Id, "cliadmin", true);
        var (user, token) = await factory.CreateUserAsync("clic");
        var first = (await CliRequests.GetLoginPasswordAsync(factory.BaseAddress, token)).Secret!;
        const string scope = "repository:clic/lab/tool:pull,push";
        (await new OciClient(factory.BaseAddress, "clic", first).LoginAsync(scope)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The tokens page's "New CLI secret": the old one is refused at once, the new one is what get-login-password answers.
        var rotated = await factory.Services.GetRequiredService<CliSecrets>().RotateAsync(Actor.ForUser(user.Id, "clic", false));
        var second = rotated.Value!;
        second.ShouldNotBe(first);
        (await CliRequests.GetLoginPasswordAsync(factory.BaseAddress, token)).Secret.ShouldBe(second);
        (await new OciClient(factory.BaseAddress, "clic", first).LoginAsync(scope)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var loggedIn = new OciClient(factory.BaseAddress, "clic", second);
        (await loggedIn.LoginAsync(scope)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await loggedIn.PushBlobAsync("clic/lab/tool", "{}"u8.ToArray())).StatusCode.ShouldBe(HttpStatusCode.Created);

        // Disabled: the login already made stops, the secret is revoked; enabled again, a new secret, never the old one.
        var users = factory.Services.GetRequiredService<UserAdminService>();
        (await users.SetDisabledAsync(adminActor, user.Id, true)).Succeeded.ShouldBeTrue();
        using (var refused = await loggedIn.SendAsync(HttpMethod.Post, "/v2/clic/lab/tool/blobs/uploads/"))
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await users.SetDisabledAsync(adminActor, user.Id, false)).Succeeded.ShouldBeTrue();
        (await new OciClient(factory.BaseAddress, "clic", second).LoginAsync(scope)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var third = (await CliRequests.GetLoginPasswordAsync(factory.BaseAddress, token)).Secret!;
        third.ShouldNotBeOneOf(first, second, "");
        (await new OciClient(factory.BaseAddress, "clic", third).LoginAsync(scope)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        (await db.AuditEvents.CountAsync(e => e.UserId == user.Id && e.Action == "token.cli-secret.rotate")).ShouldBe(1);
        (await factory.Services.GetRequiredService<UserDeletion>().DeleteAsync(adminActor, user.Id)).Succeeded.ShouldBeTrue();
        (await db.AccessTokens.CountAsync(t => t.UserId == user.Id)).ShouldBe(0);
        (await new OciClient(factory.BaseAddress, "clic", third).LoginAsync(scope)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}

/// <summary>Requests of the apptainer CLI that the container-library client does not make.</summary>
public static class CliRequests
{
    /// <summary>
    /// <c>remote get-login-password</c>: the library URI from the service discovery, then <c>GET {uri}/v1/rbac/users/current</c>
    /// with the remote's token (<c>Bearer</c>, apptainer's User-Agent, Go's gzip); answers the status and <c>oidc_user_meta.secret</c>.
    /// </summary>
    public static async Task<(HttpStatusCode Status, string? Secret)> GetLoginPasswordAsync(Uri registry, string token)
    {
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip });
        var config = JsonNode.Parse(await http.GetStringAsync(new Uri(registry, "/assets/config/config.prod.json")))!;
        using var request = new HttpRequestMessage(HttpMethod.Get, (string)config["libraryAPI"]!["uri"]! + "/v1/rbac/users/current");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        request.Headers.TryAddWithoutValidation("User-Agent", "apptainer/1.4.0 (Linux amd64) Go/1.23.6");
        using var response = await http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK) return (response.StatusCode, null);
        return (response.StatusCode, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["oidc_user_meta"]?["secret"]);
    }
}

public sealed class OciRateLimitedFactory() : RegistryApiFactory(new() { ["RateLimits:ApiPerTokenPerMinute"] = "5" });

/// <summary>The rate limits hold for a CLI secret: its <c>/v2/</c> requests count against it, as an API token's do.</summary>
public sealed class CliSecretRateLimitTests(OciRateLimitedFactory factory) : IClassFixture<OciRateLimitedFactory>
{
    [Fact]
    public async Task A_cli_secret_counts_on_v2_against_itself_and_gets_429_as_an_oci_error()
    {
        var (_, token) = await factory.CreateUserAsync("busyoci");
        var secret = (await CliRequests.GetLoginPasswordAsync(factory.BaseAddress, token)).Secret!; // 1 of the API token's 5
        var oci = new OciClient(factory.BaseAddress, "busyoci", secret);
        (await oci.LoginAsync("repository:busyoci/lab/tool:pull,push")).StatusCode.ShouldBe(HttpStatusCode.OK); // Basic: counted by address
        for (var i = 0; i < 5; i++) (await oci.SendAsync(HttpMethod.Get, "/v2/busyoci/lab/tool/tags/list")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var refused = await oci.SendAsync(HttpMethod.Get, "/v2/busyoci/lab/tool/tags/list");
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter.ShouldNotBeNull();
        (await refused.Content.ReadAsStringAsync()).ShouldStartWith("""{"errors":[{"code":"TOOMANYREQUESTS","message":"too many requests""");
        (await factory.Client(token).GetAsync("/v1/token-status")).StatusCode.ShouldBe(HttpStatusCode.OK); // the API token is its own bucket
    }
}
