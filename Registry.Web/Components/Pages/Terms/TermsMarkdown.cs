using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Registry.Web.Components.Pages.Terms;

/// <summary>
/// The small Markdown subset terms of service need (headings, paragraphs, lists, bold, italics, code, links),
/// HTML-encoded first so the text can never inject markup.
/// </summary>
public static partial class TermsMarkdown
{
    public static string ToHtml(string markdown)
    {
        var html = new StringBuilder();
        var paragraph = new List<string>();
        var inList = false;
        void Flush()
        {
            if (paragraph.Count > 0) html.Append("<p>").Append(Inline(string.Join(' ', paragraph))).Append("</p>");
            paragraph.Clear();
            if (inList) { html.Append("</ul>"); inList = false; }
        }
        foreach (var raw in markdown.Replace("\r\n", "\n").Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0) { Flush(); continue; }
            if (Heading().Match(line) is { Success: true } h)
            {
                Flush();
                var level = Math.Min(h.Groups[1].Length + 2, 6); // # becomes h3: the page already has its h1
                html.Append($"<h{level}>").Append(Inline(h.Groups[2].Value)).Append($"</h{level}>");
            }
            else if (ListItem().Match(line) is { Success: true } li)
            {
                if (paragraph.Count > 0) { html.Append("<p>").Append(Inline(string.Join(' ', paragraph))).Append("</p>"); paragraph.Clear(); }
                if (!inList) { html.Append("<ul>"); inList = true; }
                html.Append("<li>").Append(Inline(li.Groups[1].Value)).Append("</li>");
            }
            else paragraph.Add(line);
        }
        Flush();
        return html.ToString();
    }

    private static string Inline(string text)
    {
        var s = WebUtility.HtmlEncode(text);
        s = Code().Replace(s, "<code>$1</code>");
        s = Bold().Replace(s, "<strong>$1</strong>");
        s = Italic().Replace(s, "<em>$1</em>");
        return Link().Replace(s, "<a href=\"$2\" rel=\"noopener\">$1</a>");
    }

    [GeneratedRegex(@"^(#{1,4})\s+(.*)$")] private static partial Regex Heading();
    [GeneratedRegex(@"^(?:[-*]|\d+\.)\s+(.*)$")] private static partial Regex ListItem();
    [GeneratedRegex(@"`([^`]+)`")] private static partial Regex Code();
    [GeneratedRegex(@"\*\*(.+?)\*\*")] private static partial Regex Bold();
    [GeneratedRegex(@"(?<![*\w])\*(?!\s)(.+?)\*(?!\*)")] private static partial Regex Italic();
    // Only http(s) and site-relative links; anything else (javascript:, data:) stays text.
    [GeneratedRegex(@"\[([^\]]+)\]\(((?:https?://|/)[^\s)""]+)\)")] private static partial Regex Link();
}
