using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Entities;

namespace Registry.Tests.Api;

public sealed class QuotaTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task A_push_over_quota_is_refused_before_any_byte_and_nothing_is_stored()
    {
        var (_, token) = await factory.CreateUserAsync("tight");
        var admin = new Actor("root", "root", true, Registry.Core.Identity.AccessTokens.TokenScope.Admin);
        (await factory.Services.GetRequiredService<EntityService>().SetQuotaAsync(admin, "tight", 10_000)).Succeeded.ShouldBeTrue();
        var client = new LibraryClient(factory.Client(token));
        await client.PushAsync("tight", "c", "small", FakeSif.Make(6000), "latest");

        var big = FakeSif.Make(6000);
        var (_, x) = await client.GetAsync("/v1/containers/tight/c/small");
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + Convert.ToHexStringLower(SHA256.HashData(big)), container = (string)x!["data"]!["id"]! });
        var blobsBefore = Directory.EnumerateFiles(Path.Combine(factory.DataPath, "blobs"), "*", SearchOption.AllDirectories).Count();

        var (status, body) = await client.PostAsync($"/v2/imagefile/{image!["data"]!["id"]}", new { filesize = big.Length });
        status.ShouldBe(HttpStatusCode.InsufficientStorage);
        body!.ToJsonString().ShouldBe("""{"error":{"code":507,"message":"quota exceeded: tight uses 6000 of 10000 bytes and this image needs 6000 more"}}""");
        Directory.EnumerateFiles(Path.Combine(factory.DataPath, "blobs"), "*", SearchOption.AllDirectories).Count().ShouldBe(blobsBefore);
        Directory.EnumerateFiles(Path.Combine(factory.DataPath, "tmp")).ShouldBeEmpty();

        var (_, complete) = await client.SendAsync(HttpMethod.Put, $"/v2/imagefile/{image["data"]!["id"]}/_complete", "{}");
        complete!["error"]!["code"]!.GetValue<int>().ShouldBe(404);
    }
}
