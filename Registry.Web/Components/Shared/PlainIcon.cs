using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;

namespace Registry.Web.Components.Shared;

/// <summary>
/// MudIcon's markup as one string, built once per icon and class: for icons in the rows of long lists, where a MudIcon
/// (or a MudIconButton, a MudChip) per row costs more than the rest of the row (issue 18).
/// </summary>
public static class PlainIcon
{
    private static readonly ConcurrentDictionary<(string Icon, string Classes), MarkupString> Built = new();

    /// <summary>The small <c>svg</c> MudIcon renders for <paramref name="icon"/> (a MudBlazor <c>Icons.…</c> path).</summary>
    /// <param name="classes">More classes on the svg, e.g. a colour such as <c>mud-success-text</c>.</param>
    public static MarkupString Small(string icon, string classes = "mud-inherit-text") =>
        Built.GetOrAdd((icon, classes), key => new MarkupString(
            $"<svg class=\"mud-icon-root mud-svg-icon {key.Classes} mud-icon-size-small\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" role=\"img\">{key.Icon}</svg>"));
}
