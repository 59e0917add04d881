using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using EventRouter.Delivery;
using EventRouter.Diagnostics;
using EventRouter.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventRouter.Benchmarks;

/// <summary>
/// Prices conflation: how many queue writes <c>PriceConflation:Enabled</c> saves on a realistic price
/// stream. 200,000 price updates of 500 instruments whose activity follows Zipf's law (a few
/// instruments tick far more often than the long tail), keyed by instrument onto 16 partitions, cut
/// into per-partition batches the way the Kafka source cuts them: full batches of 500 while draining
/// a backlog, and the smaller batches a 50 ms linger makes at lower rates (a linger a conflating
/// deployment would set: the 5 ms default makes batches ten times smaller). The same batches go
/// through RoutingPipeline with conflation off and on, into a counting sink (no storage: the figure
/// is the number of writes, which is what storage charges for and what bounds throughput).
/// </summary>
internal static class ConflationBench
{
    private const int Events = 200_000;
    private const int Instruments = 500;
    private const int Partitions = 16;

    public static async Task RunAsync(HarnessOptions options, ResultTable table)
    {
        var count = options.Count ?? Events;
        var stream = PriceStream(count, seed: 11);
        Console.WriteLine($"conflation: {count:N0} price updates of {Instruments} instruments (Zipf), {Partitions} partitions");
        foreach (var (batchSize, when) in new[] { (500, "backlog"), (100, "~32,000/s at 50 ms linger"), (20, "~6,400/s at 50 ms linger"), (5, "~1,600/s at 50 ms linger") })
        {
            var batches = stream.GroupBy(r => r.Partition).SelectMany(p => p.Chunk(batchSize)).ToList();
            var off = await CountWritesAsync(batches, conflate: false);
            var on = await CountWritesAsync(batches, conflate: true);
            table.Add($"Prices conflation, {count:N0} updates, batches of {batchSize} ({when})",
                $"{on:N0} writes", $"without {off:N0}", $"{1 - (double)on / off:P1} saved", "(measure)",
                $"{batches.Count:N0} batches");
        }
    }

    private static async Task<long> CountWritesAsync(List<InboundRecord[]> batches, bool conflate)
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var sink = new CountingDispatcher();
        var pipeline = new RoutingPipeline(new RouteTable(new RoutingOptions()), EventRouter.Validation.EventFieldMapping.Default, sink,
            new EventRouterTelemetry(services.GetRequiredService<IMeterFactory>()), Options.Create(new DeliveryOptions()),
            NullLogger<RoutingPipeline>.Instance, conflator: new PriceConflator(Options.Create(new PriceConflationOptions { Enabled = conflate })));
        long accounted = 0;
        foreach (var batch in batches)
        {
            accounted += (await pipeline.RouteBatchAsync(batch)).Count;
        }

        if (accounted != batches.Sum(b => b.Length)) throw new InvalidOperationException("a record has no outcome");
        return sink.Writes;
    }

    /// <summary>Price updates in time order: instrument i ticks with weight 1/(i+1); each is keyed by its instrument.</summary>
    private static List<InboundRecord> PriceStream(int count, int seed)
    {
        var random = new Random(seed);
        var cumulative = new double[Instruments];
        double total = 0;
        for (var i = 0; i < Instruments; i++)
        {
            total += 1.0 / (i + 1);
            cumulative[i] = total;
        }

        var nextOffset = new long[Partitions];
        var records = new List<InboundRecord>(count);
        for (var n = 0; n < count; n++)
        {
            var pick = Array.BinarySearch(cumulative, random.NextDouble() * total);
            var instrument = pick >= 0 ? pick : ~pick;
            var isin = $"XS{instrument:D10}";
            var partition = (int)((uint)isin.GetHashCode(StringComparison.Ordinal) % Partitions);
            var value = Encoding.UTF8.GetBytes(
                $$$"""{"id":"{{{Guid.NewGuid()}}}","created_at":"2026-11-22T10:00:{{{n % 60:D2}}}.123Z","type":"INSTRUMENT_PRICE.UPDATED","object":{"instrument_id":"{{{isin}}}","bid":"{{{100 + random.NextDouble():F4}}}","ask":"{{{100.01 + random.NextDouble():F4}}}","currency":"EUR","venue":"XETR"}}""");
            records.Add(new InboundRecord("Prices", partition, nextOffset[partition]++, DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes(isin), value, []));
        }

        return records;
    }

    private sealed class CountingDispatcher : IQueueDispatcher
    {
        private long _writes;

        public long Writes => Interlocked.Read(ref _writes);

        public Task SendAsync(string queueName, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _writes);
            return Task.CompletedTask;
        }

        public Task UploadPayloadAsync(string blobName, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _writes);
            return Task.CompletedTask;
        }
    }
}
