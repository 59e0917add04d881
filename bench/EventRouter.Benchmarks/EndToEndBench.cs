using System.Diagnostics;
using System.Text.Json;
using Azure.Storage.Queues;
using Confluent.Kafka;
using EventRouter.Delivery;
using EventRouter.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventRouter.Benchmarks;

/// <summary>
/// End to end: a producer at a fixed rate (300-byte USER.CREATED events, each carrying its produce
/// time in object.sent as UTC ticks) into the mock cluster; the product worker (generic host with
/// AddEventRouter + AddEventRouterKafka, product defaults) routes them into Azurite; a reader takes
/// them from the events-user queue as they arrive. Latency = time read from the queue - embedded
/// produce time. Peak RSS = this process (worker + producer + mock broker + reader), sampled every 100 ms.
/// </summary>
internal static class EndToEndBench
{
    private const string Topic = "Notifications";
    private const string Queue = "events-user";

    public static async Task RunAsync(HarnessOptions options, ResultTable table)
    {
        KafkaNativeLibrary.EnsureLoaded();
        await using var azurite = await Azurite.StartAsync();
        using var cluster = new MockKafkaCluster(brokerCount: 1);
        cluster.CreateTopic(Topic, 4);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = cluster.BootstrapServers,
            ["Kafka:SecurityProtocol"] = "Plaintext",
            ["Kafka:ConsumerGroup"] = "bench-e2e",
            ["Kafka:Topics:Notifications"] = Topic,
            ["Kafka:Topics:Prices"] = "",
            ["Kafka:Consumer:session.timeout.ms"] = "6000",
            ["EventStorage"] = azurite.ConnectionString,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddEventRouter(builder.Configuration);
        builder.Services.AddEventRouterKafka(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();

        var queue = StorageClientFactory.CreateQueueServiceClient(new EventStorageOptions { ConnectionString = azurite.ConnectionString }, new DeliveryOptions())
            .GetQueueClient(Queue);
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            LingerMs = 5,
            EnableIdempotence = true,
            Acks = Acks.All,
        }).SetLogHandler((_, _) => { }).Build();

        try
        {
            // Warm-up: wait for the group join and the queue's creation with one event.
            producer.Produce(Topic, new Message<byte[], byte[]> { Value = BenchEvents.Create(300, 0, 0, "USER.CREATED") });
            producer.Flush(TimeSpan.FromSeconds(10));
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed < TimeSpan.FromSeconds(60) && !await queue.ExistsAsync()) await Task.Delay(100);
            while (warm.Elapsed < TimeSpan.FromSeconds(60) && (await queue.ReceiveMessagesAsync(32, TimeSpan.FromHours(1))).Value.Length == 0) await Task.Delay(100);
            Console.WriteLine($"e2e: worker ready after {warm.Elapsed.TotalSeconds:0.0} s");

            foreach (var rate in options.Rates)
            {
                await RunRateAsync(producer, queue, rate, options.Seconds, table);
            }
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task RunRateAsync(IProducer<byte[], byte[]> producer, QueueClient queue, int rate, int seconds, ResultTable table)
    {
        var total = rate * seconds;
        Console.WriteLine($"e2e: {rate:N0}/s for {seconds} s ({total:N0} events)");
        using var rss = new RssSampler();
        var latencies = new List<double>(total);
        using var stopReading = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 1).Select(_ => Task.Run(() => ReadAsync(queue, latencies, total, stopReading.Token))).ToArray();

        // Paced in 10 ms ticks: by time t, rate*t events have been handed to the producer.
        var watch = Stopwatch.StartNew();
        var produced = 0;
        while (produced < total)
        {
            var due = Math.Min(total, (int)(watch.Elapsed.TotalSeconds * rate));
            for (; produced < due; produced++)
            {
                producer.Produce(Topic, new Message<byte[], byte[]> { Value = BenchEvents.Create(300, produced, DateTime.UtcNow.Ticks, "USER.CREATED") });
            }
            await Task.Delay(10);
        }
        var produceSeconds = watch.Elapsed.TotalSeconds;
        producer.Flush(TimeSpan.FromSeconds(30));

        var drainLimit = TimeSpan.FromSeconds(Math.Max(180, seconds * 3));
        var drain = Stopwatch.StartNew();
        while (Count(latencies) < total && drain.Elapsed < drainLimit) await Task.Delay(100);
        var allIn = watch.Elapsed.TotalSeconds;
        stopReading.Cancel();
        await Task.WhenAll(readers);

        double[] sorted;
        lock (latencies) sorted = [.. latencies.Order()];
        if (sorted.Length == 0)
        {
            table.Add($"End to end, {rate:N0}/s for {seconds} s", "no events read", "", "", "", "");
            return;
        }
        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        Console.WriteLine($"  produced in {produceSeconds:0.0} s, {sorted.Length:N0}/{total:N0} in the queue after {allIn:0.0} s");
        table.Add($"End to end, {rate:N0}/s for {seconds} s ({total:N0} events)",
            $"p50 {Fmt.Ms(P(0.50))}, p99 {Fmt.Ms(P(0.99))}, max {Fmt.Ms(sorted[^1])}",
            "", "", "",
            $"{sorted.Length:N0}/{total:N0} read back within {allIn:0.0} s of the first send ({Fmt.Rate(sorted.Length / allIn)}); peak RSS {Fmt.MiB(rss.PeakBytes)} (VmHWM {Fmt.MiB(MachineInfo.PeakRssBytes())})");
    }

    private static int Count(List<double> latencies)
    {
        lock (latencies) return latencies.Count;
    }

    /// <summary>
    /// One reader takes messages as they arrive (hidden for an hour instead of deleted: one request per 32
    /// messages), sleeping 200 ms when the queue is empty so it loads Azurite little; a latency can be
    /// overstated by up to that sleep.
    /// </summary>
    private static async Task ReadAsync(QueueClient queue, List<double> latencies, int total, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Azure.Storage.Queues.Models.QueueMessage[] batch;
            try
            {
                batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromHours(1), stop)).Value;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var now = DateTime.UtcNow.Ticks;
            foreach (var m in batch)
            {
                using var doc = JsonDocument.Parse(m.Body.ToMemory());
                var sent = doc.RootElement.GetProperty("event").GetProperty("object").GetProperty("sent").GetInt64();
                if (sent == 0) continue; // warm-up event
                lock (latencies) latencies.Add(TimeSpan.FromTicks(now - sent).TotalMilliseconds);
            }
            if (batch.Length == 0)
            {
                try { await Task.Delay(200, stop); } catch (OperationCanceledException) { return; }
            }
        }
    }
}
