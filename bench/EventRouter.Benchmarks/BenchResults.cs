using EventRouter.Charts;

namespace EventRouter.Benchmarks;

/// <summary>
/// Where a benchmark's series go besides the table: <c>--out DIR</c> writes <c>DIR/NAME.csv</c>
/// (<see cref="BenchmarkCsv"/>, the one CSV format), and <c>--chart</c> renders <c>DIR/NAME.png</c>
/// from that file, so the picture is always of the data next to it.
/// </summary>
internal static class BenchResults
{
    public static void Save(HarnessOptions options, string name, BenchmarkCsv csv, ChartSpec spec)
    {
        if (options.OutDirectory is null) return;
        var csvPath = Path.Combine(options.OutDirectory, name + ".csv");
        csv.Write(csvPath);
        Console.WriteLine($"  wrote {csvPath} ({csv.Rows.Count} rows)");
        if (!options.Chart) return;
        var pngPath = Path.ChangeExtension(csvPath, ".png");
        ChartRenderer.RenderPng(BenchmarkCsv.Read(csvPath), spec, pngPath);
        Console.WriteLine($"  wrote {pngPath}");
    }

    /// <summary>
    /// <c>chart CSV PNG [--title T] [--log2x]</c>: any benchmark CSV (the chaos timeline's too) as a
    /// chart, without running anything. A file named as a benchmark's (kafka-partitions.csv, ...)
    /// is drawn as the harness draws it; any other with its first column along x, <c>*_total</c>
    /// columns on the right axis, the first text column's cells marked (<see cref="ChartSpec.For"/>).
    /// </summary>
    public static int RenderCommand(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: EventRouter.Benchmarks chart CSV PNG [--title TEXT] [--log2x] [--size 900x450]");
            return 2;
        }
        try
        {
            var csv = BenchmarkCsv.Read(args[1]);
            var spec = BenchCharts.ForFile(args[1], csv);
            for (var i = 3; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--log2x": spec = spec with { Log2X = true }; break;
                    case "--title" when i + 1 < args.Length: spec = spec with { Title = args[++i] }; break;
                    case "--size" when i + 1 < args.Length && args[i + 1].Split('x') is [var w, var h] && int.TryParse(w, out var width) && int.TryParse(h, out var height):
                        spec = spec with { Width = width, Height = height };
                        i++;
                        break;
                    default:
                        Console.Error.WriteLine($"chart: unknown or incomplete option {args[i]} (use --title TEXT, --log2x, --size WIDTHxHEIGHT)");
                        return 2;
                }
            }
            ChartRenderer.RenderPng(csv, spec, args[2]);
            Console.WriteLine($"wrote {args[2]} ({spec.Width}x{spec.Height}, {csv.Rows.Count} rows of {args[1]})");
            return 0;
        }
        catch (Exception e) when (e is BenchmarkCsvException or ChartFontException)
        {
            // Bad input or a missing font: the reason, not a stack trace.
            Console.Error.WriteLine("chart: " + e.Message);
            return 2;
        }
    }
}
