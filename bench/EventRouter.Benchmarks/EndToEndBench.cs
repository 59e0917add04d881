using System.Diagnostics;
using Azure.Storage.Queues;
using Confluent.Kafka;
using EventRouter.Charts;
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
/// Each rate is measured after a warm-up at the same rate (<c>--warmup</c> seconds, events without
/// a produce time, so not measured): a freshly started worker and emulator first compile their code
/// and open their connections, a backlog of a few seconds that is start-up, not steady state.
/// With <c>--discard</c> the worker routes into a sink that acknowledges without storing: the
/// latency of the mock broker and EventRouter alone, without storage.
/// </summary>
internal static class EndToEndBench
{
    private const string Topic = "Notifications";
    private const string Queue = "events-user";

    public static async Task RunAsync(HarnessOptions options, ResultTable table)
    {
        KafkaNativeLibrary.EnsureLoaded();
        await using var azurite = options.DiscardSink ? null : await Azurite.StartAsync(options.AzuriteInMemory);
        using var cluster = new MockKafkaCluster(brokerCount: 1);
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            LingerMs = 5,
            EnableIdempotence = true,
            Acks = Acks.All,
        }).SetLogHandler((_, _) => { }).Build();
        var storage = options.DiscardSink ? "discarding sink" : options.AzuriteInMemory ? "Azurite in memory" : "Azurite on disk";

        // Each rate gets its own topic, group and queue, so it measures only its own events and
        // starts with no backlog left by the previous rate.
        var run = 0;
        var series = new BenchmarkCsv("rate_per_second", "p50_ms", "p99_ms", "max_ms", "acknowledged");
        foreach (var rate in options.Rates)
        {
            run++;
            var topic = $"{Topic}-{run}";
            var name = $"End to end, {rate:N0}/s for {options.Seconds} s, {storage}";
            cluster.CreateTopic(topic, 4);
            var total = rate * options.Seconds;
            using var worker = new WorkerChildProcess(cluster.BootstrapServers, topic, $"bench-e2e-{run}", $"r{run}-events-", azurite?.ConnectionString, total + 16);
            // The count after a run asks an emulator that may hold 120,000+ messages and still be
            // working off the run; the product's 30 s per attempt is too short for that question.
            var queue = azurite is null ? null : StorageClientFactory.CreateQueueServiceClient(new EventStorageOptions { ConnectionString = azurite.ConnectionString },
                    new DeliveryOptions { NetworkTimeout = TimeSpan.FromMinutes(5), MaxRetries = 1 })
                .GetQueueClient($"r{run}-{Queue}");
            // Wait for the group join and the queue's creation with one event, then warm up at the rate.
            producer.Produce(topic, new Message<byte[], byte[]> { Value = BenchEvents.Create(300, 0, 0, "USER.CREATED") });
            producer.Flush(TimeSpan.FromSeconds(10));
            var warm = Stopwatch.StartNew();
            if (!await worker.WaitForAcknowledgedAsync(1, TimeSpan.FromSeconds(60)))
            {
                table.Add(name, "worker did not start", "", "", "", "");
                continue;
            }
            Console.WriteLine($"e2e: worker ready after {warm.Elapsed.TotalSeconds:0.0} s");
            var warmup = rate * options.WarmupSeconds;
            if (warmup > 0)
            {
                warm.Restart();
                await ProduceAtRateAsync(producer, topic, rate, warmup, stamp: false);
                if (!await worker.WaitForAcknowledgedAsync(1 + warmup, TimeSpan.FromSeconds(Math.Max(120, options.WarmupSeconds * 3))))
                {
                    table.Add(name, "the warm-up did not finish", "", "", "", $"{worker.Acknowledged - 1:N0}/{warmup:N0} acknowledged");
                    continue;
                }
                Console.WriteLine($"e2e: warm-up of {warmup:N0} events at {rate:N0}/s all acknowledged after {warm.Elapsed.TotalSeconds:0.0} s (not measured)");
            }
            await RunRateAsync(producer, topic, worker, queue, rate, options.Seconds, 1 + warmup, name, table, series);
        }
        BenchResults.Save(options, BenchCharts.EndToEndLatencyName, series, BenchCharts.EndToEndLatency($"{storage}, {options.Seconds} s per rate"));
    }

    /// <summary>Hands <paramref name="count"/> events to the producer at <paramref name="rate"/> per second, in 10 ms ticks.</summary>
    private static async Task<double> ProduceAtRateAsync(IProducer<byte[], byte[]> producer, string topic, int rate, int count, bool stamp)
    {
        // By time t, rate*t events have been handed to the producer.
        var watch = Stopwatch.StartNew();
        var produced = 0;
        while (produced < count)
        {
            var due = Math.Min(count, (int)(watch.Elapsed.TotalSeconds * rate));
            for (; produced < due; produced++)
            {
                producer.Produce(topic, new Message<byte[], byte[]> { Value = BenchEvents.Create(300, produced, stamp ? DateTime.UtcNow.Ticks : 0, "USER.CREATED") });
            }
            await Task.Delay(10);
        }
        var seconds = watch.Elapsed.TotalSeconds;
        producer.Flush(TimeSpan.FromSeconds(30));
        return seconds;
    }

    private static async Task RunRateAsync(IProducer<byte[], byte[]> producer, string topic, WorkerChildProcess worker, QueueClient? queue, int rate, int seconds, int before, string name, ResultTable table, BenchmarkCsv series)
    {
        var total = rate * seconds;
        Console.WriteLine($"e2e: {rate:N0}/s for {seconds} s ({total:N0} events), measured");

        var watch = Stopwatch.StartNew();
        var produceSeconds = await ProduceAtRateAsync(producer, topic, rate, total, stamp: true);
        var drainLimit = TimeSpan.FromSeconds(Math.Max(180, seconds * 3));
        await worker.WaitForAcknowledgedAsync(before + total, drainLimit, n => Console.WriteLine($"  {n - before:N0}/{total:N0} acknowledged"));
        var allIn = watch.Elapsed.TotalSeconds;
        var (latencies, peakRss) = await worker.StopAsync();
        var held = queue is null ? "nothing stored (discarding sink)" : await DescribeAndDeleteAsync(queue, before);

        var sorted = latencies.Order().ToArray();
        if (sorted.Length == 0)
        {
            table.Add(name, "no events acknowledged", "", "", "", "");
            return;
        }
        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        Console.WriteLine($"  produced in {produceSeconds:0.0} s, {sorted.Length:N0}/{total:N0} acknowledged after {allIn:0.0} s, {held}");
        series.Add(rate, Math.Round(P(0.50), 1), Math.Round(P(0.99), 1), Math.Round(sorted[^1], 1), sorted.Length);
        table.Add(name,
            $"p50 {Fmt.Ms(P(0.50))}, p99 {Fmt.Ms(P(0.99))}, max {Fmt.Ms(sorted[^1])}",
            "", "", rate == 500 ? "p99 < 250 ms" : "",
            $"{sorted.Length:N0}/{total:N0} acknowledged within {allIn:0.0} s of the first send ({Fmt.Rate(sorted.Length / allIn)}), {held}; " +
            $"worker peak RSS {Fmt.MiB(peakRss)}");
    }

    /// <summary>
    /// How many messages the queue holds, by its own count, less the <paramref name="before"/> start-up
    /// and warm-up events, and then the queue is deleted. Reading 120,000 messages back is not possible
    /// here: the emulator's cost per request grows with the messages it holds, to minutes per 32 at that
    /// size (docs/guarantees.md). The latencies are measured by then, so a count the emulator cannot
    /// answer is reported, not fatal.
    /// </summary>
    private static async Task<string> DescribeAndDeleteAsync(QueueClient queue, int before)
    {
        try
        {
            var count = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
            await queue.DeleteAsync();
            return $"the queue holds {count - before:N0}";
        }
        catch (Exception e) when (e is Azure.RequestFailedException or AggregateException or OperationCanceledException)
        {
            return $"the queue's count could not be read ({e.GetType().Name}: {e.Message.Split('\n')[0]})";
        }
    }
}
