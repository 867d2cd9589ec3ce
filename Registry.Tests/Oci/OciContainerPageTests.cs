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
        // /v2/ serves an index of the two for the tag.
        await new LibraryClient(factory.Client(token)).PushAsync("pageann", "lab", "tool", SifBuilder.Bytes(30_000, "02"), "multi");
        (await oci.PushSifAsync("pageann/lab/tool", "multi", SifBuilder.Bytes(30_000, "04"))).Response.StatusCode.ShouldBe(HttpStatusCode.Created);

        var rows = await RowsAsync("/pageann/lab/tool");
        rows.Select(r => (r.Tag, r.Arch)).ShouldBe([("multi", "arm64"), ("multi", "amd64"), ("v1", "amd64")]);
        rows.Select(r => r.Digest).Distinct().Count().ShouldBe(3);
        var anonymous = new OciClient(factory.BaseAddress);
        rows[2].Digest.ShouldBe(OciClient.Digest(pushed)); // the manifest as pushed, not a rebuilt one
        using (var get = await anonymous.SendAsync(HttpMethod.Get, "/v2/pageann/lab/tool/manifests/v1"))
            get.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(rows[2].Digest);
        using (var get = await anonymous.SendAsync(HttpMethod.Get, "/v2/pageann/lab/tool/manifests/multi"))
        {
            var index = System.Text.Json.Nodes.JsonNode.Parse(await get.Content.ReadAsStringAsync())!;
            index["manifests"]!.AsArray().Select(m => ((string)m!["digest"]!, (string)m["platform"]!["architecture"]!))
                .ShouldBe([(rows[1].Digest, "amd64"), (rows[0].Digest, "arm64")]);
        }
        // Each architecture is also pullable by the digest shown for it.
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

    [Fact]
    public async Task Container_images_and_indexes_are_listed_as_what_they_are_beside_the_sif_rows()
    {
        var (_, token) = await factory.CreateUserAsync("pageimg");
        var oci = new OciClient(factory.BaseAddress, "pageimg", token);
        (await oci.LoginAsync("repository:pageimg/lab/app:pull,push")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (_, image) = await oci.PushImageAsync("pageimg/lab/app", "v1", layers: 3);
        var index = System.Text.Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["digest"] = OciClient.Digest(image), ["size"] = image.Length,
                ["platform"] = new System.Text.Json.Nodes.JsonObject { ["architecture"] = "amd64", ["os"] = "linux" },
            }),
        }.ToJsonString());
        (await oci.PutManifestAsync("pageimg/lab/app", "multi", index, "application/vnd.oci.image.index.v1+json")).StatusCode.ShouldBe(HttpStatusCode.Created);

        var html = await factory.Client().GetStringAsync("/pageimg/lab/app");
        var document = new HtmlParser().ParseDocument(html);
        var rows = document.QuerySelectorAll(".oci-artifacts tbody tr").Select(tr => (
            Tags: tr.QuerySelector("[data-label=Tags]")!.TextContent.Trim(),
            What: tr.QuerySelector("[data-label=What]")!.TextContent.Trim(),
            Digest: tr.QuerySelector("[data-digest]")!.GetAttribute("data-digest")!,
            Pull: tr.QuerySelector("[data-label=Pull]")!.TextContent.Trim())).ToList();
        rows.ShouldBe([
            ("multi", "multi-arch index of 1 (linux/amd64)", OciClient.Digest(index), $"skopeo copy docker://{factory.BaseAddress.Authority}/pageimg/lab/app:multi …"),
            ("v1", "container image (OCI), 3 layers", OciClient.Digest(image), $"skopeo copy docker://{factory.BaseAddress.Authority}/pageimg/lab/app:v1 …"),
        ]);
        html.ShouldContain("No SIF images yet.");
        // A SIF-only container shows no such section.
        (await oci.PushSifAsync("pageimg/lab/app", "sif", SifBuilder.Bytes(2000))).Response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var sifOnly = new OciClient(factory.BaseAddress, "pageimg", token);
        await sifOnly.LoginAsync("repository:pageimg/lab/only:pull,push");
        (await sifOnly.PushSifAsync("pageimg/lab/only", "v1", SifBuilder.Bytes(2000))).Response.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await factory.Client().GetStringAsync("/pageimg/lab/only")).ShouldNotContain("oci-artifacts");
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
