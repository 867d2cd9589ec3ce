using System.Net;
using System.Security.Cryptography;

namespace Registry.Tests.Api;

public sealed class PartChecksumsFactory() : RegistryApiFactory(new() { ["Registry:PartChecksums"] = "true" });

/// <summary><c>Registry:PartChecksums</c> on: clients are told to hash every part (s3compliant), and a part whose bytes
/// don't match its announced SHA-256 is refused on arrival, before the rest of the upload is sent.</summary>
public sealed class PartChecksumsTests(PartChecksumsFactory factory) : IClassFixture<PartChecksumsFactory>
{
    [Fact]
    public async Task Clients_are_asked_for_part_checksums_and_a_corrupted_part_is_refused_on_arrival()
    {
        var (_, token) = await factory.CreateUserAsync("partsums");
        var client = new LibraryClient(factory.Client(token));
        var file = SifBuilder.Bytes(6 * 1024 * 1024);
        var (_, e) = await client.GetAsync("/v1/entities/partsums");
        var (_, c) = await client.PostAsync("/v1/collections", new { name = "c", entity = (string)e!["data"]!["id"]! });
        var (_, x) = await client.PostAsync("/v1/containers", new { name = "x", collection = (string)c!["data"]!["id"]! });
        var (_, image) = await client.PostAsync("/v1/images", new { hash = "sha256." + Hex(file), container = (string)x!["data"]!["id"]! });
        var imageId = (string)image!["data"]!["id"]!;

        var (_, start) = await client.PostAsync($"/v2/imagefile/{imageId}/_multipart", new { filesize = file.Length });
        start!["data"]!["options"]!.ToJsonString().ShouldBe("""{"s3compliant":"true"}""");

        var part1 = file[..(5 * 1024 * 1024)];
        var (_, presign) = await client.PutAsync($"/v2/imagefile/{imageId}/_multipart",
            new { partSize = part1.Length, uploadID = (string)start["data"]!["uploadID"]!, partNumber = 1, sha256sum = Hex(part1) });
        var corrupted = part1.ToArray();
        corrupted[12345] ^= 0xff;
        var put = await new HttpClient().PutAsync((string)presign!["data"]!["presignedURL"]!, new ByteArrayContent(corrupted));
        put.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await put.Content.ReadAsStringAsync()).ShouldContain($"part 1 checksum mismatch: sha256 {Hex(corrupted)}, expected {Hex(part1)}");
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
