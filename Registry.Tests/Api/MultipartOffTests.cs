using System.Net;
using System.Security.Cryptography;

namespace Registry.Tests.Api;

public sealed class MultipartOffFactory() : RegistryApiFactory(new() { ["Registry:MultipartEnabled"] = "false" });

/// <summary>
/// Multipart turned off: <c>POST …/_multipart</c> answers 404, the one answer on which the client falls back to the
/// single upload (docs/uploads.md); the single upload then takes the whole file.
/// </summary>
public sealed class MultipartOffTests(MultipartOffFactory factory) : IClassFixture<MultipartOffFactory>
{
    [Fact]
    public async Task Multipart_start_is_a_404_envelope_and_the_single_upload_takes_over()
    {
        var (_, token) = await factory.CreateUserAsync("nomultipart");
        var client = new LibraryClient(factory.Client(token));
        var file = SifBuilder.Bytes(6 * 1024 * 1024);
        var hash = Convert.ToHexStringLower(SHA256.HashData(file));
        var (_, e) = await client.GetAsync("/v1/entities/nomultipart");
        var (_, c) = await client.PostAsync("/v1/collections", new { name = "c", entity = (string)e!["data"]!["id"]! });
        var (_, x) = await client.PostAsync("/v1/containers", new { name = "x", collection = (string)c!["data"]!["id"]! });
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + hash, container = (string)x!["data"]!["id"]! });
        var imageId = (string)image!["data"]!["id"]!;

        var (status, body) = await client.PostAsync($"/v2/imagefile/{imageId}/_multipart", new { filesize = file.Length });
        status.ShouldBe(HttpStatusCode.NotFound);
        body!.ToJsonString().ShouldBe($$$"""{"error":{"code":404,"message":"POST /v2/imagefile/{{{imageId}}}/_multipart is not part of this API"}}""");

        var (_, start) = await client.PostAsync($"/v2/imagefile/{imageId}", new { filesize = file.Length, sha256sum = hash });
        (await new HttpClient().PutAsync((string)start!["data"]!["uploadURL"]!, new ByteArrayContent(file))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.SendAsync(HttpMethod.Put, $"/v2/imagefile/{imageId}/_complete", "{}")).Status.ShouldBe(HttpStatusCode.OK);
        var (_, got) = await client.GetAsync($"/v1/images/nomultipart/c/x:sha256.{hash}");
        got!["data"]!["uploaded"]!.GetValue<bool>().ShouldBeTrue();
        got["data"]!["size"]!.GetValue<long>().ShouldBe(file.Length);
    }
}
