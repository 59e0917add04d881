using System.Diagnostics.Metrics;
using EventRouter.Diagnostics;

namespace EventRouter.Cli.Sandbox;

/// <summary>
/// The queue stage's totals for the sandbox table, read from the same <c>EventRouter</c> meter that
/// feeds Application Insights. (The Kafka side is counted exactly, by record, in <see cref="RecordLedger"/>:
/// metric counters count deliveries, and a record read twice counts twice.)
/// </summary>
internal sealed class PipelineCounters : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _handled;
    private long _queuePoisoned;

    public PipelineCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TelemetryNames.MeterName && instrument.Name is TelemetryNames.QueueMessagesProcessed or TelemetryNames.QueueMessagesPoisoned)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Queue messages every handler completed (deliveries: a message handled twice counts twice).</summary>
    public long Handled => Interlocked.Read(ref _handled);

    /// <summary>Queue messages moved to their <c>-poison</c> queue by the queue stage.</summary>
    public long QueuePoisoned => Interlocked.Read(ref _queuePoisoned);

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        switch (instrument.Name)
        {
            case TelemetryNames.QueueMessagesProcessed: Interlocked.Add(ref _handled, value); break;
            case TelemetryNames.QueueMessagesPoisoned: Interlocked.Add(ref _queuePoisoned, value); break;
        }
    }

    public void Dispose() => _listener.Dispose();
}
