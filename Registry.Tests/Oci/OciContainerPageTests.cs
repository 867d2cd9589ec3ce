using System.Net;
using AngleSharp.Html.Parser;
using Registry.Tests.Api;

namespace Registry.Tests.Oci;

/// <summary>
/// The container page as the server renders it over real HTTP: the oras:// pull command beside the library:// one, and
/// per tag the manifest digest that <c>/v2/</c> answers in <c>Docker-Content-Digest</c> (pushed or built manifests).
/// </summary>
public sealed class OciContainerPageTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task The_page_shows_the_oras_pull_command_and_per_tag_the_digest_v2_serves()
    {
        var (_, token) = await factory.CreateUserAsync("pageann");
        var oci = new OciClient(factory.BaseAddress, "pageann", token);
        (await oci.LoginAsync("repository:pageann/lab/tool:pull,push")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (put, pushed) = await oci.PushSifAsync("pageann/lab/tool", "v1", SifBuilder.Bytes(40_000));
        put.StatusCode.ShouldBe(HttpStatusCode.Created);
        // One tag on two architectures, amd64 through the Library API (built manifest), then arm64 through /v2/ (pushed):
        // /v2/ serves the most recently set one for the tag.
        await new LibraryClient(factory.Client(token)).PushAsync("pageann", "lab", "tool", SifBuilder.Bytes(30_000, "02"), "multi");
        (await oci.PushSifAsync("pageann/lab/tool", "multi", SifBuilder.Bytes(30_000, "04"))).Response.StatusCode.ShouldBe(HttpStatusCode.Created);

        var rows = await RowsAsync("/pageann/lab/tool");
        rows.Select(r => (r.Tag, r.Arch)).ShouldBe([("multi", "arm64"), ("multi", "amd64"), ("v1", "amd64")]);
        rows.Select(r => r.Digest).Distinct().Count().ShouldBe(3);
        var anonymous = new OciClient(factory.BaseAddress);
        rows[2].Digest.ShouldBe(OciClient.Digest(pushed)); // the manifest as pushed, not a rebuilt one
        foreach (var (tag, reference) in new[] { ("v1", "v1"), ("multi", "multi") })
        {
            using var get = await anonymous.SendAsync(HttpMethod.Get, $"/v2/pageann/lab/tool/manifests/{reference}");
            get.StatusCode.ShouldBe(HttpStatusCode.OK);
            get.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(rows.First(r => r.Tag == tag).Digest);
        }
        // The architecture the tag no longer resolves to is still pullable by the digest shown for it.
        using var older = await anonymous.SendAsync(HttpMethod.Head, $"/v2/pageann/lab/tool/manifests/{rows[1].Digest}");
        older.StatusCode.ShouldBe(HttpStatusCode.OK);
        older.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(rows[1].Digest);

        // The same digests on every request (built manifests are a function of the image).
        (await RowsAsync("/pageann/lab/tool")).ShouldBe(rows);
        var html = await factory.Client().GetStringAsync("/pageann/lab/tool");
        var host = factory.BaseAddress.Authority;
        html.ShouldContain($"apptainer pull library://{host}/pageann/lab/tool:multi");
        html.ShouldContain($"apptainer pull oras://{host}/pageann/lab/tool:multi");
    }

    private async Task<List<(string Tag, string Arch, string Digest)>> RowsAsync(string path)
    {
        var response = await factory.Client().GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var document = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        return document.QuerySelectorAll("tbody tr").Select(tr => (
            tr.QuerySelector("[data-label=Tag] b")!.TextContent.Trim(),
            tr.QuerySelector("[data-label=Arch]")!.TextContent.Trim(),
            tr.QuerySelector("[data-label=Manifest] [data-digest]")!.GetAttribute("data-digest")!)).ToList();
    }
}
