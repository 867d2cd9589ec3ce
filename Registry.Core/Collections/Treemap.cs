namespace Registry.Core.Collections;

/// <summary>A rectangle of a treemap, with the item it stands for.</summary>
public sealed record TreemapCell<T>(T Item, double X, double Y, double Width, double Height);

/// <summary>
/// Squarified treemap layout (Bruls, Huizing, van Wijk 2000): items sorted by weight fill the rectangle in rows
/// along its shorter side, each row closed when adding the next item would worsen the worst aspect ratio.
/// </summary>
public static class Treemap
{
    public static List<TreemapCell<T>> Layout<T>(IEnumerable<T> items, Func<T, double> weight, double x, double y, double width, double height)
    {
        var sorted = items.Select(i => (Item: i, W: Math.Max(0, weight(i)))).Where(p => p.W > 0).OrderByDescending(p => p.W).ToList();
        var cells = new List<TreemapCell<T>>(sorted.Count);
        var total = sorted.Sum(p => p.W);
        if (total <= 0 || width <= 0 || height <= 0) return cells;

        // Areas in the rectangle's units; the free rectangle shrinks as rows are laid.
        var scale = width * height / total;
        var queue = sorted.Select(p => (p.Item, Area: p.W * scale)).ToList();
        var row = new List<(T Item, double Area)>();
        var i = 0;
        while (i < queue.Count)
        {
            var side = Math.Min(width, height);
            var candidate = queue[i];
            if (row.Count == 0 || WorstOf(row.Select(r => r.Area), side) >= WorstOf(row.Select(r => r.Area).Append(candidate.Area), side))
            {
                row.Add(candidate);
                i++;
                continue;
            }
            (x, y, width, height) = LayRow(row, x, y, width, height, cells);
            row.Clear();
        }
        if (row.Count > 0) LayRow(row, x, y, width, height, cells);
        return cells;
    }

    private static double WorstOf(IEnumerable<double> areas, double side)
    {
        double sum = 0, max = 0, min = double.MaxValue;
        foreach (var a in areas) { sum += a; max = Math.Max(max, a); min = Math.Min(min, a); }
        var s2 = side * side;
        var sum2 = sum * sum;
        return Math.Max(s2 * max / sum2, sum2 / (s2 * min));
    }

    private static (double X, double Y, double W, double H) LayRow<T>(List<(T Item, double Area)> row, double x, double y, double width, double height, List<TreemapCell<T>> cells)
    {
        var sum = row.Sum(r => r.Area);
        if (width >= height)
        {
            // A column on the left, as wide as the row's area over the height.
            var columnWidth = sum / height;
            var cy = y;
            foreach (var (item, area) in row)
            {
                var h = area / columnWidth;
                cells.Add(new TreemapCell<T>(item, x, cy, columnWidth, h));
                cy += h;
            }
            return (x + columnWidth, y, width - columnWidth, height);
        }
        var rowHeight = sum / width;
        var cx = x;
        foreach (var (item, area) in row)
        {
            var w = area / rowHeight;
            cells.Add(new TreemapCell<T>(item, cx, y, w, rowHeight));
            cx += w;
        }
        return (x, y + rowHeight, width, height - rowHeight);
    }
}
