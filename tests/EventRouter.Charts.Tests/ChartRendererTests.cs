using System.Buffers.Binary;
using SkiaSharp;

namespace EventRouter.Charts.Tests;

public sealed class ChartRendererTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly string _dir = Directory.CreateTempSubdirectory("eventrouter-charts-png-").FullName;

    private static BenchmarkCsv Timeline() => BenchmarkCsv.Parse(
        "second,routed_per_second,routed_total,change\n" +
        "0,0,0,first and second started\n1,80,80,\n2,100,180,\n3,100,280,late started\n4,40,320,\n" +
        "5,0,320,first SIGKILLed\n6,150,470,\n7,100,570,\n8,100,670,\n9,30,700,all committed\n", "timeline.csv");

    [Fact]
    public void RenderPng_SmallCsv_WritesAPngOfTheAskedSize()
    {
        var path = Path.Combine(_dir, "charts", "timeline.png");

        ChartRenderer.RenderPng(Timeline(), ChartSpec.For(Timeline()) with { Width = 640, Height = 320 }, path);

        var png = File.ReadAllBytes(path);
        Assert.Equal(PngSignature, png[..8]);
        // The first chunk is IHDR: length (4), type (4), then width and height, big-endian.
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        Assert.Equal(640, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.Equal(320, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        Assert.Equal((640, 320), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void RenderPng_Timeline_DrawsEachSeriesInItsColourAndTheMarks()
    {
        var csv = Timeline();
        var spec = ChartSpec.For(csv);

        var colours = Colours(ChartRenderer.RenderPng(csv, spec));

        // Not a blank or single-colour image: background, grid, text (anti-aliased), two series, marks.
        Assert.True(colours.Count > 50, $"only {colours.Count} distinct colours");
        Assert.Contains(Parse(ChartRenderer.SeriesColors[0]), colours); // routed_per_second, left axis
        Assert.Contains(Parse(ChartRenderer.SeriesColors[1]), colours); // routed_total, right axis
        Assert.Contains(Parse(ChartRenderer.MarkColor), colours);
    }

    [Fact]
    public void RenderPng_SeriesLeftOut_ItsColourIsAbsent()
    {
        var csv = Timeline();
        var spec = new ChartSpec("per second only", "second", ["routed_per_second"]);

        var colours = Colours(ChartRenderer.RenderPng(csv, spec));

        Assert.Contains(Parse(ChartRenderer.SeriesColors[0]), colours);
        Assert.DoesNotContain(Parse(ChartRenderer.SeriesColors[1]), colours);
        Assert.DoesNotContain(Parse(ChartRenderer.MarkColor), colours);
    }

    [Fact]
    public void RenderPng_Title_IsDrawnInTheFont()
    {
        var csv = Timeline();
        var spec = new ChartSpec("Routed per second, all partitions", "second", ["routed_per_second"]);

        var longTitle = Dark(ChartRenderer.RenderPng(csv, spec));
        var shortTitle = Dark(ChartRenderer.RenderPng(csv, spec with { Title = "-" }));

        // Glyphs are dark pixels above the data area (the layout is the same for both titles): with
        // no usable font neither title would leave any.
        Assert.True(longTitle > shortTitle + 100, $"{longTitle} dark pixels in the title strip with a long title, {shortTitle} with a dash");
    }

    [Fact]
    public void RenderPng_Log2X_PlacesPartitionCounts()
    {
        var csv = new BenchmarkCsv("partitions", "eventrouter_per_second").Add(1, 545_122).Add(4, 414_016).Add(16, 389_855).Add(64, 411_412);

        var png = ChartRenderer.RenderPng(csv, new ChartSpec("Kafka", "partitions", ["eventrouter_per_second"]) { Log2X = true });

        Assert.Contains(Parse(ChartRenderer.SeriesColors[0]), Colours(png));
    }

    [Fact]
    public void RenderPng_HeaderOnly_SaysThereIsNothingToDraw()
    {
        var csv = BenchmarkCsv.Parse("x,y\n", "empty.csv");

        var e = Assert.Throws<BenchmarkCsvException>(() => ChartRenderer.RenderPng(csv, new ChartSpec("t", "x", ["y"])));

        Assert.Equal("empty.csv: no rows to draw (only a header)", e.Message);
    }

    [Fact]
    public void For_TableWithoutNumbers_SaysWhy()
    {
        var csv = BenchmarkCsv.Parse("x,label\n1,a\n", "labels.csv");

        var e = Assert.Throws<BenchmarkCsvException>(() => ChartSpec.For(csv));

        Assert.Contains("no numeric column besides 'x'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void For_ChaosTimeline_RateLeftTotalRightChangesMarked()
    {
        var spec = ChartSpec.For(Timeline());

        Assert.Equal("second", spec.X);
        Assert.Equal(["routed_per_second"], spec.Y);
        Assert.Equal(["routed_total"], spec.RightY);
        Assert.Equal("change", spec.Marks);
        Assert.Equal("timeline", spec.Title);
    }

    [Fact]
    public void For_ConsumerLag_GoesOnTheRightAxisWithTheTotals()
    {
        var csv = BenchmarkCsv.Parse("second,routed_per_second,routed_total,consumer_lag,change\n0,0,0,40,\n1,95,95,12,\n", "timeline.csv");

        var spec = ChartSpec.For(csv);

        Assert.Equal(["routed_per_second"], spec.Y);
        Assert.Equal(["routed_total", "consumer_lag"], spec.RightY);
    }

    private static HashSet<uint> Colours(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png);
        var set = new HashSet<uint>();
        for (var y = 0; y < bitmap.Height; y++)
            for (var x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                set.Add((uint)(c.Red << 16 | c.Green << 8 | c.Blue));
            }
        return set;
    }

    /// <summary>Dark pixels in the top 40 rows, where the title goes.</summary>
    private static int Dark(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png);
        var dark = 0;
        for (var y = 0; y < 40; y++)
            for (var x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red < 100 && c.Green < 100 && c.Blue < 100) dark++;
            }
        return dark;
    }

    private static uint Parse(string hex) => Convert.ToUInt32(hex.TrimStart('#'), 16);

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
