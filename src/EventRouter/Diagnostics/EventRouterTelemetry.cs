using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EventRouter.Diagnostics;

/// <summary>The core's <see cref="Meter"/> and <see cref="ActivitySource"/>, both named <c>EventRouter</c>.</summary>
public sealed class EventRouterTelemetry
{
    public static readonly ActivitySource ActivitySource = new(TelemetryNames.ActivitySourceName, Version);

    private readonly Counter<long> _routed;
    private readonly Counter<long> _poisoned;
    private readonly Counter<long> _deduplicated;
    private readonly Counter<long> _conflated;
    private readonly Counter<long> _typeHeaderMismatches;
    private readonly Counter<long> _offloaded;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _batchDuration;
    private readonly Counter<long> _batchFailures;
    private readonly Counter<long> _queueProcessed;
    private readonly Counter<long> _queueFailed;
    private readonly Counter<long> _queuePoisoned;

    public EventRouterTelemetry(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(TelemetryNames.MeterName, Version);
        _routed = Meter.CreateCounter<long>(TelemetryNames.EventsRouted, "{event}", "Events written to their route (including events-unrouted).");
        _poisoned = Meter.CreateCounter<long>(TelemetryNames.EventsPoisoned, "{event}", "Records written to events-poison, by reason.");
        _deduplicated = Meter.CreateCounter<long>(TelemetryNames.EventsDeduplicated, "{event}", "Records skipped because their event id already appeared in the batch.");
        _conflated = Meter.CreateCounter<long>(TelemetryNames.EventsConflated, "{event}", "Prices not written because a newer price of the same instrument followed in the batch (PriceConflation).");
        _typeHeaderMismatches = Meter.CreateCounter<long>(TelemetryNames.TypeHeaderMismatches, "{event}", "Events whose event-type header disagreed with the body's type (the body wins).");
        _offloaded = Meter.CreateCounter<long>(TelemetryNames.PayloadsOffloaded, "{payload}", "Payloads too large for a queue message, stored as blobs.");
        _batchSize = Meter.CreateHistogram<int>(TelemetryNames.BatchSize, "{record}", "Records per routed batch.");
        _batchDuration = Meter.CreateHistogram<double>(TelemetryNames.BatchDuration, "s", "Time to validate, route and write one batch.");
        _batchFailures = Meter.CreateCounter<long>(TelemetryNames.BatchFailures, "{batch}", "Batches that failed to reach storage (not committed, retried).");
        _queueProcessed = Meter.CreateCounter<long>(TelemetryNames.QueueMessagesProcessed, "{message}", "Queue messages all handlers completed.");
        _queueFailed = Meter.CreateCounter<long>(TelemetryNames.QueueMessagesFailed, "{message}", "Queue message deliveries a handler failed (retried).");
        _queuePoisoned = Meter.CreateCounter<long>(TelemetryNames.QueueMessagesPoisoned, "{message}", "Queue messages moved to their -poison queue, by reason.");
    }

    public static string Version { get; } = typeof(EventRouterTelemetry).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public Meter Meter { get; }

    internal void Routed(string queue, OutcomeKind kind) =>
        _routed.Add(1, new(TelemetryNames.DestinationName, queue), new(TelemetryNames.RouteKind, kind == OutcomeKind.Unrouted ? "unrouted" : "routed"));

    internal void Poisoned(PoisonReason reason) =>
        _poisoned.Add(1, new KeyValuePair<string, object?>(TelemetryNames.PoisonReason, reason.ToCode()));

    internal void Deduplicated() => _deduplicated.Add(1);

    internal void Conflated() => _conflated.Add(1);
    internal void TypeHeaderMismatch() => _typeHeaderMismatches.Add(1);
    internal void Offloaded(string payloadKind) => _offloaded.Add(1, new KeyValuePair<string, object?>(TelemetryNames.PayloadKind, payloadKind));

    internal void BatchCompleted(int size, TimeSpan duration)
    {
        _batchSize.Record(size);
        _batchDuration.Record(duration.TotalSeconds);
    }

    internal void BatchFailed(string errorType) => _batchFailures.Add(1, new KeyValuePair<string, object?>(TelemetryNames.ErrorType, errorType));

    internal void QueueMessageProcessed(string queue) => _queueProcessed.Add(1, new KeyValuePair<string, object?>(TelemetryNames.DestinationName, queue));
    internal void QueueMessageFailed(string queue) => _queueFailed.Add(1, new KeyValuePair<string, object?>(TelemetryNames.DestinationName, queue));
    internal void QueueMessagePoisoned(string queue, PoisonReason reason) =>
        _queuePoisoned.Add(1, new(TelemetryNames.DestinationName, queue), new(TelemetryNames.PoisonReason, reason.ToCode()));
}
