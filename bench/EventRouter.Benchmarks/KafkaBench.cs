using System.Globalization;
using System.Diagnostics;
using Confluent.Kafka;
using EventRouter.Charts;
using EventRouter.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventRouter.Benchmarks;

/// <summary>
/// Kafka side: a backlog of 300-byte events on the librdkafka mock cluster, consumed three ways in
/// one run: through the product's KafkaSourceService (generic host, AddEventRouterKafka, product
/// defaults) into a null IRecordBatchRouter; by a bare Confluent.Kafka consume loop with the very
/// same consumer configuration that only counts records (the baseline: what the client library
/// itself costs); and by `kcat -C -e -o beginning -q` as the independent reference.
/// </summary>
internal static class KafkaBench
{
    // The mock keeps about 5 MiB per partition (rdkafka_mock.c): 14,000 uncompressed 300-byte events.
    // Produced with lz4, as many producers do, 1,000,000 fit on 64 partitions; every consumer pays
    // the same decompression, in librdkafka.
    private const int MaxPerPartition = 16_000;

    public static async Task RunAsync(HarnessOptions options, ResultTable table)
    {
        KafkaNativeLibrary.EnsureLoaded();
        var count = options.Count ?? 1_000_000;
        // A sweep that includes the backlog's partition count measures it there: the same run twice
        // would only cost minutes.
        if (!options.Sweep.Contains(options.Partitions)) await RunOneAsync(options.Partitions, count, table);
        var sweep = new BenchmarkCsv("partitions", "records", "eventrouter_per_second", "bare_loop_per_second", "kcat_per_second");
        foreach (var partitions in options.Sweep)
        {
            var (records, router, bare, kcat) = await RunOneAsync(partitions, Math.Min(count, partitions * MaxPerPartition), table);
            sweep.Add(partitions, records, Math.Round(router), Math.Round(bare), Math.Round(kcat));
        }
        BenchResults.Save(options, BenchCharts.KafkaPartitionsName, sweep, BenchCharts.KafkaPartitions());
    }

    /// <summary>One backlog, measured; returns the records on the broker and the median rates of the source and the bare loop, and kcat's rate.</summary>
    private static async Task<(long Records, double Router, double Bare, double Kcat)> RunOneAsync(int partitions, int requested, ResultTable table)
    {
        var count = Math.Min(requested, partitions * MaxPerPartition);
        Console.WriteLine($"kafka: {count:N0} x 300 B over {partitions} partition(s)");
        using var cluster = new MockKafkaCluster(brokerCount: 1);
        const string topic = "Notifications";
        cluster.CreateTopic(topic, partitions);
        Produce(cluster.BootstrapServers, topic, partitions, count, CompressionType.Lz4);
        var available = Available(cluster.BootstrapServers, topic, partitions);
        if (available != count) Console.WriteLine($"  note: the mock cluster holds {available:N0} of {count:N0} produced records");

        var name = $"Kafka backlog, {available:N0} x 300 B (lz4), {partitions} partition(s)";
        var settings = new Dictionary<string, string?>();
        // This VM's speed swings by up to 2x within seconds (docs/performance.md, "Pitfall"): the two
        // consumers are run in alternating order, round after round, and the ratio is the median of
        // the rounds' ratios, each of two runs back to back.
        var ours = new List<Measured>();
        var theirs = new List<Measured>();
        for (var round = 0; round < Rounds; round++)
        {
            var sourceFirst = round % 2 == 0;
            if (sourceFirst) ours.Add(await MeasureAsync(() => ConsumeWithSourceServiceAsync(cluster.BootstrapServers, topic, new NullRouter(available), available, settings)));
            theirs.Add(await MeasureAsync(() => Task.FromResult(ConsumeWithBareLoop(cluster.BootstrapServers, topic, available, settings))));
            if (!sourceFirst) ours.Add(await MeasureAsync(() => ConsumeWithSourceServiceAsync(cluster.BootstrapServers, topic, new NullRouter(available), available, settings)));
            Console.WriteLine($"  round {round + 1}: {ours[^1]} against {theirs[^1]}: {ours[^1].Rate / theirs[^1].Rate:0.00}");
        }

        // kcat runs on Debian's librdkafka 2.0.2, which has no fetch.queue.backoff.ms: given a prefetch
        // that holds the whole backlog it never backs off, so it is measured at its best.
        var kcat = await ConsumeWithKcatAsync(cluster.BootstrapServers, topic, available, UnboundedPrefetch);
        var ratio = Median(ours.Zip(theirs, (a, b) => a.Rate / b.Rate));
        var router = Median(ours.Select(m => m.Rate));
        table.Add(name, Fmt.Rate(router), $"bare Confluent.Kafka loop {Fmt.Rate(Median(theirs.Select(m => m.Rate)))}", Fmt.Ratio(ratio),
            ">= 0.90" + (ratio >= 0.9 ? " met" : " NOT MET"),
            $"medians of {Rounds} alternating rounds (ratios {string.Join(", ", ours.Zip(theirs, (a, b) => (a.Rate / b.Rate).ToString("0.00", CultureInfo.InvariantCulture)))}); " +
            $"process CPU per record {Median(ours.Select(m => m.CpuPerRecord)):0.00} µs against {Median(theirs.Select(m => m.CpuPerRecord)):0.00} µs; " +
            $"GC pauses {Median(ours.Select(m => m.GcPause.TotalMilliseconds)):0} ms against {Median(theirs.Select(m => m.GcPause.TotalMilliseconds)):0} ms; " +
            $"kcat {Fmt.Rate(kcat.Rate)} ({Fmt.Ratio(router / kcat.Rate)} of it)");
        return (available, router, Median(theirs.Select(m => m.Rate)), kcat.Rate);
    }

    private const int Rounds = 5;

    /// <summary>One consumer's run: its rate, the process's CPU per record, GC collections and pauses while it ran.</summary>
    private sealed record Measured(double Rate, double CpuPerRecord, int Gen0, int Gen1, TimeSpan GcPause)
    {
        public override string ToString() => $"{Rate:N0}/s, {CpuPerRecord:0.00} µs CPU/record, GC {Gen0}/{Gen1} ({GcPause.TotalMilliseconds:0} ms)";
    }

    private static async Task<Measured> MeasureAsync(Func<Task<(double Rate, long Records)>> consume)
    {
        var (gen0, gen1, pause) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.GetTotalPauseDuration());
        var cpu = ProcessCpu();
        var (rate, records) = await consume();
        var used = ProcessCpu() - cpu;
        return new Measured(rate, records == 0 ? 0 : used.TotalMicroseconds / records,
            GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.GetTotalPauseDuration() - pause);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>CPU time of the whole process (every thread, librdkafka's included) so far.</summary>
    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>
    /// For kcat: a prefetch that holds the whole backlog, so librdkafka 2.0.2's fetcher (which looks
    /// again only up to a second after the prefetch was full) never waits.
    /// </summary>
    private static readonly Dictionary<string, string> UnboundedPrefetch = new()
    {
        ["queued.min.messages"] = "10000000",
        ["queued.max.messages.kbytes"] = "1048576",
        ["fetch.max.bytes"] = "52428800",
        ["fetch.wait.max.ms"] = KafkaBenchSettings.MockFetchWaitMaxMs,
    };

    /// <summary>
    /// The baseline: a consumer built from exactly the configuration EventRouter's source would use
    /// (<see cref="KafkaClientConfigFactory.CreateConsumerConfig"/> over the same settings), in a loop
    /// that only counts records; timed like the source, from the first record to the last.
    /// </summary>
    private static (double Rate, long Records) ConsumeWithBareLoop(string bootstrap, string topic, long expected, IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(KafkaBenchSettings.For(bootstrap, topic, "bench-bare-" + Guid.NewGuid().ToString("N")))
            .AddEnvironmentVariables()
            .AddInMemoryCollection(settings)
            .Build();
        var options = new KafkaOptions();
        configuration.GetSection(KafkaOptions.SectionName).Bind(options);
        var config = new KafkaClientConfigFactory(Microsoft.Extensions.Options.Options.Create(options)).CreateConsumerConfig(topic);
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
        consumer.Subscribe(topic);
        long records = 0, first = 0, last = 0;
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 180;
        while (records < expected && Stopwatch.GetTimestamp() < deadline)
        {
            if (consumer.Consume(100) is null) continue;
            if (records++ == 0) first = Stopwatch.GetTimestamp();
        }
        last = Stopwatch.GetTimestamp();
        consumer.Close();
        var seconds = Stopwatch.GetElapsedTime(first, last).TotalSeconds;
        Console.WriteLine($"  bare loop: {records:N0} records in {seconds:0.000} s (first record to last)");
        // Like the source's rate, the first record (fetched before the clock started) is not counted.
        return ((records - 1) / seconds, records);
    }

    internal static void Produce(string bootstrap, string topic, int partitions, int count, CompressionType compression = CompressionType.None)
    {
        var watch = Stopwatch.StartNew();
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            LingerMs = 20,
            BatchSize = 1_000_000,
            QueueBufferingMaxMessages = 2_000_000,
            QueueBufferingMaxKbytes = 1_048_576,
            Acks = Acks.Leader,
            CompressionType = compression,
        }).SetLogHandler((_, _) => { }).Build();
        for (var i = 0; i < count; i++)
        {
            var value = BenchEvents.Create(300, i);
            while (true)
            {
                try
                {
                    producer.Produce(new TopicPartition(topic, i % partitions), new Message<byte[], byte[]> { Value = value });
                    break;
                }
                catch (ProduceException<byte[], byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }
        producer.Flush(TimeSpan.FromMinutes(2));
        Console.WriteLine($"  produced in {watch.Elapsed.TotalSeconds:0.0} s");
    }

    internal static long Available(string bootstrap, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "inspector" })
            .SetLogHandler((_, _) => { }).Build();
        long total = 0;
        for (var p = 0; p < partitions; p++)
        {
            var w = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10));
            total += w.High.Value - w.Low.Value;
        }
        return total;
    }

    /// <summary>Runs the product's Kafka source in a generic host into <paramref name="sink"/> until it has seen <paramref name="expected"/> records.</summary>
    internal static async Task<(double Rate, long Records)> ConsumeWithSourceServiceAsync(
        string bootstrap, string topic, NullRouter sink, long expected, IDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = Environments.Development,
            DisableDefaults = true,
        });
        builder.Configuration.AddInMemoryCollection(KafkaBenchSettings.For(bootstrap, topic, "bench-" + Guid.NewGuid().ToString("N")));
        // As in `eventrouter run` and the worker child, environment variables override (e.g. Kafka__Consumer__fetch.max.bytes).
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IRecordBatchRouter>(sink);
        builder.Services.AddEventRouterKafka(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var finished = await Task.WhenAny(sink.Done, Task.Delay(TimeSpan.FromMinutes(3)));
            if (finished != sink.Done) Console.WriteLine($"  KafkaSourceService timed out with {sink.Records:N0} of {expected:N0}");
        }
        finally
        {
            await host.StopAsync();
        }
        var seconds = sink.Elapsed.TotalSeconds;
        // The first batch's records were fetched before the clock started: they are not counted in the rate.
        Console.WriteLine($"  KafkaSourceService: {sink.Records:N0} records, {sink.Batches:N0} batches, {seconds:0.000} s from first batch to last");
        return ((sink.Records - sink.FirstBatch) / seconds, sink.Records);
    }

    private static async Task<(double Rate, long Records)> ConsumeWithKcatAsync(string bootstrap, string topic, long expected, Dictionary<string, string> librdkafka)
    {
        var info = new ProcessStartInfo("kcat") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-C", "-b", bootstrap, "-t", topic, "-e", "-o", "beginning", "-q" }) info.ArgumentList.Add(a);
        foreach (var (key, value) in librdkafka)
        {
            info.ArgumentList.Add("-X");
            info.ArgumentList.Add($"{key}={value}");
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("kcat did not start (apt-get install kcat)");
        _ = process.StandardError.ReadToEndAsync();
        var stream = process.StandardOutput.BaseStream;
        var buffer = new byte[1 << 20];
        long lines = 0, first = 0, last = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            last = Stopwatch.GetTimestamp();
            if (first == 0) first = last;
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }
        // Not the exit time: with -e kcat exits only after an empty fetch (fetch.wait.max.ms) on every partition.
        await process.WaitForExitAsync();
        var seconds = Stopwatch.GetElapsedTime(first, last).TotalSeconds;
        Console.WriteLine($"  kcat: {lines:N0} records in {seconds:0.000} s (first byte to last byte)");
        if (lines != expected) Console.WriteLine($"  note: kcat printed {lines:N0} lines, expected {expected:N0}");
        return (lines / seconds, lines);
    }

    /// <summary>
    /// The null sink: counts records and batches, remembers when the first batch arrived and the last
    /// completed. With a <paramref name="latency"/> each batch takes that long, like a storage round trip.
    /// </summary>
    internal sealed class NullRouter(long expected, TimeSpan latency = default) : IRecordBatchRouter
    {
        private static readonly BatchRoutingResult Empty = new([]);
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _records, _batches, _first, _last;

        public Task Done => _done.Task;
        public long Records => Interlocked.Read(ref _records);
        public long Batches => Interlocked.Read(ref _batches);
        public int FirstBatch { get; private set; }
        public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_first, _last);

        public async Task<BatchRoutingResult> RouteBatchAsync(IReadOnlyList<InboundRecord> records, CancellationToken cancellationToken = default)
        {
            var now = Stopwatch.GetTimestamp();
            if (Interlocked.CompareExchange(ref _first, now, 0) == 0) FirstBatch = records.Count;
            if (latency > TimeSpan.Zero) await Task.Delay(latency, cancellationToken);
            _last = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _batches);
            if (Interlocked.Add(ref _records, records.Count) >= expected) _done.TrySetResult();
            return Empty;
        }
    }
}
