using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Registry.Web.Components.Pages.Collections;
using Registry.Web.Components.Pages.Treemap;

namespace Registry.Tests.Components;

public sealed class CollectionPagesTests : RegistryTestContext
{
    [Fact]
    public async Task Signed_in_users_star_a_collection_and_everyone_gets_usage_snippets()
    {
        var alice = await Db.AddUserAsync("alice");
        var bob = await Db.AddUserAsync("bob");
        await CreateCollectionAsync(alice, "tools");
        await PushAsync(alice, "tools", "demo", "v1", SifBuilder.WithObjects());
        SignIn(bob);
        RenderProviders();

        var page = Render<CollectionPage>(p => p.Add(x => x.Entity, "alice").Add(x => x.Collection, "tools"));

        page.WaitForAssertion(() => page.Find("td[data-label=Container]").TextContent.Trim().ShouldBe("demo"));
        page.Find("td[data-label=Tags]").TextContent.ShouldContain("v1 · arm64");
        // The container's real tag: it has no "latest", and a snippet naming one would fail with 404.
        page.Markup.ShouldContain("apptainer pull library://localhost/alice/tools/demo:v1");
        page.Markup.ShouldContain("singularity pull shub://localhost/tools/demo:v1");
        page.Markup.ShouldNotContain(":latest");
        page.Markup.ShouldContain("apptainer remote add --insecure registry http://localhost");
        page.Markup.ShouldContain("[![alice/tools](http://localhost/alice/tools/badge.svg)](http://localhost/alice/tools)");
        page.FindAll("a").Any(a => a.TextContent.Contains("Upload")).ShouldBeFalse();

        var star = page.Find("button[aria-label=Star]");
        star.TextContent.Trim().ShouldBe("0");
        star.Click();
        page.WaitForAssertion(() => page.Find("button[aria-label=Star]").TextContent.Trim().ShouldBe("1"));
    }

    [Fact]
    public async Task A_collection_of_many_containers_shows_them_a_page_at_a_time_in_name_order()
    {
        var alice = await Db.AddUserAsync("alice");
        var id = await CreateCollectionAsync(alice, "wide");
        await AddContainersAsync(id, Registry.Core.Collections.CollectionBrowser.ContainersPerPage + 10, tagsEach: 1);
        RenderProviders();

        var first = Render<CollectionPage>(p => p.Add(x => x.Entity, "alice").Add(x => x.Collection, "wide"));
        first.WaitForAssertion(() => first.FindAll("td[data-label=Container]").Count.ShouldBe(Registry.Core.Collections.CollectionBrowser.ContainersPerPage));
        first.FindAll("td[data-label=Container]").Select(td => td.TextContent.Trim())
            .ShouldBe(Enumerable.Range(0, Registry.Core.Collections.CollectionBrowser.ContainersPerPage).Select(i => $"w{i:D3}"));
        first.Find("[data-container-pages]").TextContent.ShouldContain("60 containers");

        var nav = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        nav.NavigateTo("alice/wide?page=2"); // where the Next link goes
        var second = Render<CollectionPage>(p => p.Add(x => x.Entity, "alice").Add(x => x.Collection, "wide"));
        second.WaitForAssertion(() => second.FindAll("td[data-label=Container]").Select(td => td.TextContent.Trim())
            .ShouldBe(Enumerable.Range(Registry.Core.Collections.CollectionBrowser.ContainersPerPage, 10).Select(i => $"w{i:D3}")));
        second.Find("td[data-label=Tags]").TextContent.ShouldContain("t0 · amd64");
    }

    [Fact]
    public async Task A_container_of_many_tags_renders_one_page_of_rows_newest_first_with_Previous_and_Next()
    {
        var alice = await Db.AddUserAsync("alice");
        var id = await CreateCollectionAsync(alice, "deep");
        await AddContainersAsync(id, 1, tagsEach: 60);
        RenderProviders();

        var page = Render<Registry.Web.Components.Pages.Containers.ContainerPage>(p =>
            p.Add(x => x.Entity, "alice").Add(x => x.Collection, "deep").Add(x => x.Container, "w000"));

        page.WaitForAssertion(() => page.FindAll("tbody tr").Count.ShouldBe(50));
        page.Find("tbody tr").TextContent.ShouldContain("t59"); // newest first
        page.Find("[data-tag-pages]").TextContent.ShouldContain("page 1 of 2 · 60 tag rows");
        page.FindAll("[data-tag-pages] a").Single(a => a.TextContent.Trim() == "Next").GetAttribute("href").ShouldBe("alice/deep/w000?page=2");

        var nav = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        nav.NavigateTo("alice/deep/w000?page=2"); // where the Next link goes
        var second = Render<Registry.Web.Components.Pages.Containers.ContainerPage>(p =>
            p.Add(x => x.Entity, "alice").Add(x => x.Collection, "deep").Add(x => x.Container, "w000"));
        second.WaitForAssertion(() => second.FindAll("td[data-label=Tag]").Select(td => td.TextContent.Trim())
            .ShouldBe(Enumerable.Range(0, 10).Reverse().Select(k => $"t{k}")));
        second.Find("[data-tag-pages]").TextContent.ShouldContain("page 2 of 2");
        second.FindAll("[data-tag-pages] a").Single(a => a.TextContent.Trim() == "Previous").GetAttribute("href").ShouldBe("alice/deep/w000");
    }

    /// <summary>Containers w000… with <paramref name="tagsEach"/> uploaded images tagged t0… (newest last), written as rows.</summary>
    private async Task AddContainersAsync(string collectionId, int count, int tagsEach)
    {
        await using var db = await Db.Factory.CreateDbContextAsync();
        var at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < count; i++)
        {
            var x = new Registry.Core.Containers.Container { CollectionId = collectionId, Name = $"w{i:D3}", CreatedAt = at, UpdatedAt = at };
            db.Containers.Add(x);
            for (var k = 0; k < tagsEach; k++)
            {
                var image = new Registry.Core.Images.Image { ContainerId = x.Id, Hash = $"{i:x32}{k:x32}", Size = 1000, Uploaded = true, Arch = "amd64",
                    UploadedAt = at.AddMinutes(k), CreatedAt = at.AddMinutes(k) };
                db.Images.Add(image);
                db.Tags.Add(new Registry.Core.Tags.Tag { ContainerId = x.Id, ImageId = image.Id, Arch = "amd64", Name = $"t{k}", UpdatedAt = at.AddMinutes(k) });
            }
        }
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task The_collections_grid_hides_private_collections_from_visitors()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        await CreateCollectionAsync(alice, "secret", isPrivate: true);
        RenderProviders();

        var page = Render<CollectionsPage>();

        page.WaitForAssertion(() => page.FindAll("td a").Select(a => a.TextContent).ShouldBe(["alice/tools"]));
    }

    [Fact]
    public async Task Owners_see_their_private_collections_in_the_grid()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        await CreateCollectionAsync(alice, "secret", isPrivate: true);
        SignIn(alice);
        RenderProviders();

        var page = Render<CollectionsPage>();

        page.WaitForAssertion(() => page.FindAll("td a").Select(a => a.TextContent).Order().ShouldBe(["alice/secret", "alice/tools"]));
    }

    [Fact]
    public async Task The_treemap_zooms_from_collections_into_containers()
    {
        var alice = await Db.AddUserAsync("alice");
        await CreateCollectionAsync(alice, "tools");
        await CreateCollectionAsync(alice, "other");
        await PushAsync(alice, "tools", "one", "v1", SifBuilder.WithObjects(deffile: new string('x', 5000)));
        await PushAsync(alice, "tools", "two", "v1", SifBuilder.WithObjects());
        await PushAsync(alice, "other", "three", "v1", SifBuilder.WithObjects());
        RenderProviders();

        var page = Render<TreemapPage>();

        page.WaitForAssertion(() => page.FindAll("svg.treemap title").Select(t => t.TextContent.Split(':')[0]).ShouldBe(["alice/tools", "alice/other"]));
        page.FindAll("svg.treemap g")[0].Click();
        page.WaitForAssertion(() => page.FindAll("svg.treemap title").Select(t => t.TextContent.Split(':')[0]).ShouldBe(["alice/tools/one", "alice/tools/two"]));
    }
}
