using System.Globalization;

namespace Registry.Web.Components.Shared;

/// <summary>Human-readable sizes and times for the pages.</summary>
public static class Format
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    public static string Bytes(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1) { value /= 1024; unit++; }
        return unit == 0 ? $"{bytes} B" : value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    public static string Ago(DateTime utc, DateTime? now = null)
    {
        var span = (now ?? DateTime.UtcNow) - utc;
        if (span.TotalMinutes < 1) return "just now";
        if (span.TotalHours < 1) return $"{(int)span.TotalMinutes} min ago";
        if (span.TotalDays < 1) return $"{(int)span.TotalHours} h ago";
        if (span.TotalDays < 30) return $"{(int)span.TotalDays} d ago";
        return utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    /// <summary>"1 download", "2 downloads", "0 downloads".</summary>
    public static string Count(long n, string singular, string? plural = null) =>
        $"{n.ToString("N0", CultureInfo.InvariantCulture)} {(n == 1 ? singular : plural ?? singular + "s")}";

    public static string Utc(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Duration(double seconds) =>
        double.IsFinite(seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 3600 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture)
            : "–";
}
