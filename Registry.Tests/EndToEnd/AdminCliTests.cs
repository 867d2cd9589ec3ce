using System.Net;
using System.Net.Http.Headers;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.EndToEnd;

/// <summary>A server that asks for terms of service (version 1), as appsettings.json ships it, for the admin CLI tests.</summary>
public class TermsServerFixture : IAsyncLifetime
{
    public RegistryServer Server { get; private set; } = null!;

    protected virtual Registry.Core.DatabaseProvider Database => Registry.Core.DatabaseProvider.Sqlite;

    public async Task InitializeAsync() => Server = await RegistryServer.StartAsync(new() { Database = Database, ["Accounts:TermsVersion"] = "1" });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The admin command line as a script uses it: a real process against the running server's data folder.</summary>
public class AdminCliTests(TermsServerFixture fx) : IClassFixture<TermsServerFixture>
{
    [Theory]
    [InlineData(2, "frobnicate")]
    [InlineData(2, "user", "add")]
    [InlineData(2, "user", "add", "carl", "--colour", "blue")]
    [InlineData(2, "token", "create", "carl", "--label")]
    [InlineData(1, "token", "create", "nobody-here")]
    [InlineData(1, "user", "add", "../etc")]
    [InlineData(1, "collection", "private", "nobody-here/nothing")]
    [InlineData(1, "user", "password", "nobody-here")]
    [InlineData(2, "user", "password", "nobody-here", "--pasword", "x")]
    public async Task Bad_arguments_give_one_line_on_stderr_and_a_non_zero_exit(int exitCode, params string[] args)
    {
        var result = await fx.Server.AdminAsync(args);

        result.ExitCode.ShouldBe(exitCode, result.ToString());
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldHaveSingleItem(result.ToString()).Length.ShouldBeGreaterThan(10);
        result.Stdout.ShouldBeEmpty();
    }

    [Fact]
    public async Task User_add_refuses_an_address_another_account_has()
    {
        var first = RegistryFixture.Unique("erna");
        await fx.Server.AdminOkAsync("user", "add", first, "--email", $"{first}@example.edu");

        var refused = await fx.Server.AdminAsync("user", "add", RegistryFixture.Unique("finn"), "--email", $"{first.ToUpperInvariant()}@example.edu");

        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Stderr.ShouldContain("is already taken");
        refused.Stdout.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_token_for_a_user_who_has_not_agreed_to_the_terms_is_refused_until_they_do()
    {
        var name = RegistryFixture.Unique("dana");
        var added = await fx.Server.AdminOkAsync("user", "add", name);
        added.Stdout.ShouldContain($"{name} must agree to the terms of service (version 1) in the web UI");
        var token = await fx.Server.CreateTokenAsync(name);

        using var refused = await GetEntityAsync(name, token);
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("terms of service");
    }

    [Fact]
    public async Task Accept_terms_lets_a_scripted_account_use_its_token_at_once()
    {
        var name = RegistryFixture.Unique("robot");
        var added = await fx.Server.AdminOkAsync("user", "add", name, "--accept-terms");
        added.Stdout.ShouldStartWith($"added user {name}");
        added.Stdout.ShouldNotContain("must agree");

        var created = await fx.Server.AdminOkAsync("token", "create", name, "--label", "ci", "--scope", "read");
        var token = created.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];

        using var entity = await GetEntityAsync(name, token);
        entity.StatusCode.ShouldBe(HttpStatusCode.OK, await entity.Content.ReadAsStringAsync());
        (await entity.Content.ReadAsStringAsync()).ShouldContain($"\"name\":\"{name}\"");
    }

    [Fact]
    public async Task Key_delete_removes_a_pushed_key_from_the_keyserver()
    {
        using var key = new Registry.Tests.Api.GpgKey("Cli Delete <cli-delete@example.org>", "ed25519");
        var name = RegistryFixture.Unique("keyowner");
        await fx.Server.AdminOkAsync("user", "add", name, "--accept-terms");
        var created = await fx.Server.AdminOkAsync("token", "create", name);
        var token = created.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        var push = new HttpRequestMessage(HttpMethod.Post, "pks/add") { Content = new FormUrlEncodedContent([new("keytext", key.Armored)]) };
        push.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await fx.Server.Http.SendAsync(push)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var deleted = await fx.Server.AdminOkAsync("key", "delete", key.Fingerprint.ToUpperInvariant());
        using var lookup = await fx.Server.Http.GetAsync($"pks/lookup?op=get&search=0x{key.Fingerprint}");
        var again = await fx.Server.AdminAsync("key", "delete", key.Fingerprint);

        deleted.Stdout.ShouldBe($"deleted key {key.Fingerprint} (Cli Delete <cli-delete@example.org>)\n");
        lookup.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        again.ExitCode.ShouldBe(1);
        again.Stderr.Trim().ShouldBe($"no key {key.Fingerprint}");
    }

    [Fact]
    public async Task An_email_the_admin_gives_is_verified_and_claims_a_key_with_that_address_that_a_stranger_pushed()
    {
        using var key = new Registry.Tests.Api.GpgKey("Cli Claim <cli-claim@example.org>", "ed25519");
        var stranger = RegistryFixture.Unique("squatter");
        var holder = RegistryFixture.Unique("holder");
        await fx.Server.AdminOkAsync("user", "add", stranger, "--accept-terms");
        await fx.Server.AdminOkAsync("user", "add", holder, "--accept-terms", "--email", "cli-claim@example.org");

        var bySquatter = await PushKeyAsync(await fx.Server.CreateTokenAsync(stranger), key.Armored);
        var byHolder = await PushKeyAsync(await fx.Server.CreateTokenAsync(holder), key.Armored);

        bySquatter.ShouldBe($"added key {key.Fingerprint.ToUpperInvariant()}\n");
        byHolder.ShouldBe($"claimed key {key.Fingerprint.ToUpperInvariant()}\n");
    }

    [Fact]
    public async Task User_password_sets_a_random_or_given_password_that_signs_in_and_the_old_one_no_longer_does()
    {
        var name = RegistryFixture.Unique("rita");
        await fx.Server.AdminOkAsync("user", "add", name, "--accept-terms", "--password", "Old-pass-word-1");

        var generated = await fx.Server.AdminOkAsync("user", "password", name);
        var lines = generated.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines[0].ShouldBe($"password of {name} reset; their browser sign-ins have ended (API tokens stay valid)");
        lines.Length.ShouldBe(2, generated.ToString());
        var password = lines[1];
        password.ShouldMatch("^[a-km-zA-HJ-NP-Z2-9]{5}(-[a-km-zA-HJ-NP-Z2-9]{5}){3}$");
        (await SignInAsync(name, "Old-pass-word-1")).ShouldBe("/Account/Login");
        (await SignInAsync(name, password)).ShouldBe("/");

        // A typed password must pass the sign-up rules; a refused one changes nothing.
        var weak = await fx.Server.AdminAsync("user", "password", name, "--password", "short");
        weak.ExitCode.ShouldBe(1, weak.ToString());
        weak.Stderr.ShouldStartWith($"cannot reset the password of {name}: Passwords must be at least");
        weak.Stdout.ShouldBeEmpty();
        var typed = await fx.Server.AdminOkAsync("user", "password", name, "--password", "Typed-pass-word-2");
        typed.Stdout.ShouldBe($"password of {name} reset; their browser sign-ins have ended (API tokens stay valid)\n");
        (await SignInAsync(name, password)).ShouldBe("/Account/Login");
        (await SignInAsync(name, "Typed-pass-word-2")).ShouldBe("/");
    }

    /// <summary>Signs in through the form; returns the path the browser ends on ("/" signed in, "/Account/Login" refused).</summary>
    private async Task<string> SignInAsync(string name, string password)
    {
        using var browser = new Registry.Tests.SignIn.BrowserSession(new Uri(fx.Server.BaseUrl));
        return (await Registry.Tests.SignIn.LocalSignIn.SignInAsync(browser, name, password)).Address.AbsolutePath;
    }

    private async Task<string> PushKeyAsync(string token, string armored)
    {
        using var push = new HttpRequestMessage(HttpMethod.Post, "pks/add") { Content = new FormUrlEncodedContent([new("keytext", armored)]) };
        push.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await fx.Server.Http.SendAsync(push);
        return await response.Content.ReadAsStringAsync();
    }

    private Task<HttpResponseMessage> GetEntityAsync(string name, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"v1/entities/{name}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return fx.Server.Http.SendAsync(request);
    }
}
