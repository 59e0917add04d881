using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EventRouter.Diagnostics;

namespace EventRouter.Cli.Sandbox;

/// <summary>
/// Live totals for the sandbox table, read from the same <c>EventRouter</c> meter that feeds
/// Application Insights: what was routed where, what was poisoned and why, and consumer lag.
/// </summary>
internal sealed class PipelineCounters : IDisposable
{
    private const string ConsumerLag = "eventrouter.kafka.consumer.lag";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _perQueue = new();
    private readonly ConcurrentDictionary<string, long> _perReason = new();
    private readonly ConcurrentDictionary<string, long> _lag = new();
    private long _duplicates;
    private long _handled;

    public PipelineCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TelemetryNames.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    public IReadOnlyDictionary<string, long> RoutedPerQueue => _perQueue;
    public IReadOnlyDictionary<string, long> PoisonedPerReason => _perReason;
    public long Duplicates => Interlocked.Read(ref _duplicates);
    public long Handled => Interlocked.Read(ref _handled);
    public long Routed => _perQueue.Values.Sum();
    public long Poisoned => _perReason.Values.Sum();
    /// <summary>Every consumed record ends in exactly one of these.</summary>
    public long Accounted => Routed + Poisoned + Duplicates;

    public long Lag
    {
        get
        {
            _listener.RecordObservableInstruments();
            return _lag.Values.Sum();
        }
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        switch (instrument.Name)
        {
            case TelemetryNames.EventsRouted:
                _perQueue.AddOrUpdate(Tag(tags, TelemetryNames.DestinationName), value, (_, total) => total + value);
                break;
            case TelemetryNames.EventsPoisoned:
                _perReason.AddOrUpdate(Tag(tags, TelemetryNames.PoisonReason), value, (_, total) => total + value);
                break;
            case TelemetryNames.EventsDeduplicated:
                Interlocked.Add(ref _duplicates, value);
                break;
            case TelemetryNames.QueueMessagesProcessed:
                Interlocked.Add(ref _handled, value);
                break;
            case ConsumerLag:
                _lag[$"{Tag(tags, TelemetryNames.DestinationName)}/{Tag(tags, TelemetryNames.PartitionId)}"] = value;
                break;
        }
    }

    private static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags) if (tag.Key == name) return tag.Value?.ToString() ?? "";
        return "";
    }

    public void Dispose() => _listener.Dispose();
}
