using System.Diagnostics;
using System.Text;
using Microsoft.Playwright;

namespace Registry.Tests.Browser;

/// <summary>
/// What a page did recently, kept for failure reports: console messages, uncaught errors, navigations, and a one-line
/// summary of each Blazor circuit frame (e.g. <c>SENT DispatchEventAsync change</c>, <c>RECV JS.RenderBatch</c>).
/// </summary>
public sealed class PageLog
{
    private const int Capacity = 400;
    private readonly Queue<string> _lines = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public static PageLog Attach(IPage page)
    {
        var log = new PageLog();
        page.Console += (_, m) => log.Add($"console.{m.Type}: {m.Text}");
        page.PageError += (_, e) => log.Add($"page error: {e}");
        page.FrameNavigated += (_, f) => { if (f.ParentFrame is null) log.Add($"navigated: {f.Url}"); };
        page.WebSocket += (_, ws) =>
        {
            log.Add($"websocket open {ws.Url}");
            ws.FrameSent += (_, f) => log.Add("SENT " + Summary(f));
            ws.FrameReceived += (_, f) => log.Add("RECV " + Summary(f));
            ws.Close += (_, _) => log.Add($"websocket closed {ws.Url}");
        };
        return log;
    }

    public void Add(string line)
    {
        lock (_lines)
        {
            _lines.Enqueue($"{_clock.Elapsed.TotalSeconds,8:0.000}s {line}");
            while (_lines.Count > Capacity) _lines.Dequeue();
        }
    }

    public string Tail(int count)
    {
        lock (_lines) return string.Join('\n', _lines.TakeLast(count));
    }

    /// <summary>The printable text of a (MessagePack) frame: method names and small JSON arguments survive.</summary>
    private static string Summary(IWebSocketFrame frame)
    {
        var bytes = frame.Binary ?? Encoding.UTF8.GetBytes(frame.Text ?? "");
        var text = new StringBuilder();
        foreach (var b in bytes.AsSpan(0, Math.Min(bytes.Length, 600)))
            if (b is >= 32 and < 127) text.Append((char)b);
            else if (text.Length > 0 && text[^1] != ' ') text.Append(' ');
        var s = text.ToString().Trim();
        return $"[{bytes.Length} B] " + (s.Length > 200 ? s[..200] + "…" : s);
    }
}
