using System.Text.Json.Nodes;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Containers;
using Registry.Core.Oci;
using Registry.Core.Storage;
using static Registry.Tests.Core.TallContainer;

namespace Registry.Tests.Core;

/// <summary>
/// Issue 18: the container page reads one page of rows in SQL. Every row is on exactly one page, in the order the page
/// always had (tags newest first, then untagged images newest first); a tag's pull-by-name row and each row's manifest
/// digest are what <c>/v2/</c> serves, also when a tag's other architecture is on another page; private stays private.
/// </summary>
public class ContainerBrowserTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    private TestDatabase _db = default!;
    private Actor _owner = default!;
    private ContainerBrowser _browser = default!;
    private string _containerId = "";

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(Provider);
        _owner = await _db.AddUserAsync("owner");
        _containerId = await AddAsync(_db, _owner, tags: 121, untagged: 3);
        _browser = new ContainerBrowser(_db.Factory);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private async Task<ContainerView> OpenAsync(int page, Actor? actor = null) =>
        (await _browser.OpenAsync(actor ?? Actor.Anonymous, "owner", "deep", "tall", page)).Value!;

    [Fact]
    public async Task Every_row_is_on_exactly_one_page_tags_newest_first_then_the_untagged_images()
    {
        var pages = new List<ContainerView>();
        for (var p = 0; p < 3; p++) pages.Add(await OpenAsync(p));

        pages.Select(v => v.Rows.Count).ShouldBe([50, 50, 24]);
        pages.ShouldAllBe(v => v.Total == 124 && v.Pages == 3);
        pages.Select(v => v.Page).ShouldBe([0, 1, 2]);
        var rows = pages.SelectMany(v => v.Rows).ToList();
        rows.Take(121).Select(r => (r.Tag, r.Arch, r.Image.Hash))
            .ShouldBe(Enumerable.Range(0, 121).Reverse().Select(k => ((string?)$"t{k / 2}", Arch(k), Hex(k))));
        rows.Skip(121).Select(r => r.Image.Hash).ShouldBe([Hex(10_002), Hex(10_001), Hex(10_000)]);
        rows.Skip(121).ShouldAllBe(r => r.Tag == null && !r.ServedByTag && r.Manifest != null);
        rows.ShouldNotContain(r => r.Image.Hash == Hex(20_000)); // never uploaded

        // A page past the end (the last rows just deleted, an old link) shows the last page.
        var past = await OpenAsync(7);
        past.Page.ShouldBe(2);
        past.Rows.Select(r => r.Image.Id).ShouldBe(pages[2].Rows.Select(r => r.Image.Id));
        (await OpenAsync(-3)).Rows.Select(r => r.Image.Id).ShouldBe(pages[0].Rows.Select(r => r.Image.Id));
    }

    [Fact]
    public async Task A_tag_is_pulled_by_name_on_its_newest_row_only_even_with_its_other_row_on_another_page()
    {
        var first = await OpenAsync(0);
        var second = await OpenAsync(1);

        // Page 1 ends with t35 on arm64 (k = 71, its newest row); its amd64 row (k = 70) opens page 2.
        (first.Rows[^1].Tag, first.Rows[^1].Arch, first.Rows[^1].ServedByTag).ShouldBe(("t35", "arm64", true));
        (second.Rows[0].Tag, second.Rows[0].Arch, second.Rows[0].ServedByTag).ShouldBe(("t35", "amd64", false));
        (first.Rows[0].Tag, first.Rows[0].ServedByTag).ShouldBe(("t60", true)); // on one architecture only
        first.Rows.Concat(second.Rows).ShouldAllBe(r => r.ServedByTag == (r.Arch == "arm64" || r.Tag == "t60"));
    }

    [Fact]
    public async Task Each_shown_row_carries_the_manifest_digest_v2_serves_for_its_image()
    {
        // One image of page 2 got a manifest pushed through /v2/ (named differently): /v2/ serves that one for it, not the built one.
        var image = (await OpenAsync(1)).Rows[3].Image;
        var content = SifManifest.Build("pushed-elsewhere", new Digest(image.Hash), image.Size);
        var pushed = SifManifest.DigestOf(content);
        await using (var ctx = await _db.Factory.CreateDbContextAsync())
        {
            ctx.OciManifests.Add(new OciManifest { ContainerId = _containerId, ImageId = image.Id, Hash = pushed.Hex, MediaType = SifManifest.ManifestType, Content = content });
            await ctx.SaveChangesAsync();
        }
        var rows = (await OpenAsync(1)).Rows;
        rows[3].Manifest.ShouldBe(pushed);

        var manifests = new OciManifests(_db.Factory);
        var repo = new OciRepository("owner", "deep", "tall");
        foreach (var row in rows)
        {
            var served = await manifests.GetAsync(Actor.Anonymous, repo, row.Manifest!.Value.Oci());
            served.Value!.Digest.ShouldBe(row.Manifest.Value, row.Tag);
            JsonNode.Parse(served.Value.Content)!["layers"]![0]!["digest"]!.GetValue<string>().ShouldBe("sha256:" + row.Image.Hash);
        }
        // By name, a tag on two architectures is an index of exactly the two rows' manifests.
        var t30 = rows.Where(r => r.Tag == "t30").ToList();
        t30.Count.ShouldBe(2);
        var index = JsonNode.Parse((await manifests.GetAsync(Actor.Anonymous, repo, "t30")).Value!.Content)!;
        index["manifests"]!.AsArray().Select(m => (string)m!["digest"]!).Order()
            .ShouldBe(t30.Select(r => r.Manifest!.Value.Oci()).Order());
    }

    [Fact]
    public async Task Every_page_of_a_private_container_is_not_found_for_visitors_and_other_users()
    {
        await AddAsync(_db, _owner, tags: 60, untagged: 0, collection: "hidden", isPrivate: true);
        var stranger = await _db.AddUserAsync("stranger");

        foreach (var page in new[] { 0, 1 })
        {
            foreach (var actor in new[] { Actor.Anonymous, stranger })
            {
                var refused = await _browser.OpenAsync(actor, "owner", "hidden", "tall", page);
                refused.Outcome.ShouldBe(Outcome.NotFound);
                refused.Value.ShouldBeNull();
            }
            (await _browser.OpenAsync(_owner, "owner", "hidden", "tall", page)).Value!.Rows.Count.ShouldBe(page == 0 ? 50 : 10);
        }
        (await _browser.OpenAsync(Actor.Anonymous, "owner", "hidden", "../tall", 0)).Outcome.ShouldBe(Outcome.NotFound);
    }
}
