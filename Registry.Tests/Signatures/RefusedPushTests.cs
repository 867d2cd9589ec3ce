using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Signatures;
using Registry.Core.Uploads;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;
using Registry.Tests.Sregistry;

namespace Registry.Tests.Signatures;

/// <summary>
/// A push refused at publish (here: unsigned into a collection that accepts only signed images) keeps nothing, on every
/// upload path: not its bytes, nor the image row and container the client registered before sending them.
/// </summary>
public sealed class RefusedPushTests : StrictRegistryTest
{
    [Fact]
    public async Task Every_upload_path_refusing_an_unsigned_sif_leaves_no_image_container_listing_or_bytes()
    {
        var (client, token) = await AliceAsync();
        var url = factory.BaseAddress.ToString().TrimEnd('/');

        // The real Apptainer client: GET container (404), POST /v1/containers, POST /v1/images, v2 upload, _complete.
        var (sif, hash) = await UnsignedAsync();
        var push = await GoDriver.RunAgainstAsync(url, token, ["push", sif, "alice/strict/viaclient", "v1"]);
        push.ExitCode.ShouldNotBe(0);
        push.Stderr.ShouldContain(ImageSignatures.OnlySignedRefusal);
        await NothingOfAsync(client, "viaclient", hash);

        // v2 single: the upload URL takes the bytes, _complete refuses them.
        (sif, hash) = await UnsignedAsync();
        var imageId = await RegisterAsync(client, "single", hash);
        var (_, start) = await client.PostAsync($"/v2/imagefile/{imageId}", new { filesize = new FileInfo(sif).Length, sha256sum = hash, md5sum = "" });
        (await new HttpClient().PutAsync((string)start!["data"]!["uploadURL"]!, new ByteArrayContent(await File.ReadAllBytesAsync(sif)))).StatusCode.ShouldBe(HttpStatusCode.OK);
        ShouldBeRefusal(await client.SendAsync(HttpMethod.Put, $"/v2/imagefile/{imageId}/_complete", "{}"));
        await NothingOfAsync(client, "single", hash);

        // v2 multipart, two parts: _multipart_complete refuses them.
        (sif, hash) = await UnsignedAsync(6 * 1024 * 1024);
        var bytes = await File.ReadAllBytesAsync(sif);
        imageId = await RegisterAsync(client, "multipart", hash);
        var (_, multi) = await client.PostAsync($"/v2/imagefile/{imageId}/_multipart", new { filesize = bytes.Length });
        var (uploadId, partSize) = ((string)multi!["data"]!["uploadID"]!, (int)multi["data"]!["partSize"]!);
        var parts = new List<object>();
        for (var n = 1; (n - 1) * partSize < bytes.Length; n++)
        {
            var chunk = bytes.Skip((n - 1) * partSize).Take(partSize).ToArray();
            var (_, part) = await client.PutAsync($"/v2/imagefile/{imageId}/_multipart", new { partSize = chunk.Length, uploadID = uploadId, partNumber = n, sha256sum = "" });
            var put = await new HttpClient().PutAsync((string)part!["data"]!["presignedURL"]!, new ByteArrayContent(chunk));
            put.StatusCode.ShouldBe(HttpStatusCode.OK);
            parts.Add(new { partNumber = n, token = put.Headers.ETag!.ToString() });
        }
        ShouldBeRefusal(await client.PutAsync($"/v2/imagefile/{imageId}/_multipart_complete", new { uploadID = uploadId, completedParts = parts }));
        await NothingOfAsync(client, "multipart", hash);

        // v1: the whole file in one request.
        (sif, hash) = await UnsignedAsync();
        imageId = await RegisterAsync(client, "legacy", hash);
        var v1 = await client.Http.PostAsync($"/v1/imagefile/{imageId}", new ByteArrayContent(await File.ReadAllBytesAsync(sif)));
        v1.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        System.Text.RegularExpressions.Regex.Unescape(await v1.Content.ReadAsStringAsync()).ShouldContain(ImageSignatures.OnlySignedRefusal);
        await NothingOfAsync(client, "legacy", hash);

        // The browser upload: the service the upload page calls, after every chunk arrived.
        (sif, hash) = await UnsignedAsync();
        bytes = await File.ReadAllBytesAsync(sif);
        var uploads = factory.Services.GetRequiredService<BrowserUploadService>();
        var actor = await ActorAsync();
        var started = await uploads.StartAsync(actor, "alice", "strict", "browser", "v1", bytes.Length);
        (await uploads.ReceiveAsync(actor, started.Value!.Id, 0, new MemoryStream(bytes))).Succeeded.ShouldBeTrue();
        var finished = await uploads.FinishAsync(actor, started.Value.Id);
        (finished.Outcome, finished.Message).ShouldBe((Outcome.Forbidden, ImageSignatures.OnlySignedRefusal));
        await NothingOfAsync(client, "browser", hash);

        // sregistry-cli: chunked_upload, then the streamed /upload.
        (sif, hash) = await UnsignedAsync();
        var (status, body) = await new SregistryClient(factory.BaseAddress, "alice", token).PushAsync("strict", "sreg", "v1", await File.ReadAllBytesAsync(sif));
        status.ShouldBe(HttpStatusCode.Forbidden);
        System.Text.RegularExpressions.Regex.Unescape(body!.ToJsonString()).ShouldContain(ImageSignatures.OnlySignedRefusal);
        await NothingOfAsync(client, "sreg", hash);
    }
}
