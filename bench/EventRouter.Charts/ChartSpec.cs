namespace EventRouter.Charts;

/// <summary>
/// What to draw from a <see cref="BenchmarkCsv"/>: one numeric column along x, one or more
/// numeric series on the left axis, optionally series on a right axis (a total next to a rate,
/// say), and optionally a text column whose non-empty cells are marked as labelled vertical lines
/// (the chaos timeline's faults).
/// </summary>
public sealed record ChartSpec(string Title, string X, IReadOnlyList<string> Y)
{
    public IReadOnlyList<string> RightY { get; init; } = [];

    /// <summary>A text column; each row where it is non-empty gets a vertical line labelled with it.</summary>
    public string? Marks { get; init; }

    public string? XLabel { get; init; }

    public string? YLabel { get; init; }

    public string? RightYLabel { get; init; }

    /// <summary>Place x on a log2 scale with ticks at the data's own x values (partition counts 1, 4, 16, 64).</summary>
    public bool Log2X { get; init; }

    public int Width { get; init; } = 900;

    public int Height { get; init; } = 450;

    /// <summary>
    /// A chart for any table: the first column is x; numeric columns whose name ends in
    /// <c>_total</c> or <c>_lag</c> (counts of records, not rates) go on the right axis, the other
    /// numeric columns on the left; the first text
    /// column, if any, marks rows. For <c>EventRouter.Benchmarks chart CSV PNG</c>.
    /// </summary>
    public static ChartSpec For(BenchmarkCsv csv, string? title = null)
    {
        var x = csv.Columns[0];
        var numeric = csv.Columns.Skip(1).Where(csv.IsNumeric).ToList();
        var right = numeric.Where(c => c.EndsWith("_total", StringComparison.Ordinal) || c.EndsWith("_lag", StringComparison.Ordinal)).ToList();
        var left = numeric.Except(right).ToList();
        if (left.Count == 0 && right.Count > 0) (left, right) = (right, []);
        if (left.Count == 0)
            throw new BenchmarkCsvException(csv.Source, 1, $"nothing to draw: no numeric column besides '{x}' (columns: {string.Join(", ", csv.Columns)})");
        var marks = csv.Columns.Skip(1).FirstOrDefault(c => !csv.IsNumeric(c) && csv.Text(c).Any(t => t.Length > 0));
        return new ChartSpec(title ?? Path.GetFileNameWithoutExtension(csv.Source), x, left) { RightY = right, Marks = marks };
    }
}
