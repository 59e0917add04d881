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
            using var host = BuildWorker(cluster.BootstrapServers, topic, $"bench-e2e-{run}", $"r{run}-events-", azurite.ConnectionString);
            await host.StartAsync();
            try
            {
                var queue = StorageClientFactory.CreateQueueServiceClient(new EventStorageOptions { ConnectionString = azurite.ConnectionString }, new DeliveryOptions())
                    .GetQueueClient($"r{run}-{Queue}");
                // Warm-up: wait for the group join and the queue's creation with one event.
                producer.Produce(topic, new Message<byte[], byte[]> { Value = BenchEvents.Create(300, 0, 0, "USER.CREATED") });
                producer.Flush(TimeSpan.FromSeconds(10));
                var warm = Stopwatch.StartNew();
                while (warm.Elapsed < TimeSpan.FromSeconds(60) && !await queue.ExistsAsync()) await Task.Delay(100);
                while (warm.Elapsed < TimeSpan.FromSeconds(60) && await ReadOnceAsync(queue, null) == 0) await Task.Delay(100);
                Console.WriteLine($"e2e: worker ready after {warm.Elapsed.TotalSeconds:0.0} s");
                await RunRateAsync(producer, topic, queue, rate, options.Seconds, table);
            }
            finally
            {
                await host.StopAsync();
            }
        }
    }

    private static IHost BuildWorker(string bootstrap, string topic, string group, string queuePrefix, string storage)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = bootstrap,
            ["Kafka:SecurityProtocol"] = "Plaintext",
            ["Kafka:ConsumerGroup"] = group,
            ["Kafka:Topics:Notifications"] = topic,
            ["Kafka:Topics:Prices"] = "",
            ["Kafka:Consumer:session.timeout.ms"] = "6000",
            ["Routing:CategoryQueuePrefix"] = queuePrefix,
            ["EventStorage"] = storage,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddEventRouter(builder.Configuration);
        builder.Services.AddEventRouterKafka(builder.Configuration);
        return builder.Build();
    }

    private static async Task RunRateAsync(IProducer<byte[], byte[]> producer, string topic, QueueClient queue, int rate, int seconds, ResultTable table)
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
                producer.Produce(topic, new Message<byte[], byte[]> { Value = BenchEvents.Create(300, produced, DateTime.UtcNow.Ticks, "USER.CREATED") });
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
    /// One reader takes messages as they arrive and deletes them (hiding them instead made Azurite walk
    /// past every hidden message on each receive), sleeping 200 ms when the queue is empty so it loads
    /// Azurite little; a latency can be overstated by up to that sleep.
    /// </summary>
    private static async Task ReadAsync(QueueClient queue, List<double> latencies, int total, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            int read;
            try
            {
                read = await ReadOnceAsync(queue, latencies, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (read == 0)
            {
                try { await Task.Delay(200, stop); } catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>Receives up to 32 messages, records the latency of each benchmark event, deletes them; returns how many it received.</summary>
    private static async Task<int> ReadOnceAsync(QueueClient queue, List<double>? latencies, CancellationToken stop = default)
    {
        var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5), stop)).Value;
        var now = DateTime.UtcNow.Ticks;
        foreach (var m in batch)
        {
            using var doc = JsonDocument.Parse(m.Body.ToMemory());
            var sent = doc.RootElement.GetProperty("event").GetProperty("object").GetProperty("sent").GetInt64();
            if (sent == 0 || latencies is null) continue; // warm-up event
            lock (latencies) latencies.Add(TimeSpan.FromTicks(now - sent).TotalMilliseconds);
        }
        await Task.WhenAll(batch.Select(m => queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, stop)));
        return batch.Length;
    }
}
