using EventRouter.Formats;
using EventRouter.Routing;
using EventRouter.Validation;

namespace EventRouter;

/// <summary>
/// The one decision function for a consumed record: where it goes (its route, <c>events-unrouted</c>
/// or <c>events-poison</c> with the reason), and the queue message and blobs that put it there. Pure:
/// no I/O, no logging, no telemetry. <see cref="RoutingPipeline"/> writes what it plans and its dry
/// run (<see cref="RoutingPipeline.Predict"/>) does not, so the two cannot decide differently.
/// Batch-level decisions (duplicate ids, price conflation) stay with the pipeline: they need the
/// other records of the batch.
/// </summary>
/// <remarks>
/// Two steps, so that a batch validates each record once: <see cref="Assess"/> (validate and
/// resolve the route) is what price conflation and duplicate detection need; <see cref="Plan(InboundRecord, in RecordAssessment, DateTimeOffset)"/>
/// formats the messages of a record that is to be written.
/// </remarks>
public sealed class RecordPlanner
{
    private readonly RouteTable _routes;
    private readonly EventFieldMapping _fields;
    private readonly string[]? _instrumentPath;

    /// <param name="instrumentField">
    /// Where a price names its instrument when its record has no key (<c>PriceConflation:InstrumentField</c>,
    /// a dot path); null: the key only. A sharded prices route hashes the instrument, so one
    /// instrument's prices stay in one queue and in order.
    /// </param>
    public RecordPlanner(RouteTable routes, EventFieldMapping fields, string? instrumentField = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(fields);
        _routes = routes;
        _fields = fields;
        _instrumentPath = string.IsNullOrEmpty(instrumentField) ? null : instrumentField.Split('.');
    }

    /// <summary>Validates the record with its topic's field names and, when it is a valid event, resolves its route.</summary>
    public RecordAssessment Assess(InboundRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Value is not { Length: > 0 } value)
        {
            return RecordAssessment.Poison(PoisonReason.EmptyValue, record.Value is null ? "value is null (a tombstone)" : "value is empty");
        }

        var span = value.Span;
        var validation = EventValidator.Validate(span, _fields.For(record.Topic));
        if (!validation.IsValid)
        {
            return RecordAssessment.Poison(validation.Reason, validation.Error!);
        }

        var (queue, kind) = validation.TryGetTypeUtf8(span, out var typeUtf8)
            ? _routes.Resolve(record.Topic, typeUtf8)
            : _routes.Resolve(record.Topic, validation.GetEventType(span));
        var shards = _routes.ShardCount(queue);
        if (shards > 1)
        {
            queue = _routes.ShardQueue(queue, ShardOf(record, span, validation.Id, kind, shards));
        }
        return RecordAssessment.Event(validation, queue, kind);
    }

    /// <summary>
    /// The shard of a valid event: a price by its instrument (the record key, else the instrument
    /// field), so one instrument's prices keep their order in one queue; anything else by its event id.
    /// </summary>
    private int ShardOf(InboundRecord record, ReadOnlySpan<byte> value, Guid eventId, RouteKind kind, int shards)
    {
        if (kind == RouteKind.Prices)
        {
            if (record.Key is { Length: > 0 } key) return ShardSelector.Select(key.Span, shards);
            if (_instrumentPath is not null && PriceConflator.ReadField(value, _instrumentPath) is { Length: > 0 } instrument)
            {
                return ShardSelector.Select(instrument, shards);
            }
        }
        return ShardSelector.Select(eventId, shards);
    }

    /// <summary><see cref="Assess"/> and <see cref="Plan(InboundRecord, in RecordAssessment, DateTimeOffset)"/> in one: a record on its own.</summary>
    public RecordPlan Plan(InboundRecord record, DateTimeOffset now) => Plan(record, Assess(record), now);

    /// <summary>
    /// The outcome of <paramref name="record"/> as <paramref name="assessment"/> found it, and the write
    /// that realises it: the routed envelope (offloaded to a blob when it would not fit a queue message),
    /// or the poison message (value, then headers, then key offloaded until it fits).
    /// </summary>
    public RecordPlan Plan(InboundRecord record, in RecordAssessment assessment, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        return assessment.IsValidEvent ? PlanEvent(record, assessment, now) : PlanPoison(record, assessment.Reason!.Value, assessment.Error!, now);
    }

    private static RecordPlan PlanEvent(InboundRecord record, in RecordAssessment assessment, DateTimeOffset now)
    {
        var value = record.Value!.Value;
        var message = RoutedMessage.Create(value.Span, record, now);
        PendingBlob[] blobs = [];
        if (!QueueMessageLimits.Fits(message.Length))
        {
            var blobName = RoutedMessage.BlobName(record);
            blobs = [new PendingBlob(blobName, value)];
            message = RoutedMessage.CreateOffloaded(blobName, assessment.Validation.Id, assessment.Validation.GetEventType(value.Span), record, now);
        }
        var kind = assessment.RouteKind == RouteKind.Unrouted ? OutcomeKind.Unrouted : OutcomeKind.Routed;
        return new RecordPlan(
            new RecordOutcome(record.Topic, record.Partition, record.Offset, kind, assessment.Queue!, null, blobs.Length > 0),
            null,
            new PendingWrite(assessment.Queue!, message, blobs));
    }

    private RecordPlan PlanPoison(InboundRecord record, PoisonReason reason, string error, DateTimeOffset now)
    {
        var message = PoisonMessage.Create(record, reason, error, now);
        var blobs = new List<PendingBlob>(2);
        if (!QueueMessageLimits.Fits(message.Length))
        {
            // The value goes to a blob; if the message is still too big, the headers follow it, then the key.
            // A tombstone has no value to store, so its message keeps "value": null.
            string? valueBlob = null;
            if (record.Value is { } value)
            {
                valueBlob = PoisonMessage.ValueBlobName(record);
                blobs.Add(new PendingBlob(valueBlob, value));
                message = PoisonMessage.Create(record, reason, error, now, valueBlob);
            }
            string? headersBlob = null;
            if (!QueueMessageLimits.Fits(message.Length))
            {
                headersBlob = PoisonMessage.HeadersBlobName(record);
                blobs.Add(new PendingBlob(headersBlob, PoisonMessage.CreateHeadersDocument(record.Headers)));
                message = PoisonMessage.Create(record, reason, error, now, valueBlob, headersBlob);
            }
            if (!QueueMessageLimits.Fits(message.Length) && record.Key is { } key)
            {
                var keyBlob = PoisonMessage.KeyBlobName(record);
                blobs.Add(new PendingBlob(keyBlob, key));
                message = PoisonMessage.Create(record, reason, error, now, valueBlob, headersBlob, keyBlob);
            }
        }
        return new RecordPlan(
            new RecordOutcome(record.Topic, record.Partition, record.Offset, OutcomeKind.Poisoned, _routes.PoisonQueue, reason, blobs.Count > 0),
            error,
            new PendingWrite(_routes.PoisonQueue, message, blobs.ToArray()));
    }
}

/// <summary>
/// What <see cref="RecordPlanner.Assess"/> found: a valid event and its route, or poison and why.
/// </summary>
public readonly struct RecordAssessment
{
    private RecordAssessment(PoisonReason? reason, string? error, EventValidationResult validation, string? queue, RouteKind routeKind)
    {
        Reason = reason;
        Error = error;
        Validation = validation;
        Queue = queue;
        RouteKind = routeKind;
    }

    /// <summary>True when the record is a valid event (routed or unrouted), false when it is poison.</summary>
    public bool IsValidEvent => Reason is null;
    /// <summary>Why the record is poison; null for a valid event.</summary>
    public PoisonReason? Reason { get; }
    /// <summary>A message naming what is wrong; null for a valid event.</summary>
    public string? Error { get; }
    /// <summary>The validation of a valid event (its id and where its type is); default for poison.</summary>
    public EventValidationResult Validation { get; }
    /// <summary>The queue a valid event is routed to; null for poison.</summary>
    public string? Queue { get; }
    public RouteKind RouteKind { get; }

    internal static RecordAssessment Poison(PoisonReason reason, string error) => new(reason, error, default, null, default);

    internal static RecordAssessment Event(EventValidationResult validation, string queue, RouteKind kind) => new(null, null, validation, queue, kind);
}

/// <summary>A record's outcome, the error of a poisoned one, and the write that puts it in its queue.</summary>
public readonly record struct RecordPlan(RecordOutcome Outcome, string? Error, PendingWrite Write);

/// <summary>One queue message to send, after the blobs it points at.</summary>
public sealed record PendingWrite(string Queue, ReadOnlyMemory<byte> Message, IReadOnlyList<PendingBlob> Blobs);

/// <summary>A blob in the payload container that a queue message points at.</summary>
public readonly record struct PendingBlob(string Name, ReadOnlyMemory<byte> Content);
