using System.Net;

namespace Registry.Tests.Api;

/// <summary>Issue 12 must-fix 7: when shub:// can't pick a collection, its 409 names only library refs that exist.</summary>
public class ShubConflictTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task The_409_names_only_the_refs_that_resolve_and_says_so_when_none_does()
    {
        var (_, tokenA) = await factory.CreateUserAsync("shubc");
        var (_, tokenB) = await factory.CreateUserAsync("shubd");
        await new LibraryClient(factory.Client(tokenA)).PushAsync("shubc", "pair", "tool", SifBuilder.Bytes(2000), "v1");
        // Another user's same-named collection, holding some other container.
        await new LibraryClient(factory.Client(tokenB)).PushAsync("shubd", "pair", "other", SifBuilder.Bytes(2100), "v1");
        var anonymous = new LibraryClient(factory.Client());

        var (status, body) = await anonymous.GetAsync("/api/container/pair/tool:v1");
        status.ShouldBe(HttpStatusCode.Conflict);
        body!.ToJsonString().ShouldBe(
            """{"detail":"several entities (shubc, shubd) have a collection named pair, and shub:// names no owner; pull library://shubc/pair/tool:v1","error":{"code":409,"message":"several entities (shubc, shubd) have a collection named pair, and shub:// names no owner; pull library://shubc/pair/tool:v1"}}""");
        // What it names is pullable: the library API resolves it.
        (await anonymous.GetAsync("/v1/images/shubc/pair/tool:v1")).Status.ShouldBe(HttpStatusCode.OK);

        (status, body) = await anonymous.GetAsync("/api/container/pair/tool:v2");
        status.ShouldBe(HttpStatusCode.Conflict);
        body!.ToJsonString().ShouldBe(
            """{"detail":"several entities (shubc, shubd) have a collection named pair, and shub:// names no owner; none of them has tool:v2","error":{"code":409,"message":"several entities (shubc, shubd) have a collection named pair, and shub:// names no owner; none of them has tool:v2"}}""");

        // Asked again and at once, the answer is the same.
        var again = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => anonymous.GetAsync("/api/container/pair/tool:v1")));
        again.ShouldAllBe(r => r.Status == HttpStatusCode.Conflict && r.Body!.ToJsonString().Contains("pull library://shubc/pair/tool:v1\""));
    }
}
