using System.Net;
using Registry.Core.Identity.AccessTokens;
using Registry.Tests.Api;

namespace Registry.Tests.Oci;

/// <summary>A registry where every entity may store 20,000 bytes.</summary>
public sealed class SmallQuotaFactory() : RegistryApiFactory(new() { ["Registry:DefaultQuotaBytes"] = "20000" });

/// <summary>Quota and collection-restricted tokens hold on /v2/ as on the Library API.</summary>
public sealed class OciQuotaTests(SmallQuotaFactory factory) : IClassFixture<SmallQuotaFactory>
{
    [Fact]
    public async Task A_blob_past_the_quota_is_507_and_leaves_nothing()
    {
        var (_, token) = await factory.CreateUserAsync("oquota");
        var oci = new OciClient(factory.BaseAddress, "oquota", token);
        await oci.LoginAsync("repository:oquota/lab/tool:pull,push");
        var (first, _) = await oci.PushSifAsync("oquota/lab/tool", "v1", SifBuilder.Bytes(12_000));
        first.StatusCode.ShouldBe(HttpStatusCode.Created);

        var second = SifBuilder.Bytes(12_000);
        using var start = await oci.SendAsync(HttpMethod.Post, "/v2/oquota/lab/tool/blobs/uploads/");
        using var patch = await oci.SendAsync(HttpMethod.Patch, start.Headers.Location!.ToString(), second);
        patch.StatusCode.ShouldBe(HttpStatusCode.InsufficientStorage);
        (await patch.Content.ReadAsStringAsync()).ShouldBe(
            """{"errors":[{"code":"DENIED","message":"quota exceeded: oquota uses 12000 of 20000 bytes and this blob does not fit","detail":null}]}""");
        using var head = await oci.SendAsync(HttpMethod.Head, $"/v2/oquota/lab/tool/blobs/{OciClient.Digest(second)}");
        head.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var tags = await oci.SendAsync(HttpMethod.Get, "/v2/oquota/lab/tool/tags/list");
        (await tags.Content.ReadAsStringAsync()).ShouldBe("""{"name":"oquota/lab/tool","tags":["v1"]}""");
    }

    [Fact]
    public async Task A_token_restricted_to_one_collection_cannot_push_to_another()
    {
        var (user, token) = await factory.CreateUserAsync("orestrict");
        var library = new LibraryClient(factory.Client(token));
        await library.PushAsync("orestrict", "mine", "tool", SifBuilder.Bytes(1000), "v1");
        var (_, collection) = await library.GetAsync("/v1/collections/orestrict/mine");
        var restricted = await factory.CreateTokenAsync(user, TokenScope.Write, (string)collection!["data"]!["id"]!);

        var oci = new OciClient(factory.BaseAddress, "orestrict", restricted);
        await oci.LoginAsync("repository:orestrict/other/tool:pull,push repository:orestrict/mine/tool:pull,push");
        using var elsewhere = await oci.SendAsync(HttpMethod.Post, "/v2/orestrict/other/tool/blobs/uploads/");
        elsewhere.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await elsewhere.Content.ReadAsStringAsync()).ShouldContain("this token is restricted to one collection");
        using var inside = await oci.SendAsync(HttpMethod.Post, "/v2/orestrict/mine/tool/blobs/uploads/");
        inside.StatusCode.ShouldBe(HttpStatusCode.Accepted);
    }
}
