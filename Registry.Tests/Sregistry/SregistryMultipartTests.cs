using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Storage;
using Registry.Tests.Api;

namespace Registry.Tests.Sregistry;

/// <summary>
/// <c>/upload</c>'s multipart body over real HTTP: bytes that look like the boundary, on and across the seams of Kestrel's
/// buffers, framing other clients send, framing that is wrong (a 400 saying so, never a 500), a body cut off inside the
/// file or inside a field, and pushes at once.
/// </summary>
public sealed class SregistryMultipartTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private const string Boundary = "b0undary-7f3e";

    [Fact]
    public async Task A_file_full_of_near_boundaries_across_buffer_seams_arrives_byte_for_byte()
    {
        var client = await UserAsync("smpnear");
        var file = SifBuilder.Bytes(3 * (1 << 20) + 12_345);
        var near = Encoding.ASCII.GetBytes($"\r\n--{Boundary}");
        // Every prefix of the delimiter short of the whole, each followed by a byte that breaks it, every ~4 KiB: some
        // land on the seams between Kestrel's blocks, wherever the socket reads put those.
        for (int at = 1000, i = 0; at + near.Length < file.Length; at += 4099 + i % 7, i++)
        {
            var cut = 1 + i % (near.Length - 1);
            near.AsSpan(0, cut).CopyTo(file.AsSpan(at));
            file[at + cut] = (byte)'x'; // never the delimiter's next byte: a random one would complete it one time in 256
        }
        near.AsSpan(0, near.Length - 1).CopyTo(file.AsSpan(file.Length - near.Length + 1)); // the file ends on a near-delimiter
        var cid = await CidAsync(client, "smpnearlab", "near");

        var body = Body(client, "smpnearlab", "near", cid, file, preamble: "a preamble\r\n", padding: " \t", closing: "--\r\nepilogue");
        var (status, answer) = await SendAsync(client, body);

        status.ShouldBe(HttpStatusCode.OK, answer?.ToJsonString());
        var (pulled, _, image) = await client.PullAsync("smpnearlab", "near", "v1");
        pulled.ShouldBe(HttpStatusCode.OK);
        Convert.ToHexStringLower(SHA256.HashData(image!)).ShouldBe(Convert.ToHexStringLower(SHA256.HashData(file)));
    }

    [Fact]
    public async Task A_body_that_ends_inside_the_file_is_a_400_and_leaves_nothing()
    {
        var client = await UserAsync("smpcut");
        var file = SifBuilder.Bytes(2 << 20);
        var cid = await CidAsync(client, "smpcutlab", "cut");
        var body = Body(client, "smpcutlab", "cut", cid, file);
        var cut = body[..(body.Length - 1000)]; // a complete HTTP body, whose multipart framing stops inside file1

        var (status, answer) = await SendAsync(client, cut);

        status.ShouldBe(HttpStatusCode.BadRequest);
        answer!["detail"]!.GetValue<string>().ShouldStartWith("the upload was cut off");
        factory.Services.GetRequiredService<IBlobStore>().ListUploads().ShouldBeEmpty();
        (await client.PullAsync("smpcutlab", "cut", "v1")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("no boundary at all", "the upload was cut off: ")] // the body ends before its first boundary
    [InlineData("--" + Boundary + "\r\nno colon here\r\n\r\nx\r\n--" + Boundary + "--\r\n", "malformed multipart body: ")]
    [InlineData("--" + Boundary + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + Boundary + "--\r\n", "a multipart section has no Content-Disposition")]
    [InlineData("--" + Boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nunfinished", "the upload was cut off: ")]
    [InlineData("--" + Boundary + "--\r\n", "the upload has no file1 part")]
    public async Task Wrong_framing_is_a_400_that_says_what_is_wrong(string text, string detail)
    {
        var client = new SregistryClient(factory.BaseAddress, "nobody", "none"); // unsigned: the framing is read first
        var (status, answer) = await SendAsync(client, Encoding.ASCII.GetBytes(text));
        status.ShouldBe(HttpStatusCode.BadRequest, answer?.ToJsonString());
        answer!["detail"]!.GetValue<string>().ShouldStartWith(detail);
    }

    [Fact]
    public async Task A_section_header_over_the_limit_is_a_400()
    {
        var client = new SregistryClient(factory.BaseAddress, "nobody", "none");
        var text = $"--{Boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\nX-Long: {new string('x', 20_000)}\r\n\r\nx\r\n--{Boundary}--\r\n";
        var (status, answer) = await SendAsync(client, Encoding.ASCII.GetBytes(text));
        status.ShouldBe(HttpStatusCode.BadRequest, answer?.ToJsonString());
        answer!["detail"]!.GetValue<string>().ShouldStartWith("malformed multipart body: ");
    }

    [Fact]
    public async Task Pushes_at_once_each_store_their_own_bytes()
    {
        var client = await UserAsync("smpmany");
        var files = Enumerable.Range(0, 6).Select(i => SifBuilder.Bytes((2 << 20) + 4099 * i)).ToArray();
        var pushes = files.Select((file, i) => client.PushAsync("smpmanylab", $"c{i}", "v1", file)).ToArray();
        foreach (var (status, body) in await Task.WhenAll(pushes)) status.ShouldBe(HttpStatusCode.OK, body?.ToJsonString());

        for (var i = 0; i < files.Length; i++)
        {
            var (_, manifest, image) = await client.PullAsync("smpmanylab", $"c{i}", "v1");
            manifest!["version"]!.GetValue<string>().ShouldBe("sha256." + Convert.ToHexStringLower(SHA256.HashData(files[i])));
            image.ShouldBe(files[i]);
        }
    }

    private async Task<SregistryClient> UserAsync(string name)
    {
        var (_, token) = await factory.CreateUserAsync(name);
        return new SregistryClient(factory.BaseAddress, name, token);
    }

    private static async Task<string> CidAsync(SregistryClient client, string collection, string name)
    {
        var (status, start) = await client.StartPushAsync(collection, name, "v1");
        status.ShouldBe(HttpStatusCode.OK);
        return start!["cid"]!.ToString();
    }

    /// <summary>The form as sregistry-cli sends it, with what other encoders add: a preamble, padding after boundaries, lower-case header names.</summary>
    private static byte[] Body(SregistryClient client, string collection, string name, string cid, byte[] file,
        string preamble = "", string padding = "", string closing = "--\r\n")
    {
        var head = new StringBuilder(preamble);
        foreach (var (field, value) in new[] { ("SREGISTRY_EVENT", client.Authorize("upload", collection, name, "v1")), ("name", name), ("collection", cid), ("tag", "v1") })
            head.Append($"--{Boundary}{padding}\r\ncontent-disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n");
        head.Append($"--{Boundary}{padding}\r\nContent-Disposition: form-data; name=\"file1\"; filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. file, .. Encoding.ASCII.GetBytes($"\r\n--{Boundary}{closing}")];
    }

    private static async Task<(HttpStatusCode, JsonNode?)> SendAsync(SregistryClient client, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = content };
        return await client.SendAsync(request);
    }
}
