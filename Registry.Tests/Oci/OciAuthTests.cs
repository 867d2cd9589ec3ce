using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Identity.AccessTokens;
using Registry.Tests.Api;

namespace Registry.Tests.Oci;

/// <summary>The Bearer challenge, the token endpoint, and the Library API's rules holding on /v2/.</summary>
public class OciAuthTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task Base_challenges_with_a_same_origin_realm_and_the_token_endpoint_checks_credentials()
    {
        var (_, token) = await factory.CreateUserAsync("oauth1");
        var anonymous = new OciClient(factory.BaseAddress);
        using var ping = await anonymous.SendAsync(HttpMethod.Get, "/v2/");
        ping.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var origin = factory.BaseAddress.ToString().TrimEnd('/');
        ping.Headers.WwwAuthenticate.Single().ToString().ShouldBe($"Bearer realm=\"{origin}/v2/token\",service=\"{factory.BaseAddress.Authority}\"");
        (await ping.Content.ReadAsStringAsync()).ShouldBe("""{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}""");

        foreach (var (user, secret) in new[] { ("oauth1", "reg_wrong"), ("someoneelse", token), ("oauth1", "") })
        {
            var wrong = new OciClient(factory.BaseAddress, user, secret);
            using var refused = await wrong.LoginAsync("repository:oauth1/lab/tool:pull,push");
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{user}:{secret}");
            (await OciClient.ErrorCodeAsync(refused)).ShouldBe("UNAUTHORIZED");
        }
        using var garbage = await anonymous.SendAsync(HttpMethod.Get, "/v2/token", setup: r => r.Headers.Authorization = new AuthenticationHeaderValue("Basic", "!!!"));
        garbage.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var ok = new OciClient(factory.BaseAddress, "oauth1", token);
        (await ok.LoginAsync("repository:oauth1/lab/tool:pull,push")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var pong = await ok.SendAsync(HttpMethod.Get, "/v2/");
        pong.StatusCode.ShouldBe(HttpStatusCode.OK);

        // A forged or tampered token is a 401 challenge, never a pass.
        var forged = new OciClient(factory.BaseAddress);
        forged.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            ok.Http.DefaultRequestHeaders.Authorization!.Parameter![..^4] + "0000");
        using var tampered = await forged.SendAsync(HttpMethod.Post, "/v2/oauth1/lab/tool/blobs/uploads/");
        tampered.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_read_scoped_token_is_granted_pull_only_and_refused_on_push()
    {
        var (user, _) = await factory.CreateUserAsync("oauth2");
        var read = await factory.CreateTokenAsync(user, TokenScope.Read);
        var oci = new OciClient(factory.BaseAddress, "oauth2", read);
        (await oci.LoginAsync("repository:oauth2/lab/tool:pull,push")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var push = await oci.SendAsync(HttpMethod.Post, "/v2/oauth2/lab/tool/blobs/uploads/");
        push.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        push.Headers.WwwAuthenticate.Single().ToString().ShouldEndWith(",scope=\"repository:oauth2/lab/tool:pull,push\"");
        (await push.Content.ReadAsStringAsync()).ShouldContain("the token does not grant push on oauth2/lab/tool");
    }

    [Fact]
    public async Task Private_collections_are_refused_anonymously_and_to_other_users_but_pull_for_their_owner()
    {
        var (_, token) = await factory.CreateUserAsync("oauth3");
        var library = new LibraryClient(factory.Client(token));
        var sif = SifBuilder.Bytes(3000);
        var (_, entity) = await library.GetAsync("/v1/entities/oauth3");
        (await library.PostAsync("/v1/collections", new { name = "secret", entity = (string)entity!["data"]!["id"]!, @private = true })).Status.ShouldBe(HttpStatusCode.OK);
        await library.PushAsync("oauth3", "secret", "tool", sif, "v1");

        var anonymous = new OciClient(factory.BaseAddress);
        (await anonymous.LoginAsync("repository:oauth3/secret/tool:pull")).StatusCode.ShouldBe(HttpStatusCode.OK); // an anonymous token
        foreach (var path in new[] { "/v2/oauth3/secret/tool/manifests/v1", $"/v2/oauth3/secret/tool/blobs/{OciClient.Digest(sif)}", "/v2/oauth3/secret/tool/tags/list" })
        {
            using var refused = await anonymous.SendAsync(HttpMethod.Get, path);
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, path);
            (await OciClient.ErrorCodeAsync(refused)).ShouldBe("UNAUTHORIZED");
        }
        var (_, otherToken) = await factory.CreateUserAsync("oauth3x");
        var other = new OciClient(factory.BaseAddress, "oauth3x", otherToken);
        await other.LoginAsync("repository:oauth3/secret/tool:pull,push");
        using var hidden = await other.SendAsync(HttpMethod.Get, "/v2/oauth3/secret/tool/manifests/v1");
        hidden.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await OciClient.ErrorCodeAsync(hidden)).ShouldBe("MANIFEST_UNKNOWN");
        using var noPush = await other.SendAsync(HttpMethod.Post, "/v2/oauth3/secret/tool/blobs/uploads/");
        noPush.StatusCode.ShouldBe(HttpStatusCode.NotFound); // not visible: not told it exists

        var owner = new OciClient(factory.BaseAddress, "oauth3", token);
        await owner.LoginAsync("repository:oauth3/secret/tool:pull");
        using var pulled = await owner.SendAsync(HttpMethod.Get, $"/v2/oauth3/secret/tool/blobs/{OciClient.Digest(sif)}");
        (await pulled.Content.ReadAsByteArrayAsync()).ShouldBe(sif);
    }

    [Fact]
    public async Task Frozen_tags_refuse_a_manifest_push_and_a_revoked_api_token_ends_the_login()
    {
        var (user, token) = await factory.CreateUserAsync("oauth4");
        var library = new LibraryClient(factory.Client(token));
        await library.PushAsync("oauth4", "lab", "tool", SifBuilder.Bytes(3000), "v1");
        var (_, container) = await library.GetAsync("/v1/containers/oauth4/lab/tool");
        var containerId = (string)container!["data"]!["id"]!;
        var tags = factory.Services.GetRequiredService<Registry.Core.Tags.TagService>();
        (await tags.FreezeAsync(Registry.Core.Access.Actor.ForUser(user.Id, "oauth4", false), containerId, "amd64", "v1", true)).Succeeded.ShouldBeTrue();

        var extra = await factory.CreateTokenAsync(user, TokenScope.Write);
        var oci = new OciClient(factory.BaseAddress, "oauth4", extra);
        await oci.LoginAsync("repository:oauth4/lab/tool:pull,push");
        var (frozen, _) = await oci.PushSifAsync("oauth4/lab/tool", "v1", SifBuilder.Bytes(4000));
        frozen.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await frozen.Content.ReadAsStringAsync()).ShouldBe("""{"errors":[{"code":"DENIED","message":"oauth4/lab/tool:v1 is frozen and cannot be replaced","detail":null}]}""");

        var tokens = factory.Services.GetRequiredService<AccessTokenService>();
        var id = (await tokens.ListAsync(user.Id)).Single(t => t.Label == "extra").Id;
        (await tokens.RevokeAsync(Registry.Core.Access.Actor.ForUser(user.Id, "oauth4", false), id)).Succeeded.ShouldBeTrue();
        using var revoked = await oci.SendAsync(HttpMethod.Get, "/v2/oauth4/lab/tool/tags/list");
        revoked.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await revoked.Content.ReadAsStringAsync()).ShouldContain("revoked or expired");
    }
}
