using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Oci;

/// <summary>
/// Credentials as <c>apptainer registry login</c> and <c>skopeo login</c> store them: an authfile of <c>auths</c> with
/// base64 <c>user:token</c>, used by skopeo for push, pull of a private collection, list-tags and delete; and
/// <c>skopeo login</c> itself, which checks the credentials through the Bearer flow before writing them.
/// </summary>
public sealed class SkopeoAuthfileTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("registry-skopeo-auth-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Host => factory.BaseAddress.Authority;

    // No REGISTRY_AUTH_FILE and a HOME of its own: only the authfile a test names (or login writes) carries credentials.
    private Task<ProcessResult> SkopeoAsync(string[] args, string? stdin = null) => ProcessRunner.RunAsync("skopeo", ["--insecure-policy", .. args],
        new Dictionary<string, string?> { ["HOME"] = _work, ["REGISTRY_AUTH_FILE"] = null, ["XDG_RUNTIME_DIR"] = _work }, timeout: TimeSpan.FromMinutes(3), stdin: stdin);

    /// <summary>The file <c>apptainer registry login</c> writes (<c>~/.apptainer/docker-config.json</c>), skopeo's format too.</summary>
    private async Task<string> AuthfileAsync(string user, string password)
    {
        var path = Path.Combine(_work, $"docker-config-{Guid.NewGuid():N}.json");
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        await File.WriteAllTextAsync(path, new JsonObject { ["auths"] = new JsonObject { [Host] = new JsonObject { ["auth"] = auth } } }.ToJsonString());
        return path;
    }

    [Fact]
    public async Task An_authfile_pushes_pulls_a_private_collection_lists_and_deletes()
    {
        var (_, token) = await factory.CreateUserAsync("authf");
        var library = new LibraryClient(factory.Client(token));
        var (_, entity) = await library.GetAsync("/v1/entities/authf");
        (await library.PostAsync("/v1/collections", new { name = "vault", entity = (string)entity!["data"]!["id"]!, @private = true })).Status.ShouldBe(HttpStatusCode.OK);
        var sifPath = await new SifFiles(Path.Combine(_work, "sif")).CreateAsync(200_000);
        var manifest = await OciLayout.WriteAsync(Path.Combine(_work, "layout"), sifPath, "v1");
        var authfile = await AuthfileAsync("authf", token);
        var image = $"docker://{Host}/authf/vault/tool";

        var push = await SkopeoAsync(["copy", "--authfile", authfile, "--dest-tls-verify=false", $"oci:{_work}/layout:v1", $"{image}:v1"]);
        push.ExitCode.ShouldBe(0, push.ToString());
        var pull = await SkopeoAsync(["copy", "--authfile", authfile, "--src-tls-verify=false", $"{image}:v1", $"oci:{_work}/out:v1"]);
        pull.ExitCode.ShouldBe(0, pull.ToString());
        var sif = await File.ReadAllBytesAsync(sifPath);
        (await OciLayout.ReadBlobAsync(Path.Combine(_work, "out"), OciClient.Digest(sif))).ShouldBe(sif);
        var tags = await SkopeoAsync(["list-tags", "--authfile", authfile, "--tls-verify=false", image]);
        JsonNode.Parse(tags.Stdout)!["Tags"]!.AsArray().Select(t => (string)t!).ShouldBe(["v1"]);

        // Without it, or with a wrong token in it, the private collection is refused.
        var anonymous = await SkopeoAsync(["copy", "--src-tls-verify=false", $"{image}:v1", $"oci:{_work}/anon:v1"]);
        anonymous.ExitCode.ShouldNotBe(0);
        anonymous.Stderr.ShouldContain("unauthorized");
        var wrong = await SkopeoAsync(["copy", "--authfile", await AuthfileAsync("authf", "reg_wrong"), "--src-tls-verify=false", $"{image}:v1", $"oci:{_work}/wrong:v1"]);
        wrong.ExitCode.ShouldNotBe(0);
        wrong.Stderr.ShouldContain("unauthorized");

        var delete = await SkopeoAsync(["delete", "--authfile", authfile, "--tls-verify=false", $"{image}@{OciClient.Digest(manifest)}"]);
        delete.ExitCode.ShouldBe(0, delete.ToString());
        (await library.PullAsync("authf/vault/tool:v1")).ShouldBeNull();
    }

    [Fact]
    public async Task Skopeo_login_checks_the_password_writes_the_authfile_and_logout_removes_it()
    {
        var (_, token) = await factory.CreateUserAsync("authl");
        var authfile = Path.Combine(_work, "login.json");
        var refused = await SkopeoAsync(["login", "--authfile", authfile, "--tls-verify=false", "--username", "authl", "--password-stdin", Host], stdin: "reg_wrong\n");
        refused.ExitCode.ShouldNotBe(0);
        refused.Stderr.ShouldContain("invalid username/password");
        File.Exists(authfile).ShouldBeFalse();

        var login = await SkopeoAsync(["login", "--authfile", authfile, "--tls-verify=false", "--username", "authl", "--password-stdin", Host], stdin: token + "\n");
        login.ExitCode.ShouldBe(0, login.ToString());
        login.Stdout.ShouldContain("Login Succeeded!");
        var auth = (string)JsonNode.Parse(await File.ReadAllTextAsync(authfile))!["auths"]![Host]!["auth"]!;
        Encoding.UTF8.GetString(Convert.FromBase64String(auth)).ShouldBe($"authl:{token}");

        var sifPath = await new SifFiles(Path.Combine(_work, "sif")).CreateAsync(100_000);
        await OciLayout.WriteAsync(Path.Combine(_work, "layout"), sifPath, "v1");
        var push = await SkopeoAsync(["copy", "--authfile", authfile, "--dest-tls-verify=false", $"oci:{_work}/layout:v1", $"docker://{Host}/authl/lab/tool:v1"]);
        push.ExitCode.ShouldBe(0, push.ToString());

        var logout = await SkopeoAsync(["logout", "--authfile", authfile, Host]);
        logout.ExitCode.ShouldBe(0, logout.ToString());
        JsonNode.Parse(await File.ReadAllTextAsync(authfile))!["auths"]!.AsObject().ShouldBeEmpty();
        var after = await SkopeoAsync(["copy", "--authfile", authfile, "--dest-tls-verify=false", $"oci:{_work}/layout:v1", $"docker://{Host}/authl/lab/tool:v2"]);
        after.ExitCode.ShouldNotBe(0);
    }
}
