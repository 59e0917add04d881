using EventRouter.Charts;

namespace EventRouter.Benchmarks;

/// <summary>
/// How each benchmark's CSV is drawn, in one place: the harness's <c>--chart</c> and the
/// <c>chart CSV PNG</c> command use the same spec for a file of that name, so a PNG can be
/// redrawn from its CSV without measuring again. <paramref name="detail"/> names the run (size,
/// storage) in the title.
/// </summary>
internal static class BenchCharts
{
    public const string KafkaPartitionsName = "kafka-partitions";
    public const string EndToEndLatencyName = "e2e-latency";
    public const string DrainRssName = "drain-rss";

    public static ChartSpec KafkaPartitions(string? detail = null) =>
        new(Title("Kafka backlog read against partitions", detail ?? "300 B events, lz4, medians of 5 rounds"),
            "partitions", ["eventrouter_per_second", "bare_loop_per_second", "kcat_per_second"])
        {
            Log2X = true,
            YLabel = "records per second",
        };

    public static ChartSpec EndToEndLatency(string? detail = null) =>
        new(Title("End to end latency against rate", detail), "rate_per_second", ["p50_ms", "p99_ms"])
        {
            // Rates are usually doubled from one to the next (250, 500, 1,000, ...).
            Log2X = true,
            XLabel = "events per second produced",
            YLabel = "ms from produce to acknowledged write",
        };

    public static ChartSpec DrainRss(string? detail = null) =>
        new(Title("Worker RSS while draining a backlog", detail), "seconds", ["rss_mib"])
        {
            RightY = ["routed"],
            XLabel = "seconds since the worker started",
            YLabel = "RSS (MiB)",
            RightYLabel = "records routed",
        };

    /// <summary>The spec for a CSV file: a benchmark's own by its file name, else one read from the columns (<see cref="ChartSpec.For"/>).</summary>
    public static ChartSpec ForFile(string csvPath, BenchmarkCsv csv) => Path.GetFileNameWithoutExtension(csvPath) switch
    {
        KafkaPartitionsName => KafkaPartitions(),
        EndToEndLatencyName => EndToEndLatency(),
        DrainRssName => DrainRss(),
        _ => ChartSpec.For(csv),
    };

    private static string Title(string what, string? detail) => detail is null ? what : $"{what} ({detail})";
}
