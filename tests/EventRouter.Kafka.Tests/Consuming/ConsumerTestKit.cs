using System.Diagnostics.Metrics;
using EventRouter.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace EventRouter.Kafka.Tests.Consuming;

/// <summary>Records, options and a metrics probe for the consumer's parts.</summary>
internal static class ConsumerTestKit
{
    public const string Topic = "Notifications";

    public static KafkaOptions Options(Action<KafkaOptions>? configure = null)
    {
        var options = new KafkaOptions
        {
            ConsumerGroup = "group",
            MaxBatchSize = 10,
            MaxBatchBytes = 1000,
            MaxParallelPartitions = 2,
            BatchLinger = TimeSpan.FromMilliseconds(20),
            RetryDelay = TimeSpan.FromMilliseconds(100),
            RetryMaxDelay = TimeSpan.FromMilliseconds(400),
        };
        configure?.Invoke(options);
        return options;
    }

    public static InboundRecord Record(int partition, long offset)
        => new(Topic, partition, offset, null, null, "{}"u8.ToArray(), []);

    public static InboundRecord[] Records(int partition, long first, int count)
        => [.. Enumerable.Range(0, count).Select(i => Record(partition, first + i))];

    public static InFlightBatch Batch(int partition, long first, int count, long startedAt = 0)
        => new(partition, Records(partition, first, count), startedAt);
}

/// <summary>A <see cref="KafkaMetrics"/> of its own meter factory, with every long measurement it makes.</summary>
internal sealed class KafkaMetricsProbe : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = [];

    public KafkaMetricsProbe()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        Metrics = new KafkaMetrics(factory);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags) copy[tag.Key] = tag.Value;
            lock (_measurements) _measurements.Add((instrument.Name, value, copy));
        });
        _listener.Start();
    }

    public KafkaMetrics Metrics { get; }

    /// <summary>The <paramref name="tag"/> value of each measurement of <paramref name="instrument"/>, in order.</summary>
    public IReadOnlyList<object?> Tags(string instrument, string tag)
    {
        lock (_measurements) return [.. _measurements.Where(m => m.Instrument == instrument).Select(m => m.Tags.GetValueOrDefault(tag))];
    }

    public long Sum(string instrument)
    {
        lock (_measurements) return _measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }
}

/// <summary>A logger that keeps each entry's event name, level and message.</summary>
internal sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
{
    private readonly List<(string? EventName, Microsoft.Extensions.Logging.LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(string? EventName, Microsoft.Extensions.Logging.LogLevel Level, string Message)> Entries
    {
        get { lock (_entries) return [.. _entries]; }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries) _entries.Add((eventId.Name, logLevel, formatter(state, exception)));
    }
}

/// <summary>Watermarks and positions as a consumer would report them, and the calls made to it.</summary>
internal sealed class FakePartitionClient : EventRouter.Kafka.Consuming.IPartitionClient
{
    public Dictionary<int, long> High { get; } = [];
    public Dictionary<int, long> QueriedHigh { get; } = [];
    public Dictionary<int, long> Fetched { get; } = [];
    public int? FailingPartition { get; set; }
    public int Queries { get; private set; }
    public bool Refuse { get; set; }
    public List<(int Partition, long Offset)> Stored { get; } = [];
    public List<int[]> Pauses { get; } = [];
    public List<int[]> Resumes { get; } = [];

    public Confluent.Kafka.WatermarkOffsets Cached(int partition)
        => partition == FailingPartition ? throw Refusal() : new(0, High[partition]);

    public Confluent.Kafka.WatermarkOffsets Query(int partition, TimeSpan timeout)
    {
        Queries++;
        return new(0, QueriedHigh.TryGetValue(partition, out var high) ? high : High[partition]);
    }

    public Confluent.Kafka.Offset Position(int partition) => Fetched[partition];

    public void StoreOffset(int partition, long offset)
    {
        if (Refuse) throw Refusal();
        Stored.Add((partition, offset));
    }

    public void Pause(IEnumerable<int> partitions)
    {
        if (Refuse) throw Refusal();
        Pauses.Add([.. partitions]);
    }

    public void Resume(IEnumerable<int> partitions)
    {
        if (Refuse) throw Refusal();
        Resumes.Add([.. partitions]);
    }

    private static Confluent.Kafka.KafkaException Refusal() => new(new Confluent.Kafka.Error(Confluent.Kafka.ErrorCode.Local_State, "not assigned"));
}
