using System.Globalization;
using ScottPlot;

namespace EventRouter.Charts;

/// <summary>Renders a <see cref="ChartSpec"/> over a <see cref="BenchmarkCsv"/> into a PNG with ScottPlot.</summary>
public static class ChartRenderer
{
    /// <summary>
    /// The series colours, in order (left axis first, then right). Opaque and distinct from the
    /// black text, the grey grid and the red fault marks, so a test can find each in the pixels.
    /// </summary>
    public static readonly IReadOnlyList<string> SeriesColors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf"];

    /// <summary>The colour of the marked rows' vertical lines.</summary>
    public const string MarkColor = "#d62728";

    public static void RenderPng(BenchmarkCsv csv, ChartSpec spec, string pngPath)
    {
        var bytes = RenderPng(csv, spec);
        var directory = Path.GetDirectoryName(Path.GetFullPath(pngPath));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllBytes(pngPath, bytes);
    }

    public static byte[] RenderPng(BenchmarkCsv csv, ChartSpec spec)
    {
        ChartFont.EnsureRegistered();
        if (csv.Rows.Count == 0) throw new BenchmarkCsvException(csv.Source, 0, "no rows to draw (only a header)");
        var xs = csv.Numbers(spec.X);
        var plotted = spec.Log2X ? xs.Select(Log2).ToArray() : xs;

        using var plot = new Plot();
        plot.Font.Set(ChartFont.Family);
        plot.Title(spec.Title, 16);
        plot.XLabel(spec.XLabel ?? spec.X, 13);
        plot.YLabel(spec.YLabel ?? string.Join(", ", spec.Y), 13);
        var color = 0;
        foreach (var column in spec.Y) AddSeries(plot, plotted, csv.Numbers(column), column, SeriesColors[color++ % SeriesColors.Count], right: false);
        foreach (var column in spec.RightY) AddSeries(plot, plotted, csv.Numbers(column), column, SeriesColors[color++ % SeriesColors.Count], right: true);
        if (spec.RightY.Count > 0)
        {
            plot.Axes.Right.Label.Text = spec.RightYLabel ?? string.Join(", ", spec.RightY);
            plot.Axes.Right.Label.FontSize = 13;
        }

        if (spec.Log2X)
        {
            var ticks = xs.Where(x => x > 0).Distinct().Order().ToArray();
            plot.Axes.Bottom.SetTicks(ticks.Select(Log2).ToArray(), ticks.Select(t => t.ToString(CultureInfo.InvariantCulture)).ToArray());
        }

        if (spec.Marks is { } marks)
        {
            // Room between the title and the data area for the marks' labels, which sit on the top edge.
            plot.Axes.Top.MinimumSize = 24;
            var labels = csv.Text(marks);
            var finite = plotted.Where(double.IsFinite).ToArray();
            // Pixels per x unit, estimated before layout (the axes take about 160 px): enough to
            // tell whether two labels would overlap, and move the later one a row down.
            var pixelsPerUnit = finite.Length > 1 && finite.Max() > finite.Min() ? (spec.Width - 160) / (finite.Max() - finite.Min()) : 0;
            var rowEnds = new List<double>();
            for (var r = 0; r < labels.Length; r++)
            {
                if (labels[r].Length == 0 || !double.IsFinite(plotted[r])) continue;
                var line = plot.Add.VerticalLine(plotted[r], 1.5f, Color.FromHex(MarkColor), LinePattern.Dashed);
                line.Text = labels[r];
                line.LabelFontSize = 11;
                line.LabelOppositeAxis = true;
                line.ExcludeFromLegend = true;
                var centre = plotted[r] * pixelsPerUnit;
                var half = labels[r].Length * 3.5 + 8;
                var row = rowEnds.FindIndex(end => end < centre - half);
                if (row < 0)
                {
                    row = rowEnds.Count;
                    rowEnds.Add(0);
                }
                rowEnds[row] = centre + half;
                line.LabelStyle.OffsetY = row * 20;
            }
        }

        // Rates, latencies and memory are read against zero: an axis that starts at the lowest
        // point makes a 10% difference look like a cliff.
        StartAtZero(plot, spec.Y.SelectMany(csv.Numbers), plot.Axes.Left);
        if (spec.RightY.Count > 0) StartAtZero(plot, spec.RightY.SelectMany(csv.Numbers), plot.Axes.Right);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetImageBytes(spec.Width, spec.Height, ImageFormat.Png);
    }

    private static void AddSeries(Plot plot, double[] xs, double[] ys, string name, string hex, bool right)
    {
        var scatter = plot.Add.Scatter(xs, ys, Color.FromHex(hex));
        scatter.LegendText = name;
        scatter.LineWidth = 2;
        scatter.MarkerSize = xs.Length <= 40 ? 7 : 0; // markers only where points are few enough to tell apart
        if (right) scatter.Axes.YAxis = plot.Axes.Right;
    }

    private static void StartAtZero(Plot plot, IEnumerable<double> values, IYAxis axis)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0 || finite.Min() < 0) return;
        var max = finite.Max();
        // Headroom above the highest point for the legend and the marks' labels.
        plot.Axes.SetLimitsY(0, max > 0 ? max * 1.15 : 1, axis);
    }

    private static double Log2(double x) => x > 0 ? Math.Log2(x) : double.NaN;
}
