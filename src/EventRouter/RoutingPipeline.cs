using System.Diagnostics;
using EventRouter.Delivery;
using EventRouter.Diagnostics;
using EventRouter.Formats;
using EventRouter.Routing;
using EventRouter.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventRouter;

/// <summary>
/// Turns a batch of consumed records into queue messages: validate, route, format, write. Every
/// record ends in exactly one queue (its route, <c>events-unrouted</c> or <c>events-poison</c>),
/// and the returned task completes only after every write has succeeded. Bad input is a value
/// (a poison outcome), never an exception; only storage failures throw.
/// </summary>
public sealed partial class RoutingPipeline : IRecordBatchRouter
{

    private readonly RouteTable _routes;
    private readonly EventFieldMapping _fields;
    private readonly IQueueDispatcher _dispatcher;
    private readonly EventRouterTelemetry _telemetry;
    private readonly ILogger<RoutingPipeline> _logger;
    private readonly TimeProvider _time;
    private readonly int _maxConcurrency;
    private readonly PriceConflator _conflator;

    // Shared by every batch routed at once (the Kafka source routes several partitions side by side),
    // so Delivery:MaxConcurrency bounds the writes of the whole pipeline, not of each batch.
    private readonly SemaphoreSlim _writeSlots;

    public RoutingPipeline(RouteTable routes, EventFieldMapping fields, IQueueDispatcher dispatcher, EventRouterTelemetry telemetry,
        IOptions<DeliveryOptions> delivery, ILogger<RoutingPipeline> logger, TimeProvider? timeProvider = null,
        PriceConflator? conflator = null)
    {
        _conflator = conflator ?? PriceConflator.Disabled;
        _routes = routes;
        _fields = fields;
        _dispatcher = dispatcher;
        _telemetry = telemetry;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _maxConcurrency = delivery.Value.MaxConcurrency;
        _writeSlots = new SemaphoreSlim(_maxConcurrency, _maxConcurrency);
    }

    public async Task<BatchRoutingResult> RouteBatchAsync(IReadOnlyList<InboundRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var started = Stopwatch.GetTimestamp();
        using var activity = EventRouterTelemetry.ActivitySource.StartActivity("route batch", ActivityKind.Consumer);
        activity?.SetTag(TelemetryNames.MessagingSystem, TelemetryNames.KafkaSystem);
        activity?.SetTag(TelemetryNames.BatchMessageCount, records.Count);

        var outcomes = new RecordOutcome[records.Count];
        var writes = new List<PendingWrite>(records.Count);
        var firstQueueById = new Dictionary<Guid, string>();
        var now = _time.GetUtcNow();

        // With conflation on, a price a newer one of the same instrument supersedes is not written.
        // (The extra validation pass runs only then, and only over the prices topic.)
        var superseded = _conflator.Enabled
            ? _conflator.FindSuperseded(records, _routes.PricesTopic,
                record => EventValidator.Validate(record.Value!.Value.Span, _fields.For(record.Topic)).IsValid)
            : null; // no closure per batch on the default path
        for (var i = 0; i < records.Count; i++)
        {
            outcomes[i] = superseded?[i] == true
                ? new RecordOutcome(records[i].Topic, records[i].Partition, records[i].Offset, OutcomeKind.Conflated, _routes.PricesQueue, null, false)
                : Plan(records[i], now, firstQueueById, writes);
        }

        try
        {
            await Parallel.ForEachAsync(writes, new ParallelOptions { MaxDegreeOfParallelism = _maxConcurrency, CancellationToken = cancellationToken },
                async (write, token) =>
                {
                    await _writeSlots.WaitAsync(token).ConfigureAwait(false);
                    try
                    {
                        // Blobs first: a queue message never points at a payload that is not there yet.
                        foreach (var blob in write.Blobs)
                        {
                            await _dispatcher.UploadPayloadAsync(blob.Name, blob.Content, token).ConfigureAwait(false);
                        }
                        await _dispatcher.SendAsync(write.Queue, write.Message, token).ConfigureAwait(false);
                    }
                    finally
                    {
                        _writeSlots.Release();
                    }
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var transient = TransientFailure.IsTransient(ex);
            _telemetry.BatchFailed(ex.GetType().Name);
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            Log.BatchDeliveryFailed(_logger, records.Count, ex.GetType().Name, transient, ex);
            throw new EventDeliveryException(
                $"Writing a batch of {records.Count} records to storage failed ({ex.GetType().Name}{(ex is Azure.RequestFailedException rf ? $" {rf.Status} {rf.ErrorCode}" : "")}); nothing of it may be committed.",
                transient, ex);
        }

        var result = new BatchRoutingResult(outcomes);
        foreach (var outcome in outcomes)
        {
            switch (outcome.Kind)
            {
                case OutcomeKind.Routed or OutcomeKind.Unrouted: _telemetry.Routed(outcome.Queue, outcome.Kind); break;
                case OutcomeKind.Poisoned: _telemetry.Poisoned(outcome.Reason!.Value); break;
                case OutcomeKind.Duplicate: _telemetry.Deduplicated(); break;
                case OutcomeKind.Conflated: _telemetry.Conflated(); break;
            }
            if (outcome.Offloaded) _telemetry.Offloaded(outcome.Kind == OutcomeKind.Poisoned ? "poison" : "event");
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        _telemetry.BatchCompleted(records.Count, elapsed);
        Log.BatchRouted(_logger, records.Count, result.Routed, result.Unrouted, result.Poisoned, result.Duplicates, elapsed.TotalMilliseconds);
        return result;
    }

    /// <summary>
    /// Where <see cref="RouteBatchAsync"/> would put <paramref name="record"/> with the current route
    /// table, decided the same way but without writing or logging anything (dry runs). The error of a
    /// poisoned record is returned as well; a record is predicted on its own, so never as a duplicate.
    /// </summary>
    public (RecordOutcome Outcome, string? Error) Predict(InboundRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Value is not { Length: > 0 } value)
        {
            return Poison(PoisonReason.EmptyValue, record.Value is null ? "value is null (a tombstone)" : "value is empty");
        }
        var span = value.Span;
        var validation = EventValidator.Validate(span, _fields.For(record.Topic));
        if (!validation.IsValid)
        {
            return Poison(validation.Reason, validation.Error!);
        }
        var (queue, kind) = validation.TryGetTypeUtf8(span, out var typeUtf8)
            ? _routes.Resolve(record.Topic, typeUtf8)
            : _routes.Resolve(record.Topic, validation.GetEventType(span));
        var offloaded = !QueueMessageLimits.Fits(RoutedMessage.Create(span, record, _time.GetUtcNow()).Length);
        return (new RecordOutcome(record.Topic, record.Partition, record.Offset, kind == RouteKind.Unrouted ? OutcomeKind.Unrouted : OutcomeKind.Routed, queue, null, offloaded), null);

        (RecordOutcome, string?) Poison(PoisonReason reason, string error) =>
            (new RecordOutcome(record.Topic, record.Partition, record.Offset, OutcomeKind.Poisoned, _routes.PoisonQueue, reason,
                !QueueMessageLimits.Fits(PoisonMessage.Create(record, reason, error, _time.GetUtcNow()).Length)), error);
    }

    private RecordOutcome Plan(InboundRecord record, DateTimeOffset now, Dictionary<Guid, string> firstQueueById, List<PendingWrite> writes)
    {
        if (record.Value is not { Length: > 0 } value)
        {
            var error = record.Value is null ? "value is null (a tombstone)" : "value is empty";
            return PlanPoison(record, PoisonReason.EmptyValue, error, now, writes);
        }

        var span = value.Span;
        var validation = EventValidator.Validate(span, _fields.For(record.Topic));
        if (!validation.IsValid)
        {
            return PlanPoison(record, validation.Reason, validation.Error!, now, writes);
        }

        var (queue, kind) = validation.TryGetTypeUtf8(span, out var typeUtf8)
            ? _routes.Resolve(record.Topic, typeUtf8)
            : _routes.Resolve(record.Topic, validation.GetEventType(span));

        if (!firstQueueById.TryAdd(validation.Id, queue))
        {
            return new RecordOutcome(record.Topic, record.Partition, record.Offset, OutcomeKind.Duplicate, firstQueueById[validation.Id], null, false);
        }

        CheckTypeHeader(record, span, validation);

        var message = RoutedMessage.Create(span, record, now);
        var offloaded = false;
        PendingBlob[] blobs = [];
        if (!QueueMessageLimits.Fits(message.Length))
        {
            var blobName = RoutedMessage.BlobName(record);
            blobs = [new PendingBlob(blobName, value)];
            message = RoutedMessage.CreateOffloaded(blobName, validation.Id, validation.GetEventType(span), record, now);
            offloaded = true;
        }
        writes.Add(new PendingWrite(queue, message, blobs));
        var outcomeKind = kind == RouteKind.Unrouted ? OutcomeKind.Unrouted : OutcomeKind.Routed;
        return new RecordOutcome(record.Topic, record.Partition, record.Offset, outcomeKind, queue, null, offloaded);
    }

    private RecordOutcome PlanPoison(InboundRecord record, PoisonReason reason, string error, DateTimeOffset now, List<PendingWrite> writes)
    {
        Log.RecordPoisoned(_logger, record.Topic, record.Partition, record.Offset, reason.ToCode(), error);
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
        writes.Add(new PendingWrite(_routes.PoisonQueue, message, blobs.ToArray()));
        return new RecordOutcome(record.Topic, record.Partition, record.Offset, OutcomeKind.Poisoned, _routes.PoisonQueue, reason, blobs.Count > 0);
    }

    private void CheckTypeHeader(InboundRecord record, ReadOnlySpan<byte> value, EventValidationResult validation)
    {
        foreach (var header in record.Headers)
        {
            if (header.Value is not { } headerValue || !string.Equals(header.Name, "event-type", StringComparison.Ordinal)) continue;
            var matches = validation.TryGetTypeUtf8(value, out var typeUtf8)
                ? headerValue.Span.SequenceEqual(typeUtf8)
                : headerValue.Span.SequenceEqual(System.Text.Encoding.UTF8.GetBytes(validation.GetEventType(value)));
            if (!matches)
            {
                _telemetry.TypeHeaderMismatch();
                Log.TypeHeaderMismatch(_logger, record.Topic, record.Partition, record.Offset);
            }
        }
    }

    private sealed record PendingBlob(string Name, ReadOnlyMemory<byte> Content);

    /// <summary>One queue message to send, after the blobs it points at.</summary>
    private sealed record PendingWrite(string Queue, ReadOnlyMemory<byte> Message, PendingBlob[] Blobs);
}
