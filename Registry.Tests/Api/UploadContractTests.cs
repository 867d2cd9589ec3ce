using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Registry.Tests.Api;

/// <summary>Whole bodies of the upload, tag and download calls (docs/uploads.md, docs/library-api.md §Pull) and who may call them.</summary>
public class UploadContractTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private async Task<(LibraryClient Client, string ContainerId, string ImageId)> NewImageAsync(string owner, byte[] file)
    {
        var (_, token) = await factory.CreateUserAsync(owner);
        var client = new LibraryClient(factory.Client(token));
        var (_, e) = await client.GetAsync($"/v1/entities/{owner}");
        var (_, c) = await client.PostAsync("/v1/collections", new { name = "c", entity = (string)e!["data"]!["id"]! });
        var (_, x) = await client.PostAsync("/v1/containers", new { name = "x", collection = (string)c!["data"]!["id"]! });
        var containerId = (string)x!["data"]!["id"]!;
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + Hex(file), container = containerId });
        return (client, containerId, (string)image!["data"]!["id"]!);
    }

    [Fact]
    public async Task Multipart_start_and_complete_answer_exact_bodies()
    {
        var file = SifBuilder.Bytes(6 * 1024 * 1024 + 3);
        var (client, _, imageId) = await NewImageAsync("mpbodies", file);
        var (status, start) = await client.PostAsync($"/v2/imagefile/{imageId}/_multipart", new { filesize = file.Length });
        status.ShouldBe(HttpStatusCode.OK);
        var uploadId = (string)start!["data"]!["uploadID"]!;
        // s3compliant "false" (the default of Registry:PartChecksums): the client needn't hash every part first.
        start.ToJsonString().ShouldBe($$$$"""{"data":{"uploadID":"{{{{uploadId}}}}","totalParts":2,"partSize":5242880,"options":{"s3compliant":"false"}}}""");

        var parts = new List<object>();
        for (var n = 1; n <= 2; n++)
        {
            var chunk = file.Skip((n - 1) * 5242880).Take(5242880).ToArray();
            var (_, part) = await client.PutAsync($"/v2/imagefile/{imageId}/_multipart", new { partSize = chunk.Length, uploadID = uploadId, partNumber = n, sha256sum = Hex(chunk) });
            var url = (string)part!["data"]!["presignedURL"]!;
            url.ShouldStartWith(factory.BaseAddress.ToString().TrimEnd('/') + "/");
            var put = await new HttpClient().PutAsync(url, new ByteArrayContent(chunk));
            put.StatusCode.ShouldBe(HttpStatusCode.OK);
            parts.Add(new { partNumber = n, token = put.Headers.ETag!.ToString() });
        }
        var (doneStatus, done) = await client.PutAsync($"/v2/imagefile/{imageId}/_multipart_complete", new { uploadID = uploadId, completedParts = parts });
        doneStatus.ShouldBe(HttpStatusCode.OK);
        done!.ToJsonString().ShouldBe($$$"""{"data":{"quota":{"quotaTotal":0,"quotaUsage":{{{file.Length}}}},"containerUrl":"/mpbodies/c/x"}}""");
    }

    [Fact]
    public async Task Wrong_size_on_the_upload_url_is_a_400_and_the_image_stays_unuploaded()
    {
        var file = SifBuilder.Bytes(4000);
        var (client, _, imageId) = await NewImageAsync("wrongsize", file);
        var (_, start) = await client.PostAsync($"/v2/imagefile/{imageId}", new { filesize = file.Length, sha256sum = Hex(file), md5sum = "" });
        var uploadUrl = (string)start!["data"]!["uploadURL"]!;
        new Uri(uploadUrl).IsAbsoluteUri.ShouldBeTrue();

        var put = await new HttpClient().PutAsync(uploadUrl, new ByteArrayContent(file[..3999]));
        put.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await put.Content.ReadAsStringAsync()).ShouldBe("""{"error":{"code":400,"message":"expected 4000 bytes, Content-Length says 3999"}}""");
        var (_, image) = await client.GetAsync($"/v1/images/wrongsize/c/x:sha256.{Hex(file)}");
        image!["data"]!["uploaded"]!.GetValue<bool>().ShouldBeFalse();
        // A sha256sum that is not the image's own is refused when the upload starts.
        var (badStatus, bad) = await client.PostAsync($"/v2/imagefile/{imageId}", new { filesize = file.Length, sha256sum = new string('1', 64) });
        badStatus.ShouldBe(HttpStatusCode.BadRequest);
        bad!["error"]!["message"]!.GetValue<string>().ShouldContain("does not match the image's hash");
    }

    [Fact]
    public async Task Nobody_but_the_owner_drives_an_upload()
    {
        var file = SifBuilder.Bytes(6 * 1024 * 1024);
        var (owner, _, imageId) = await NewImageAsync("uplowner", file);
        var (_, start) = await owner.PostAsync($"/v2/imagefile/{imageId}/_multipart", new { filesize = file.Length });
        var uploadId = (string)start!["data"]!["uploadID"]!;
        var (_, intruderToken) = await factory.CreateUserAsync("uplintruder");
        var intruder = new LibraryClient(factory.Client(intruderToken));

        (await intruder.PostAsync($"/v2/imagefile/{imageId}", new { filesize = file.Length, sha256sum = Hex(file) })).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await intruder.PostAsync($"/v2/imagefile/{imageId}/_multipart", new { filesize = file.Length })).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await intruder.PutAsync($"/v2/imagefile/{imageId}/_multipart", new { partSize = 5242880, uploadID = uploadId, partNumber = 1, sha256sum = "" })).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await intruder.PutAsync($"/v2/imagefile/{imageId}/_multipart_complete", new { uploadID = uploadId, completedParts = new[] { new { partNumber = 1, token = "\"x\"" } } })).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await intruder.SendAsync(HttpMethod.Put, $"/v2/imagefile/{imageId}/_complete", "{}")).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await intruder.Http.PostAsync($"/v1/imagefile/{imageId}", new ByteArrayContent(file))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await new LibraryClient(factory.Client()).PutAsync($"/v2/imagefile/{imageId}/_multipart_abort", new { uploadID = uploadId })).Status.ShouldBe(HttpStatusCode.Unauthorized);

        var (_, image) = await owner.GetAsync($"/v1/images/uplowner/c/x:sha256.{Hex(file)}");
        image!["data"]!["uploaded"]!.GetValue<bool>().ShouldBeFalse();
        var (abortStatus, abort) = await owner.PutAsync($"/v2/imagefile/{imageId}/_multipart_abort", new { uploadID = uploadId });
        abortStatus.ShouldBe(HttpStatusCode.OK);
        abort!.ToJsonString().ShouldBe("""{"data":{}}""");
    }

    [Fact]
    public async Task Legacy_v1_tags_take_pascal_case_bodies_and_v2_refuses_a_foreign_arch()
    {
        var file = SifBuilder.Bytes(2000);
        var (client, containerId, imageId) = await NewImageAsync("legacytags", file);
        (await client.Http.PostAsync($"/v1/imagefile/{imageId}", new ByteArrayContent(file))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var (status, body) = await client.PostAsync($"/v1/tags/{containerId}", new { Tag = "stable", ImageID = imageId });
        status.ShouldBe(HttpStatusCode.OK);
        body!.ToJsonString().ShouldBe($$$"""{"data":{"stable":"{{{imageId}}}"}}""");
        // The arch-less tag is filed under the arch of the SIF header.
        (await client.GetAsync($"/v2/tags/{containerId}")).Body!.ToJsonString().ShouldBe($$$$"""{"data":{"amd64":{"stable":"{{{{imageId}}}}"}}}""");

        (status, body) = await client.PostAsync($"/v2/tags/{containerId}", new { Arch = "arm64", Tag = "stable", ImageID = imageId });
        status.ShouldBe(HttpStatusCode.BadRequest);
        body!.ToJsonString().ShouldBe($$$"""{"error":{"code":400,"message":"image {{{imageId}}} is a amd64 image (from its SIF header) and cannot be tagged for arm64"}}""");
        (status, _) = await client.PostAsync($"/v2/tags/{containerId}", new { Arch = "amd64", Tag = "Bad_Tag", ImageID = imageId });
        status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_file_shorter_than_the_probe_still_answers_206_with_its_whole_range()
    {
        var (_, token) = await factory.CreateUserAsync("tinyfile");
        var file = SifBuilder.Bytes(500);
        await new LibraryClient(factory.Client(token)).PushAsync("tinyfile", "c", "x", file, "latest");
        var redirect = await factory.Client().GetAsync("/v1/imagefile/tinyfile/c/x:latest?arch=amd64");
        redirect.StatusCode.ShouldBe(HttpStatusCode.SeeOther);

        // gen-A clients probe bytes 0-1024 and read the total from Content-Range (a 200 there crashes them).
        var probe = new HttpRequestMessage(HttpMethod.Get, redirect.Headers.Location) { Headers = { Range = new RangeHeaderValue(0, 1024) } };
        var response = await new HttpClient().SendAsync(probe);
        response.StatusCode.ShouldBe(HttpStatusCode.PartialContent);
        response.Content.Headers.ContentRange!.ToString().ShouldBe("bytes 0-499/500");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/octet-stream");
        (await response.Content.ReadAsByteArrayAsync()).ShouldBe(file);
        // The ETag is the image hash, so a conditional GET is answered without the bytes.
        var conditional = new HttpRequestMessage(HttpMethod.Get, redirect.Headers.Location);
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{Hex(file)}\""));
        (await new HttpClient().SendAsync(conditional)).StatusCode.ShouldBe(HttpStatusCode.NotModified);
    }
}
