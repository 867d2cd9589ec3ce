namespace Registry.Tests.Infrastructure;

/// <summary>The lines a long-running child process wrote to stdout and stderr so far (stderr lines marked).</summary>
public sealed class ProcessOutput
{
    private readonly List<string> _lines = [];

    public void Append(string? line)
    {
        if (line is null) return;
        lock (_lines) _lines.Add(line);
    }

    public string Text
    {
        get { lock (_lines) return string.Join('\n', _lines); }
    }

    /// <summary>Number of lines containing <paramref name="text"/> (ordinal, case-insensitive).</summary>
    public int CountLines(string text)
    {
        lock (_lines) return _lines.Count(l => l.Contains(text, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Waits until no new output arrives for <paramref name="quiet"/> (the console logger writes asynchronously),
    /// bounded by <paramref name="max"/>.
    /// </summary>
    public async Task WaitForQuietAsync(TimeSpan? quiet = null, TimeSpan? max = null)
    {
        var q = quiet ?? TimeSpan.FromMilliseconds(500);
        var deadline = DateTime.UtcNow + (max ?? TimeSpan.FromSeconds(10));
        int Count() { lock (_lines) return _lines.Count; }
        var last = Count();
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(q);
            var now = Count();
            if (now == last) return;
            last = now;
        }
    }
}
