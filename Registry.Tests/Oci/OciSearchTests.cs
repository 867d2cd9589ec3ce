using System.Net;
using AngleSharp.Html.Parser;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Oci;

/// <summary>
/// Containers that hold only container images pushed through <c>/v2/</c> are found by <c>/v1/search</c> and the web search
/// by name and by their tags (both faces: Library tags and /v2/ tags), and a private one only by those who may see it.
/// </summary>
public class OciSearchTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private static async Task<List<string>> ContainersFoundAsync(HttpClient client, string value)
    {
        var (status, body) = await new LibraryClient(client).GetAsync($"/v1/search?value={value}");
        status.ShouldBe(HttpStatusCode.OK);
        return body!["data"]!["container"]!.AsArray().Select(c => $"{c!["entityName"]}/{c["collectionName"]}/{c["name"]}").Order().ToList();
    }

    private async Task<(List<string> Containers, List<(string Path, string Tags)> Tagged)> WebSearchAsync(string q)
    {
        var document = new HtmlParser().ParseDocument(await factory.Client().GetStringAsync($"/search?q={Uri.EscapeDataString(q)}"));
        var containers = document.QuerySelectorAll("[data-testid=found-containers] a").Select(a => a.GetAttribute("href")!).ToList();
        var tagged = document.QuerySelectorAll("[data-testid=found-tags] .registry-link-row")
            .Select(row => (row.QuerySelector("a")!.GetAttribute("href")!, string.Join(",", row.QuerySelectorAll(".mud-chip").Select(c => c.TextContent.Trim())))).ToList();
        return (containers, tagged);
    }

    [Fact]
    public async Task A_container_holding_only_container_images_is_found_by_name_and_tag_and_a_private_one_only_by_its_owner()
    {
        var (_, token) = await factory.CreateUserAsync("osrch");
        var (_, otherToken) = await factory.CreateUserAsync("osrchother");
        var library = new LibraryClient(factory.Client(token));
        var (_, entity) = await library.GetAsync("/v1/entities/osrch");
        (await library.PostAsync("/v1/collections", new { name = "vault", entity = (string)entity!["data"]!["id"]!, @private = true })).Status.ShouldBe(HttpStatusCode.OK);
        var oci = new OciClient(factory.BaseAddress, "osrch", token);
        (await oci.LoginAsync("repository:osrch/lab/webserver:pull,push repository:osrch/vault/webserver-secret:pull,push")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await oci.PushImageAsync("osrch/lab/webserver", "nightly-20261207")).Response.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await oci.PushImageAsync("osrch/vault/webserver-secret", "nightly-20261208")).Response.StatusCode.ShouldBe(HttpStatusCode.Created);

        (await ContainersFoundAsync(factory.Client(), "webserver")).ShouldBe(["osrch/lab/webserver"]);
        (await ContainersFoundAsync(factory.Client(otherToken), "webserver")).ShouldBe(["osrch/lab/webserver"]);
        (await ContainersFoundAsync(factory.Client(token), "webserver")).ShouldBe(["osrch/lab/webserver", "osrch/vault/webserver-secret"]);

        var (byName, _) = await WebSearchAsync("webserver");
        byName.ShouldBe(["osrch/lab/webserver"]);
        var (_, byTag) = await WebSearchAsync("nightly-2026120");
        byTag.ShouldBe([("osrch/lab/webserver", "nightly-20261207")]);
        var (_, hidden) = await WebSearchAsync("nightly-20261208");
        hidden.ShouldBeEmpty();
    }

    [Fact]
    public async Task V1_search_finds_a_container_by_its_tags_on_both_faces_and_a_private_one_only_for_those_who_may_see_it()
    {
        var (_, token) = await factory.CreateUserAsync("otagsrch");
        var (_, otherToken) = await factory.CreateUserAsync("otagsrchother");
        var library = new LibraryClient(factory.Client(token));
        var (_, entity) = await library.GetAsync("/v1/entities/otagsrch");
        (await library.PostAsync("/v1/collections", new { name = "hidden", entity = (string)entity!["data"]!["id"]!, @private = true })).Status.ShouldBe(HttpStatusCode.OK);
        var oci = new OciClient(factory.BaseAddress, "otagsrch", token);
        (await oci.LoginAsync("repository:otagsrch/lab/webapp:pull,push repository:otagsrch/hidden/vaultapp:pull,push")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await oci.PushImageAsync("otagsrch/lab/webapp", "canary-zq7")).Response.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await oci.PushImageAsync("otagsrch/hidden/vaultapp", "canary-zq8")).Response.StatusCode.ShouldBe(HttpStatusCode.Created);
        await library.PushAsync("otagsrch", "lab", "tool", SifBuilder.Bytes(2000), "stable-qx4");

        (await ContainersFoundAsync(factory.Client(), "canary-zq")).ShouldBe(["otagsrch/lab/webapp"]);
        (await ContainersFoundAsync(factory.Client(otherToken), "canary-zq")).ShouldBe(["otagsrch/lab/webapp"]);
        (await ContainersFoundAsync(factory.Client(token), "CANARY-ZQ8")).ShouldBe(["otagsrch/hidden/vaultapp"]);
        (await ContainersFoundAsync(factory.Client(), "stable-qx")).ShouldBe(["otagsrch/lab/tool"]);
        (await ContainersFoundAsync(factory.Client(), "canary_zq")).ShouldBeEmpty(); // '_' is a character, not a wildcard
    }
}
