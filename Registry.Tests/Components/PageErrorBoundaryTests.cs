using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Registry.Web.Components.Layout;

namespace Registry.Tests.Components;

/// <summary>The layout's error boundary on an interactive page: a failed event shows a notice, a full disk says so, and no circuit dies.</summary>
public sealed class PageErrorBoundaryTests : RegistryTestContext
{
    private IRenderedComponent<PageErrorBoundary> RenderFailing(Exception failure) =>
        Render<PageErrorBoundary>(p => p.AddChildContent(b =>
        {
            b.OpenComponent<FailingSave>(0);
            b.AddComponentParameter(1, nameof(FailingSave.Failure), failure);
            b.CloseComponent();
        }));

    /// <summary>A page whose Save button fails with <see cref="Failure"/> (as a write does when SQLite cannot grow its file).</summary>
    private sealed class FailingSave : ComponentBase
    {
        [Parameter] public Exception Failure { get; set; } = default!;

        protected override void BuildRenderTree(Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder builder)
        {
            builder.OpenElement(0, "button");
            builder.AddAttribute(1, "onclick", EventCallback.Factory.Create<MouseEventArgs>(this, () => throw Failure));
            builder.AddContent(2, "Save");
            builder.CloseElement();
        }
    }

    [Fact]
    public void A_full_disk_during_an_event_shows_the_disk_full_notice()
    {
        var full = new DbUpdateException("An error occurred while saving the entity changes.", new SqliteException("SQLite Error 13: 'database or disk is full'.", 13));
        var page = RenderFailing(full);

        page.Find("button").Click();

        page.Find("h4").TextContent.ShouldBe("The registry's disk is full");
        page.Markup.ShouldContain("Nothing was saved.");
        page.Markup.ShouldNotContain("SQLite");
    }

    [Fact]
    public void Any_other_failure_shows_the_general_notice_without_its_text()
    {
        var page = RenderFailing(new InvalidOperationException("secret detail"));

        page.Find("button").Click();

        page.Markup.ShouldContain("Something went wrong");
        page.Markup.ShouldNotContain("disk is full");
        page.Markup.ShouldNotContain("secret detail");
    }
}
