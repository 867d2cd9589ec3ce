using Registry.Core.Collections;

namespace Registry.Tests.Core;

public sealed class TreemapTests
{
    [Fact]
    public void Cells_fill_the_rectangle_in_proportion_to_their_weights_without_overlapping()
    {
        // The example of Bruls et al.: weights 6,6,4,3,2,2,1 in a 6×4 rectangle.
        var weights = new[] { 6, 6, 4, 3, 2, 2, 1 };
        var cells = Treemap.Layout(weights.Select((w, i) => (Name: $"c{i}", W: w)), x => x.W, 0, 0, 6, 4);

        cells.Count.ShouldBe(7);
        foreach (var c in cells)
        {
            (c.Width * c.Height).ShouldBe(c.Item.W, tolerance: 1e-9);
            c.X.ShouldBeGreaterThanOrEqualTo(-1e-9);
            c.Y.ShouldBeGreaterThanOrEqualTo(-1e-9);
            (c.X + c.Width).ShouldBeLessThanOrEqualTo(6 + 1e-9);
            (c.Y + c.Height).ShouldBeLessThanOrEqualTo(4 + 1e-9);
        }
        foreach (var a in cells)
            foreach (var b in cells.Where(b => b != a))
            {
                var overlapX = Math.Min(a.X + a.Width, b.X + b.Width) - Math.Max(a.X, b.X);
                var overlapY = Math.Min(a.Y + a.Height, b.Y + b.Height) - Math.Max(a.Y, b.Y);
                (overlapX > 1e-9 && overlapY > 1e-9).ShouldBeFalse($"{a.Item.Name} overlaps {b.Item.Name}");
            }
    }

    [Fact]
    public void Squarified_rows_keep_the_first_cells_close_to_square()
    {
        var cells = Treemap.Layout(new[] { 6.0, 6, 4, 3, 2, 2, 1 }, w => w, 0, 0, 6, 4);
        // The paper's result: the two 6s form the first column (3 wide, 2 high each).
        cells[0].ShouldBe(new TreemapCell<double>(6, 0, 0, 3, 2));
        cells[1].ShouldBe(new TreemapCell<double>(6, 0, 2, 3, 2));
        cells.Max(c => Math.Max(c.Width / c.Height, c.Height / c.Width)).ShouldBeLessThan(3);
    }

    [Fact]
    public void Empty_and_zero_weights_give_no_cells()
    {
        Treemap.Layout(Array.Empty<long>(), w => w, 0, 0, 100, 100).ShouldBeEmpty();
        Treemap.Layout(new long[] { 0, 0 }, w => w, 0, 0, 100, 100).ShouldBeEmpty();
        Treemap.Layout(new long[] { 0, 5 }, w => w, 10, 20, 100, 50).ShouldBe([new TreemapCell<long>(5, 10, 20, 100, 50)]);
    }
}
