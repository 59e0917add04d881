using EventRouter.Kafka;

namespace EventRouter.Benchmarks;

/// <summary>
/// Partition-parallel processing: the same backlog spread over 1, 4 and 16 partitions, consumed by the
/// product's Kafka source into a sink where every batch takes a fixed storage round trip, once with
/// <c>Kafka:MaxParallelPartitions=1</c> (one partition's batch at a time) and once with the default (16).
/// The sink's latency stands in for Azure Storage so the figure isolates what parallelism buys, not
/// what Azurite on a shared 2-core machine happens to do.
/// </summary>
internal static class ParallelismBench
{
    private static readonly TimeSpan StorageRoundTrip = TimeSpan.FromMilliseconds(20);
    private const int BatchSize = 100;

    public static async Task RunAsync(HarnessOptions options, ResultTable table)
    {
        KafkaNativeLibrary.EnsureLoaded();
        var count = options.Count is { } requested ? Math.Min(requested, 60_000) : 20_000;
        var sweep = options.Sweep.Length > 0 ? options.Sweep : [1, 4, 16];
        foreach (var partitions in sweep)
        {
            var events = Math.Min(count, partitions * 15_000); // the mock keeps about 5 MB per partition
            var serial = await RunOneAsync(partitions, events, maxParallelPartitions: 1);
            var parallel = await RunOneAsync(partitions, events, maxParallelPartitions: 16);
            table.Add($"Partition parallelism, {events:N0} x 300 B, {partitions} partition(s), {StorageRoundTrip.TotalMilliseconds:0} ms per batch of {BatchSize}",
                Fmt.Rate(parallel), $"one at a time {Fmt.Rate(serial)}", $"x{parallel / serial:0.0}",
                partitions == 1 ? "(no parallelism possible)" : $"ideal x{Math.Min(partitions, 16)}", "");
        }
    }

    private static async Task<double> RunOneAsync(int partitions, int events, int maxParallelPartitions)
    {
        Console.WriteLine($"parallelism: {events:N0} x 300 B over {partitions} partition(s), MaxParallelPartitions={maxParallelPartitions}");
        using var cluster = new MockKafkaCluster(brokerCount: 1);
        const string topic = "Notifications";
        cluster.CreateTopic(topic, partitions);
        KafkaBench.Produce(cluster.BootstrapServers, topic, partitions, events);
        var available = KafkaBench.Available(cluster.BootstrapServers, topic, partitions);
        var sink = new KafkaBench.NullRouter(available, StorageRoundTrip);
        var (rate, _) = await KafkaBench.ConsumeWithSourceServiceAsync(cluster.BootstrapServers, topic, sink, available, new Dictionary<string, string?>
        {
            ["Kafka:MaxParallelPartitions"] = maxParallelPartitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Kafka:MaxBatchSize"] = BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        return rate;
    }
}
