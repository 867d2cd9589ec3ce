using Bunit;
using Microsoft.AspNetCore.Components;
using Registry.Tests.Core;
using Registry.Web.Components.Pages.Collections;
using Registry.Web.Components.Pages.Containers;

namespace Registry.Tests.Components;

/// <summary>
/// Issue 18: what a row of the long pages weighs. At 1M images with 32 users, the render of a page of 50 rows was the cost
/// (MudTr, a MudTd per cell, MudTooltips and MudIconButtons: ~2 KB of HTML and ~0.5 ms of CPU a row). Pinned here
/// without a clock: a page of 50 rows renders as many components as a page of one, and each row stays under a byte budget,
/// for a visitor and for an owner (who gets the freeze and delete buttons).
/// </summary>
public sealed class PageWeightTests : RegistryTestContext
{
    private const int TagRowBytes = 1_800, OwnerTagRowBytes = 3_300, ContainerRowBytes = 900;

    [Theory]
    [InlineData(false, TagRowBytes)]
    [InlineData(true, OwnerTagRowBytes)]
    public async Task A_container_page_of_50_tags_renders_no_component_per_row_and_light_rows(bool owner, int budget)
    {
        var alice = await Db.AddUserAsync("alice");
        await TallContainer.AddAsync(Db, alice, tags: Registry.Core.Containers.ContainerBrowser.RowsPerPage, untagged: 0, collection: "deep");
        await TallContainer.AddAsync(Db, alice, tags: 1, untagged: 0, collection: "short");
        if (owner) SignIn(alice);
        RenderProviders();

        var tall = ContainerPage("deep");
        var one = ContainerPage("short");
        tall.WaitForAssertion(() => tall.FindAll("tbody tr").Count.ShouldBe(Registry.Core.Containers.ContainerBrowser.RowsPerPage));
        one.WaitForAssertion(() => one.FindAll("tbody tr").Count.ShouldBe(1));

        // The same components whatever the rows: the selected row's panels, the page's frame, none per row.
        tall.WaitForAssertion(() => Components(tall).ShouldBe(Components(one)));
        tall.FindAll("button[aria-label=Freeze]").Count.ShouldBe(owner ? Registry.Core.Containers.ContainerBrowser.RowsPerPage : 0);
        var heaviest = tall.FindAll("tbody tr").Max(r => r.OuterHtml.Length);
        heaviest.ShouldBeLessThan(budget);
    }

    [Fact]
    public async Task A_collection_page_of_50_containers_renders_no_component_per_row_and_light_rows()
    {
        var alice = await Db.AddUserAsync("alice");
        var wide = await CreateCollectionAsync(alice, "wide");
        var narrow = await CreateCollectionAsync(alice, "narrow");
        await AddContainersAsync(wide, Registry.Core.Collections.CollectionBrowser.ContainersPerPage);
        await AddContainersAsync(narrow, 1);
        RenderProviders();

        var many = CollectionPage("wide");
        var one = CollectionPage("narrow");
        many.WaitForAssertion(() => many.FindAll("tbody tr").Count.ShouldBe(Registry.Core.Collections.CollectionBrowser.ContainersPerPage));
        one.WaitForAssertion(() => one.FindAll("tbody tr").Count.ShouldBe(1));

        many.WaitForAssertion(() => Components(many).ShouldBe(Components(one)));
        many.FindAll("td[data-label=Tags]").ShouldAllBe(td => td.TextContent.Contains("latest · amd64") && td.TextContent.Contains("1.0 · amd64"));
        many.FindAll("tbody tr").Max(r => r.OuterHtml.Length).ShouldBeLessThan(ContainerRowBytes);
    }

    private IRenderedComponent<ContainerPage> ContainerPage(string collection) =>
        Render<ContainerPage>(p => p.Add(x => x.Entity, "alice").Add(x => x.Collection, collection).Add(x => x.Container, "tall"));

    private IRenderedComponent<CollectionPage> CollectionPage(string collection) =>
        Render<CollectionPage>(p => p.Add(x => x.Entity, "alice").Add(x => x.Collection, collection));

    /// <summary>How many components of each type the page renders, e.g. "MudText × 3".</summary>
    private static List<string> Components<T>(IRenderedComponent<T> page) where T : class, IComponent =>
        ((IRenderedComponent<IComponent>)page).FindComponents<IComponent>().GroupBy(c => c.Instance.GetType().Name).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} × {g.Count()}").ToList();

    /// <summary>Containers c000… of one uploaded image each, tagged latest and 1.0, written as rows.</summary>
    private async Task AddContainersAsync(string collectionId, int count)
    {
        await using var db = await Db.Factory.CreateDbContextAsync();
        var at = TallContainer.Start;
        for (var i = 0; i < count; i++)
        {
            var x = new Registry.Core.Containers.Container { CollectionId = collectionId, Name = $"c{i:D3}", CreatedAt = at, UpdatedAt = at };
            var image = new Registry.Core.Images.Image { ContainerId = x.Id, Hash = $"{i:x64}", Size = 2 << 20, Uploaded = true,
                Arch = "amd64", UploadedAt = at, CreatedAt = at };
            db.Containers.Add(x);
            db.Images.Add(image);
            foreach (var tag in new[] { "latest", "1.0" })
                db.Tags.Add(new Registry.Core.Tags.Tag { ContainerId = x.Id, ImageId = image.Id, Arch = "amd64", Name = tag, UpdatedAt = at });
        }
        await db.SaveChangesAsync();
    }
}
