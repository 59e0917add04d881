using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using EventRouter.Delivery;
using EventRouter.Diagnostics;
using EventRouter.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventRouter.Benchmarks;

/// <summary>
/// <c>Routing:Shards</c>: N prices of 500 instruments (the key) through RoutingPipeline into the prices
/// route spread over 1, 2, 4 and 8 shards, the shards over 1 and 2 Azurite processes (accounts, as
/// <c>Routing:ShardConnections</c>), routed as the Kafka source does (6 partitions side by side,
/// batches of 500). Reports events/s, the baseline being 1 shard in 1 account of the same run, and how
/// evenly the shards filled (each shard's count against the mean, counted in the queues afterwards).
/// </summary>
internal static class ShardsBench
{
    private const int BatchSize = 500;
    private const int Partitions = 6;
    private const int Instruments = 500;

    public static async Task RunAsync(HarnessOptions options, ResultTable table)
    {
        var count = options.Count ?? 10_000;
        Console.WriteLine($"shards: {count:N0} x 300 B prices of {Instruments} instruments, 1/2/4/8 shards over 1 and 2 Azurite processes ({(options.AzuriteInMemory ? "in memory" : "on disk")}); load {LoadAverage()}");
        var delivery = new DeliveryOptions();
        var records = Enumerable.Range(0, count)
            .Select(i => new InboundRecord(RoutingDefaults.PricesTopic, i % Partitions, i / Partitions, DateTimeOffset.UtcNow,
                Encoding.UTF8.GetBytes($"US{i % Instruments:D10}"), BenchEvents.Create(300, i, type: "PRICE.UPDATED"), []))
            .ToArray();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();

        double? baseline = null;
        var run = 0;
        foreach (var accounts in new[] { 1, 2 })
        foreach (var shards in new[] { 1, 2, 4, 8 })
        {
            // Fresh Azurite processes for every row: the messages earlier rows left behind slow Azurite
            // down, which made later rows look slower (docs/performance.md, "Shards").
            await using var first = await Azurite.StartAsync(options.AzuriteInMemory);
            await using var second = await Azurite.StartAsync(options.AzuriteInMemory);
            var connections = new Dictionary<string, string> { ["EventStorage"] = first.ConnectionString, ["EventStorage2"] = second.ConnectionString };
            var routing = new RoutingOptions { PricesQueue = $"prices-run{run++}", ShardConnections = connections.Keys.Take(accounts).ToList() };
            routing.Shards.Add(new QueueShards { Queue = routing.PricesQueue, Count = shards });
            var routes = new RouteTable(routing);
            var accountsOf = new StorageAccounts(routes, Connect(connections["EventStorage"], delivery), name => Connect(connections[name], delivery));
            var blobs = StorageClientFactory.CreateBlobServiceClient(new EventStorageOptions { ConnectionString = first.ConnectionString }, delivery);
            var pipeline = new RoutingPipeline(routes, EventRouter.Validation.EventFieldMapping.Default, new AzureQueueDispatcher(accountsOf, blobs),
                new EventRouterTelemetry(services.GetRequiredService<IMeterFactory>()), Options.Create(delivery), NullLogger<RoutingPipeline>.Instance);

            // Warm-up on the same queues (connections, JIT, queue creation), then measure from empty.
            await pipeline.RouteBatchAsync(records.Take(BatchSize).ToArray());
            foreach (var queue in routes.ShardsOf(routing.PricesQueue)) await accountsOf.GetQueueClient(queue).ClearMessagesAsync();

            var watch = Stopwatch.StartNew();
            var routed = 0;
            await Task.WhenAll(records.GroupBy(r => r.Partition).Select(async partition =>
            {
                foreach (var batch in partition.Chunk(BatchSize))
                {
                    Interlocked.Add(ref routed, (await pipeline.RouteBatchAsync(batch)).Routed);
                }
            }));
            var elapsed = watch.Elapsed;
            var perShard = new List<int>();
            foreach (var queue in routes.ShardsOf(routing.PricesQueue))
            {
                perShard.Add((await accountsOf.GetQueueClient(queue).GetPropertiesAsync()).Value.ApproximateMessagesCount);
            }
            var rate = count / elapsed.TotalSeconds;
            baseline ??= rate;
            var mean = perShard.Average();
            var spread = string.Join(" ", perShard.Select(c => c.ToString(CultureInfo.InvariantCulture)));
            Console.WriteLine($"  {shards} shard(s), {accounts} account(s): {routed:N0} routed in {elapsed.TotalSeconds:0.00} s; per shard {spread}; load {LoadAverage()}");
            table.Add($"Shards: {count:N0} prices, {shards} shard(s) over {accounts} Azurite process(es)", Fmt.Rate(rate), $"1 shard, 1 process {Fmt.Rate(baseline.Value)}",
                Fmt.Ratio(rate / baseline.Value), "grows with shards/accounts until the machine is the bound",
                $"per shard {spread} (min {perShard.Min() / mean:0.00}, max {perShard.Max() / mean:0.00} of the mean); {perShard.Sum():N0} in queues");
        }
    }

    private static Azure.Storage.Queues.QueueServiceClient Connect(string connectionString, DeliveryOptions delivery) =>
        StorageClientFactory.CreateQueueServiceClient(new EventStorageOptions { ConnectionString = connectionString }, delivery);

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
