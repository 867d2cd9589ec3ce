using System.Net;
using System.Net.Http.Headers;

namespace Registry.Tests.Api;

/// <summary>Pull: 303 to a signed URL with HEAD, Range, ETag; shub manifests. See docs/library-api.md §Pull, docs/shub.md.</summary>
public class DownloadTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private async Task<(byte[] File, Uri Location)> PushedAsync(string owner)
    {
        var (_, token) = await factory.CreateUserAsync(owner);
        var file = SifBuilder.Bytes(300_000);
        await new LibraryClient(factory.Client(token)).PushAsync(owner, "c", "x", file, "latest");
        var response = await factory.Client().GetAsync($"/v1/imagefile/{owner}/c/x:latest?arch=amd64");
        response.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        response.Headers.Location!.IsAbsoluteUri.ShouldBeTrue();
        return (file, response.Headers.Location);
    }

    [Fact]
    public async Task Signed_url_serves_ranges_head_and_whole_file()
    {
        var (file, location) = await PushedAsync("puller");
        var http = new HttpClient();

        var probe = new HttpRequestMessage(HttpMethod.Get, location) { Headers = { Range = new RangeHeaderValue(0, 1024) } };
        var partial = await http.SendAsync(probe);
        partial.StatusCode.ShouldBe(HttpStatusCode.PartialContent);
        partial.Content.Headers.ContentRange!.ToString().ShouldBe($"bytes 0-1024/{file.Length}");
        (await partial.Content.ReadAsByteArrayAsync()).ShouldBe(file[..1025]);

        var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        head.StatusCode.ShouldBe(HttpStatusCode.OK);
        head.Content.Headers.ContentLength.ShouldBe(file.Length);
        head.Headers.AcceptRanges.ShouldContain("bytes");
        head.Headers.ETag!.Tag.ShouldNotBeNullOrEmpty();

        (await http.GetByteArrayAsync(location)).ShouldBe(file);
    }

    [Fact]
    public async Task A_job_array_of_concurrent_ranged_pulls_gets_the_exact_bytes()
    {
        // Issue 18: beyond 16 concurrent sends each reads smaller chunks; every range must still be exact.
        var (_, token) = await factory.CreateUserAsync("jobarray");
        var file = SifBuilder.Bytes(2_000_000);
        await new LibraryClient(factory.Client(token)).PushAsync("jobarray", "c", "x", file, "latest");
        var http = new HttpClient();
        const int part = 300_000;
        var pulls = Enumerable.Range(0, 32).Select(async _ =>
        {
            var redirect = await factory.Client().GetAsync("/v1/imagefile/jobarray/c/x:latest?arch=amd64");
            redirect.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
            var parts = await Task.WhenAll(Enumerable.Range(0, (file.Length + part - 1) / part).Select(async k =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, redirect.Headers.Location)
                    { Headers = { Range = new RangeHeaderValue(k * part, Math.Min(file.Length, (k + 1) * part) - 1) } };
                var response = await http.SendAsync(request);
                response.StatusCode.ShouldBe(HttpStatusCode.PartialContent);
                return await response.Content.ReadAsByteArrayAsync();
            }));
            return parts.SelectMany(p => p).ToArray();
        });
        (await Task.WhenAll(pulls)).ShouldAllBe(pulled => pulled.SequenceEqual(file));
    }

    [Fact]
    public async Task Out_of_range_and_tampered_urls_get_json_errors()
    {
        var (file, location) = await PushedAsync("ranges");
        var http = new HttpClient();
        var beyond = new HttpRequestMessage(HttpMethod.Get, location) { Headers = { Range = new RangeHeaderValue(file.Length + 10, file.Length + 20) } };
        var response = await http.SendAsync(beyond);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestedRangeNotSatisfiable);
        (await response.Content.ReadAsStringAsync()).ShouldStartWith("""{"error":{"code":416""");

        var tampered = new Uri(location.ToString().Replace("sig=", "sig=0"));
        var forbidden = await http.GetAsync(tampered);
        forbidden.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await forbidden.Content.ReadAsStringAsync()).ShouldContain("invalid or has expired");
    }

    [Fact]
    public async Task Shub_manifest_names_commit_and_downloadable_image()
    {
        var (file, _) = await PushedAsync("shubber");
        // A collection named "c" exists for several users in this fixture: the answer names the library:// refs.
        var ambiguous = await factory.Client().GetAsync("/api/container/c/x:latest");
        if (ambiguous.StatusCode == HttpStatusCode.Conflict)
            (await ambiguous.Content.ReadAsStringAsync()).ShouldContain("library://shubber/c/x:latest");

        var (_, token) = await factory.CreateUserAsync("shubonly");
        var other = SifBuilder.Bytes(5000);
        await new LibraryClient(factory.Client(token)).PushAsync("shubonly", "uniquecoll", "tool", other, "v2");
        var manifest = await new LibraryClient(factory.Client()).GetAsync("/api/container/uniquecoll/tool:v2");
        manifest.Status.ShouldBe(HttpStatusCode.OK);
        var body = manifest.Body!;
        body["name"]!.GetValue<string>().ShouldBe("tool"); // the container alone: sregistry-cli files its download by it
        body["tag"]!.GetValue<string>().ShouldBe("v2");
        body["commit"]!.GetValue<string>().ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(other)));
        (await new HttpClient().GetByteArrayAsync((string)body["image"]!)).ShouldBe(other);
    }
}
