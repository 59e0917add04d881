using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Storage.Queues;
using EventRouter.Delivery;
using EventRouter.Diagnostics;
using EventRouter.Formats;
using EventRouter.Routing;
using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventRouter.Benchmarks;

/// <summary>
/// Storage side: N events on 4 partitions through RoutingPipeline with the real AzureQueueDispatcher
/// into Azurite the way the Kafka source calls it: batches of 500 of one partition, one after another
/// per partition, the partitions side by side (Kafka:MaxParallelPartitions), against the raw Azure SDK
/// sending the same messages to the same queues with the same concurrency (DeliveryOptions.MaxConcurrency)
/// and no batch boundaries. Same Azurite, same client options (StorageClientFactory), queues emptied between.
/// </summary>
internal static class StorageBench
{
    private const int BatchSize = 500;

    public static async Task RunAsync(HarnessOptions options, ResultTable table)
    {
        var count = options.Count ?? 100_000;
        Console.WriteLine($"storage: {count:N0} x 300 B events into Azurite");
        await using var azurite = await Azurite.StartAsync(options.AzuriteInMemory);
        var delivery = new DeliveryOptions();
        var storage = new EventStorageOptions { ConnectionString = azurite.ConnectionString };
        var queues = StorageClientFactory.CreateQueueServiceClient(storage, delivery);
        var blobs = StorageClientFactory.CreateBlobServiceClient(storage, delivery);
        var routes = new RouteTable(new RoutingOptions());
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var pipeline = new RoutingPipeline(routes, EventRouter.Validation.EventFieldMapping.Default, new AzureQueueDispatcher(queues, blobs),
            new EventRouterTelemetry(services.GetRequiredService<IMeterFactory>()), Options.Create(delivery), NullLogger<RoutingPipeline>.Instance);

        var records = Enumerable.Range(0, count)
            .Select(i => new InboundRecord("Notifications", i % 4, i / 4, DateTimeOffset.UtcNow, null, BenchEvents.Create(300, i), []))
            .ToArray();
        var now = DateTimeOffset.UtcNow;
        var messages = records.Select(r =>
        {
            var v = EventRouter.Validation.EventValidator.Validate(r.Value!.Value.Span);
            return (Queue: routes.Resolve(r.Topic, v.GetEventType(r.Value.Value.Span)).Queue, Message: (ReadOnlyMemory<byte>)RoutedMessage.Create(r.Value.Value.Span, r, now));
        }).ToArray();
        var queueNames = messages.Select(m => m.Queue).Distinct().ToArray();

        // Warm-up: creates every queue and warms both paths (connections, JIT); then empty the queues.
        var warm = Enumerable.Range(0, Math.Min(count, 2 * BatchSize))
            .Select(i => new InboundRecord("Notifications", 0, i, null, null, BenchEvents.Create(300, i), [])).ToArray();
        await pipeline.RouteBatchAsync(warm);
        var clients = new ConcurrentDictionary<string, QueueClient>(queueNames.ToDictionary(q => q, q => queues.GetQueueClient(q)));
        await RawAsync(clients, messages.Take(BatchSize).ToArray(), delivery.MaxConcurrency);
        await ClearAsync(clients.Values);

        var raw = await RawAsync(clients, messages, delivery.MaxConcurrency);
        var rawCount = await CountAsync(clients.Values);
        Console.WriteLine($"  raw SDK: {count:N0} sends in {raw.TotalSeconds:0.00} s; queues hold {rawCount:N0}");
        await ClearAsync(clients.Values);

        var watch = Stopwatch.StartNew();
        var routed = 0;
        await Task.WhenAll(records.GroupBy(r => r.Partition).Select(async partition =>
        {
            // One partition's batches in order, as its lane in KafkaSourceService routes them.
            foreach (var batch in partition.Chunk(BatchSize))
            {
                var result = await pipeline.RouteBatchAsync(batch);
                Interlocked.Add(ref routed, result.Routed);
            }
        }));
        var ours = watch.Elapsed;
        var ourCount = await CountAsync(clients.Values);
        Console.WriteLine($"  RoutingPipeline: {routed:N0} routed in {ours.TotalSeconds:0.00} s; queues hold {ourCount:N0}");

        var ratio = raw.TotalSeconds / ours.TotalSeconds;
        table.Add($"Storage, {count:N0} x 300 B into Azurite, concurrency {delivery.MaxConcurrency}",
            Fmt.Rate(count / ours.TotalSeconds), $"raw SDK {Fmt.Rate(count / raw.TotalSeconds)}", Fmt.Ratio(ratio),
            ">= 0.80" + (ratio >= 0.8 ? " met" : " NOT MET"), $"{ourCount:N0}/{rawCount:N0} messages in queues");
    }

    private static async Task<TimeSpan> RawAsync(ConcurrentDictionary<string, QueueClient> clients, (string Queue, ReadOnlyMemory<byte> Message)[] messages, int concurrency)
    {
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (m, token) => await clients[m.Queue].SendMessageAsync(new BinaryData(m.Message), cancellationToken: token));
        return watch.Elapsed;
    }

    private static async Task ClearAsync(IEnumerable<QueueClient> clients)
    {
        foreach (var c in clients) await c.ClearMessagesAsync();
    }

    private static async Task<long> CountAsync(IEnumerable<QueueClient> clients)
    {
        long total = 0;
        foreach (var c in clients) total += (await c.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        return total;
    }
}
