using System.Diagnostics;
using EventRouter.Charts;
using EventRouter.Kafka;

namespace EventRouter.Benchmarks;

/// <summary>
/// Memory while draining a backlog: N 300-byte events (default 1,000,000) are produced onto the mock
/// cluster first, then the product worker in its own process (<see cref="WorkerChild"/>: the whole
/// pipeline of <c>eventrouter run --ingest-only</c>, validation, routing and message building
/// included) drains them into a sink that acknowledges without storing, so the backlog drains as
/// fast as the worker can take it and every buffer is as full as it gets. Reports the worker's own
/// peak RSS (VmHWM) and the highest VmRSS sampled every 100 ms.
/// </summary>
internal static class DrainBench
{
    private const int DefaultEvents = 1_000_000;
    // The mock cluster keeps about 5 MB per partition: 10,000 events of 300 bytes fit in 3 MB.
    private const int EventsPerPartition = 10_000;

    public static async Task RunAsync(HarnessOptions options, ResultTable table)
    {
        KafkaNativeLibrary.EnsureLoaded();
        var count = options.Count ?? DefaultEvents;
        var partitions = Math.Max(options.Partitions, (count + EventsPerPartition - 1) / EventsPerPartition);
        using var cluster = new MockKafkaCluster(brokerCount: 1);
        const string topic = "Notifications-drain";
        cluster.CreateTopic(topic, partitions);
        Console.WriteLine($"drain: producing {count:N0} x 300 B onto {partitions} partitions");
        KafkaBench.Produce(cluster.BootstrapServers, topic, partitions, count);
        var available = KafkaBench.Available(cluster.BootstrapServers, topic, partitions);
        Console.WriteLine($"  {available:N0} records on the broker");

        using var worker = new WorkerChildProcess(cluster.BootstrapServers, topic, "bench-drain", "drain-events-", storage: null, capacity: 1);
        var watch = Stopwatch.StartNew();
        // The curve for the chart: the worker's RSS and how far it got, every 250 ms from its start.
        var curve = new BenchmarkCsv("seconds", "rss_mib", "routed");
        using var stopSampling = new CancellationTokenSource();
        var sampling = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                curve.Add(Math.Round(watch.Elapsed.TotalSeconds, 2), Math.Round(worker.Rss / 1048576.0, 1), worker.Acknowledged);
                try { await Task.Delay(250, stopSampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var drained = await worker.WaitForAcknowledgedAsync(available, TimeSpan.FromMinutes(15),
            n => Console.WriteLine($"  {n:N0}/{available:N0} routed, {watch.Elapsed.TotalSeconds:0} s, worker RSS peak so far {Fmt.MiB(worker.SampledPeakRss)}"));
        var seconds = watch.Elapsed.TotalSeconds;
        await stopSampling.CancelAsync();
        await sampling;
        var acknowledged = worker.Acknowledged;
        var sampledPeak = worker.SampledPeakRss;
        var (_, peakRss) = await worker.StopAsync();
        table.Add($"Drain a backlog of {available:N0} x 300 B ({partitions} partitions), worker process",
            $"peak RSS {Fmt.MiB(peakRss)} (VmHWM; GC heap at most {Fmt.MiB(worker.PeakManagedBytes)}); highest sample {Fmt.MiB(sampledPeak)}",
            "", "", "< 200 MB",
            $"{(drained ? "all" : "NOT all")} {acknowledged:N0} routed in {seconds:0.0} s from start-up ({Fmt.Rate(acknowledged / seconds)}), into a discarding sink");
        BenchResults.Save(options, BenchCharts.DrainRssName, curve, BenchCharts.DrainRss($"{available:N0} x 300 B on {partitions} partitions"));
    }
}
