using System.Diagnostics;
using Azure.Storage.Queues;
using Confluent.Kafka;
using EventRouter.Delivery;
using EventRouter.Kafka;

namespace EventRouter.Benchmarks;

/// <summary>
/// End to end: a producer at a fixed rate (300-byte USER.CREATED events, each carrying its produce
/// time in object.sent as UTC ticks) into the mock cluster; the product worker in its own process
/// (<see cref="WorkerChild"/>: AddEventRouter + AddEventRouterKafka, product defaults) routes them
/// into Azurite. Latency = when Azurite acknowledged the write, in the worker, minus the embedded
/// produce time (<see cref="AcknowledgedLatencyDispatcher"/>). No reader runs during the
/// measurement: it would compete with the router for the single-threaded emulator. Afterwards
/// the queue's own message count must equal the events sent. Peak RSS is the
/// worker process's own (VmHWM), the broker and producer live in this process.
/// </summary>
internal static class EndToEndBench
{
    private const string Topic = "Notifications";
    private const string Queue = "events-user";

    public static async Task RunAsync(HarnessOptions options, ResultTable table)
    {
        KafkaNativeLibrary.EnsureLoaded();
        await using var azurite = await Azurite.StartAsync(options.AzuriteInMemory);
        using var cluster = new MockKafkaCluster(brokerCount: 1);
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            LingerMs = 5,
            EnableIdempotence = true,
            Acks = Acks.All,
        }).SetLogHandler((_, _) => { }).Build();

        // Each rate gets its own topic, group and queue, so it measures only its own events and
        // starts with no backlog left by the previous rate.
        var run = 0;
        foreach (var rate in options.Rates)
        {
            run++;
            var topic = $"{Topic}-{run}";
            cluster.CreateTopic(topic, 4);
            var total = rate * options.Seconds;
            using var worker = new WorkerChildProcess(cluster.BootstrapServers, topic, $"bench-e2e-{run}", $"r{run}-events-", azurite.ConnectionString, total + 16);
            var queue = StorageClientFactory.CreateQueueServiceClient(new EventStorageOptions { ConnectionString = azurite.ConnectionString }, new DeliveryOptions())
                .GetQueueClient($"r{run}-{Queue}");
            // Warm-up: wait for the group join and the queue's creation with one event.
            producer.Produce(topic, new Message<byte[], byte[]> { Value = BenchEvents.Create(300, 0, 0, "USER.CREATED") });
            producer.Flush(TimeSpan.FromSeconds(10));
            var warm = Stopwatch.StartNew();
            if (!await worker.WaitForAcknowledgedAsync(1, TimeSpan.FromSeconds(60)))
            {
                table.Add($"End to end, {rate:N0}/s for {options.Seconds} s", "worker did not start", "", "", "", "");
                continue;
            }
            Console.WriteLine($"e2e: worker ready after {warm.Elapsed.TotalSeconds:0.0} s");
            await RunRateAsync(producer, topic, worker, queue, rate, options.Seconds, table);
        }
    }

    private static async Task RunRateAsync(IProducer<byte[], byte[]> producer, string topic, WorkerChildProcess worker, QueueClient queue, int rate, int seconds, ResultTable table)
    {
        var total = rate * seconds;
        Console.WriteLine($"e2e: {rate:N0}/s for {seconds} s ({total:N0} events)");

        // Paced in 10 ms ticks: by time t, rate*t events have been handed to the producer.
        var watch = Stopwatch.StartNew();
        var produced = 0;
        while (produced < total)
        {
            var due = Math.Min(total, (int)(watch.Elapsed.TotalSeconds * rate));
            for (; produced < due; produced++)
            {
                producer.Produce(topic, new Message<byte[], byte[]> { Value = BenchEvents.Create(300, produced, DateTime.UtcNow.Ticks, "USER.CREATED") });
            }
            await Task.Delay(10);
        }
        var produceSeconds = watch.Elapsed.TotalSeconds;
        producer.Flush(TimeSpan.FromSeconds(30));

        var drainLimit = TimeSpan.FromSeconds(Math.Max(180, seconds * 3));
        await worker.WaitForAcknowledgedAsync(total + 1, drainLimit, n => Console.WriteLine($"  {n - 1:N0}/{total:N0} acknowledged"));
        var allIn = watch.Elapsed.TotalSeconds;
        var (latencies, peakRss) = await worker.StopAsync();
        var inQueue = await CountAndDeleteAsync(queue) - 1; // less the warm-up event

        var sorted = latencies.Order().ToArray();
        if (sorted.Length == 0)
        {
            table.Add($"End to end, {rate:N0}/s for {seconds} s", "no events acknowledged", "", "", "", "");
            return;
        }
        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        Console.WriteLine($"  produced in {produceSeconds:0.0} s, {sorted.Length:N0}/{total:N0} acknowledged after {allIn:0.0} s, the queue holds {inQueue:N0}");
        table.Add($"End to end, {rate:N0}/s for {seconds} s ({total:N0} events)",
            $"p50 {Fmt.Ms(P(0.50))}, p99 {Fmt.Ms(P(0.99))}, max {Fmt.Ms(sorted[^1])}",
            "", "", "",
            $"{sorted.Length:N0}/{total:N0} in the queue within {allIn:0.0} s of the first send ({Fmt.Rate(sorted.Length / allIn)}), the queue holds {inQueue:N0}; " +
            $"worker peak RSS {Fmt.MiB(peakRss)}");
    }

    /// <summary>
    /// How many messages the queue holds, by its own count, and then the queue is deleted. Reading
    /// 120,000 messages back is not possible here: the emulator's cost per request grows with the
    /// messages it holds, to minutes per 32 at that size (docs/guarantees.md).
    /// </summary>
    private static async Task<int> CountAndDeleteAsync(QueueClient queue)
    {
        var count = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        await queue.DeleteAsync();
        return count;
    }
}
