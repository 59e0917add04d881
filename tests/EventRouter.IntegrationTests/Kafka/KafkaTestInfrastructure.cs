using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using EventRouter.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace EventRouter.IntegrationTests.Kafka;

/// <summary>One <see cref="MockKafkaClusterFixture"/> (tests/EventRouter.Testing) for the Kafka tests that do not take brokers down.</summary>
[CollectionDefinition(Name)]
public sealed class KafkaCollection : ICollectionFixture<MockKafkaClusterFixture>
{
    public const string Name = "Kafka";
}

/// <summary>Kafka test helpers: unique names, producing, committed and end offsets, waiting on conditions.</summary>
internal static class KafkaTestKit
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static string UniqueTopic(string prefix = "test") => $"{prefix}-{Guid.NewGuid():N}";

    public static string UniqueGroup() => "group-" + Guid.NewGuid().ToString("N");

    /// <summary>Runs a program to its end (at most <paramref name="timeout"/>); its exit code and stdout followed by stderr.</summary>
    public static async Task<(int ExitCode, string Output)> RunProcessAsync(
        string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Runs the real <c>eventrouter</c> program (the build copies it next to the tests) to its end.</summary>
    public static Task<(int ExitCode, string Output)> RunCliAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
        => RunProcessAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "EventRouter.Cli.dll"), .. arguments], environment, timeout);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > limit)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds:0} s waiting until {what}.");
            }

            await Task.Delay(25);
        }
    }

    public static IProducer<byte[], byte[]> CreateProducer(string bootstrapServers)
    {
        KafkaNativeLibrary.EnsureLoaded();
        return new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            MessageTimeoutMs = 60_000,
            ReconnectBackoffMaxMs = 1000,
        }).SetLogHandler((_, _) => { }).Build();
    }

    /// <summary>Produces <paramref name="count"/> records with keys k0..kN (spread over partitions) and a header naming the record.</summary>
    public static async Task ProduceAsync(IProducer<byte[], byte[]> producer, string topic, int count, string tag = "r", int start = 0)
    {
        var deliveries = new List<Task<DeliveryResult<byte[], byte[]>>>(count);
        for (var i = start; i < start + count; i++)
        {
            deliveries.Add(producer.ProduceAsync(topic, new Message<byte[], byte[]>
            {
                Key = Encoding.UTF8.GetBytes($"k{i}"),
                Value = Encoding.UTF8.GetBytes($"{{\"n\":{i},\"tag\":\"{tag}\"}}"),
                Headers = new Headers { { "record", Encoding.UTF8.GetBytes($"{tag}-{i}") } },
            }));
        }

        await Task.WhenAll(deliveries);
    }

    /// <summary>The group's committed offsets, read with a consumer of the same group that never joins it.</summary>
    public static Dictionary<int, long> Committed(string bootstrapServers, string group, string topic, int partitions)
    {
        using var consumer = CreateInspector(bootstrapServers, group);
        return consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10))
            .ToDictionary(tpo => tpo.Partition.Value, tpo => tpo.Offset.Value);
    }

    /// <summary>The high watermark (end offset) of each partition.</summary>
    public static Dictionary<int, long> EndOffsets(string bootstrapServers, string topic, int partitions)
    {
        using var consumer = CreateInspector(bootstrapServers, "inspector-" + Guid.NewGuid().ToString("N"));
        return Enumerable.Range(0, partitions).ToDictionary(
            p => p,
            p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
    }

    private static IConsumer<byte[], byte[]> CreateInspector(string bootstrapServers, string group)
    {
        KafkaNativeLibrary.EnsureLoaded();
        return new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = group,
            EnableAutoCommit = false,
        }).SetLogHandler((_, _) => { }).Build();
    }
}

/// <summary>
/// A hand-written <see cref="IRecordBatchRouter"/>: records every call and every successfully routed
/// batch, and can be told to fail (as storage would) or to take its time.
/// </summary>
internal sealed class RecordingRouter : IRecordBatchRouter
{
    private readonly ConcurrentQueue<IReadOnlyList<InboundRecord>> _attempts = new();
    private readonly ConcurrentQueue<IReadOnlyList<InboundRecord>> _routed = new();
    private volatile bool _failing;
    private volatile int[] _failingPartitions = [];
    private int _routedCount;
    private int _concurrent;
    private int _maxConcurrent;

    /// <summary>While true every call throws a transient <see cref="EventDeliveryException"/>.</summary>
    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    /// <summary>Calls with a record of one of these partitions throw, as if only their writes failed.</summary>
    public IReadOnlyCollection<int> FailingPartitions
    {
        get => _failingPartitions;
        set => _failingPartitions = [.. value];
    }

    /// <summary>The most calls that were running at the same time.</summary>
    public int MaxConcurrentCalls => Volatile.Read(ref _maxConcurrent);

    /// <summary>How long each successful call takes.</summary>
    public TimeSpan Latency { get; set; }

    public IReadOnlyList<IReadOnlyList<InboundRecord>> Attempts => [.. _attempts];
    public IReadOnlyList<IReadOnlyList<InboundRecord>> RoutedBatches => [.. _routed];
    public IReadOnlyList<InboundRecord> Routed => [.. _routed.SelectMany(b => b)];
    public int RoutedCount => Volatile.Read(ref _routedCount);

    public async Task<BatchRoutingResult> RouteBatchAsync(IReadOnlyList<InboundRecord> records, CancellationToken cancellationToken = default)
    {
        _attempts.Enqueue([.. records]);
        var concurrent = Interlocked.Increment(ref _concurrent);
        try
        {
            int seen;
            while (concurrent > (seen = Volatile.Read(ref _maxConcurrent)) && Interlocked.CompareExchange(ref _maxConcurrent, concurrent, seen) != seen)
            {
            }

            var failingPartitions = _failingPartitions;
            if (Failing || records.Any(r => failingPartitions.Contains(r.Partition)))
            {
                throw new EventDeliveryException("Simulated storage outage.", isTransient: true);
            }

            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency, cancellationToken);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _concurrent);
        }

        _routed.Enqueue([.. records]);
        Interlocked.Add(ref _routedCount, records.Count);
        return new BatchRoutingResult(
            [.. records.Select(r => new RecordOutcome(r.Topic, r.Partition, r.Offset, OutcomeKind.Routed, "test", null, false))]);
    }

    /// <summary>For each partition: the highest routed offset plus one.</summary>
    public Dictionary<int, long> NextOffsets()
        => Routed.GroupBy(r => r.Partition).ToDictionary(g => g.Key, g => g.Max(r => r.Offset) + 1);
}

/// <summary>Passes batches to another router, counting calls started and completed successfully.</summary>
internal sealed class CountingRouter(IRecordBatchRouter inner) : IRecordBatchRouter
{
    private int _started;
    private int _completed;

    public int Started => Volatile.Read(ref _started);
    public int Completed => Volatile.Read(ref _completed);

    public async Task<BatchRoutingResult> RouteBatchAsync(IReadOnlyList<InboundRecord> records, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _started);
        var result = await inner.RouteBatchAsync(records, cancellationToken);
        Interlocked.Increment(ref _completed);
        return result;
    }
}

/// <summary>Captures log events (all levels) and echoes them to the test output.</summary>
internal sealed class CapturingLoggerProvider(ITestOutputHelper? output) : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, EventId EventId, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            provider.Entries.Enqueue((logLevel, eventId, message));
            if (logLevel >= (Environment.GetEnvironmentVariable("KAFKA_TEST_TRACE") == "1" ? LogLevel.Trace : LogLevel.Information))
            {
                try
                {
                    provider._output?.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {logLevel} {eventId.Name}: {message}");
                }
                catch (InvalidOperationException)
                {
                    // The test already finished.
                }
            }
        }
    }

    private readonly ITestOutputHelper? _output = output;
}

/// <summary>A fake lifetime that records <see cref="StopApplication"/>.</summary>
internal sealed class TestLifetime : IHostApplicationLifetime
{
    private readonly CancellationTokenSource _stopping = new();

    public CancellationToken ApplicationStarted => CancellationToken.None;
    public CancellationToken ApplicationStopping => _stopping.Token;
    public CancellationToken ApplicationStopped => CancellationToken.None;
    public bool StopRequested => _stopping.IsCancellationRequested;

    public void StopApplication() => _stopping.Cancel();
}

/// <summary>
/// One <see cref="KafkaSourceService"/> wired to a <see cref="RecordingRouter"/>, with test-friendly
/// timings: session timeout 6 s (see the mock cluster notes), auto-commit every 200 ms, short backoff.
/// </summary>
internal sealed class KafkaSourceHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private bool _started;
    private bool _stopped;

    public KafkaSourceHarness(string bootstrapServers, string topic, string group, ITestOutputHelper? output,
        RecordingRouter? router = null, Action<KafkaOptions>? configure = null, IRecordBatchRouter? batchRouter = null)
    {
        Router = router ?? batchRouter as RecordingRouter ?? new RecordingRouter();
        Logs = new CapturingLoggerProvider(output);
        Options = new KafkaOptions
        {
            BootstrapServers = bootstrapServers,
            SecurityProtocol = "Plaintext",
            AllowPlaintext = true,
            ConsumerGroup = group,
            Topics = new KafkaTopicsOptions { Notifications = topic, Prices = "" },
            BatchLinger = TimeSpan.FromMilliseconds(20),
            RetryDelay = TimeSpan.FromMilliseconds(100),
            RetryMaxDelay = TimeSpan.FromMilliseconds(400),
            ShutdownTimeout = TimeSpan.FromSeconds(10),
            Consumer =
            {
                ["session.timeout.ms"] = "6000",
                ["heartbeat.interval.ms"] = "500",
                ["auto.commit.interval.ms"] = "200",
                ["topic.metadata.refresh.interval.ms"] = "1000",
                // librdkafka backs off reconnecting up to 10 s by default; tests take brokers down.
                ["reconnect.backoff.max.ms"] = "1000",
            },
        };
        configure?.Invoke(Options);
        if (AssignmentStrategyOverride is { } strategy)
        {
            Options.Consumer["partition.assignment.strategy"] = strategy;
        }

        var validation = new KafkaOptionsValidator().Validate(null, Options);
        Assert.True(validation.Succeeded, validation.FailureMessage);

        _services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs))
            .AddMetrics()
            .BuildServiceProvider();
        MeterFactory = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        Service = new KafkaSourceService(
            topic,
            options,
            batchRouter ?? Router,
            new KafkaClientConfigFactory(options),
            new KafkaMetrics(MeterFactory),
            _services.GetRequiredService<ILogger<KafkaSourceService>>(),
            Lifetime)
        {
            LagRefreshInterval = TimeSpan.FromMilliseconds(200),
        };
    }

    /// <summary>
    /// Manual knobs: KAFKA_TEST_STRATEGY=cooperative-sticky runs the suite with incremental
    /// rebalancing instead of the default range; KAFKA_TEST_TRACE=1 echoes every log level.
    /// </summary>
    public static string? AssignmentStrategyOverride { get; } =
        Environment.GetEnvironmentVariable("KAFKA_TEST_STRATEGY") is { Length: > 0 } value ? value : null;

    public RecordingRouter Router { get; }
    public CapturingLoggerProvider Logs { get; }
    public KafkaOptions Options { get; }
    public TestLifetime Lifetime { get; } = new();
    public System.Diagnostics.Metrics.IMeterFactory MeterFactory { get; }
    internal KafkaSourceService Service { get; }

    public async Task StartAsync()
    {
        _started = true;
        await Service.StartAsync(CancellationToken.None);
    }

    /// <summary>Starts the consumer and waits until it has partitions assigned.</summary>
    public async Task StartAndWaitForAssignmentAsync(int partitions)
    {
        await StartAsync();
        await KafkaTestKit.WaitUntilAsync(() => Service.Status.AssignedPartitions.Count == partitions, $"{partitions} partitions are assigned");
    }

    public async Task StopAsync()
    {
        if (_started && !_stopped)
        {
            _stopped = true;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Service.StopAsync(timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Service.Dispose();
        await _services.DisposeAsync();
    }
}
