using System.Diagnostics;
using EventRouter.Delivery;
using EventRouter.Diagnostics;
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
    private readonly RecordPlanner _planner;
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
        _planner = new RecordPlanner(routes, fields, _conflator.InstrumentField);
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
        // Each record is validated once: conflation and planning share the assessment.
        var assessments = _conflator.Enabled ? AssessAll(records) : null; // no array on the default path
        var superseded = assessments is null ? null : FindSuperseded(records, assessments);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var assessment = assessments is null ? _planner.Assess(record) : assessments[i];
            if (superseded?[i] == true)
            {
                outcomes[i] = new RecordOutcome(record.Topic, record.Partition, record.Offset, OutcomeKind.Conflated, assessment.Queue ?? _routes.PricesQueue, null, false);
                continue;
            }
            if (assessment.IsValidEvent)
            {
                if (!firstQueueById.TryAdd(assessment.Validation.Id, assessment.Queue!))
                {
                    outcomes[i] = new RecordOutcome(record.Topic, record.Partition, record.Offset, OutcomeKind.Duplicate,
                        firstQueueById[assessment.Validation.Id], null, false);
                    continue;
                }
                CheckTypeHeader(record, record.Value!.Value.Span, assessment.Validation);
            }
            else
            {
                Log.RecordPoisoned(_logger, record.Topic, record.Partition, record.Offset, assessment.Reason!.Value.ToCode(), assessment.Error!);
            }
            var plan = _planner.Plan(record, assessment, now);
            outcomes[i] = plan.Outcome;
            writes.Add(plan.Write);
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
    /// table: the same <see cref="RecordPlanner"/> decision, without writing or logging anything (dry
    /// runs). The error of a poisoned record is returned as well; a record is predicted on its own, so
    /// never as a duplicate or conflated.
    /// </summary>
    public (RecordOutcome Outcome, string? Error) Predict(InboundRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var plan = _planner.Plan(record, _time.GetUtcNow());
        return (plan.Outcome, plan.Error);
    }

    private RecordAssessment[] AssessAll(IReadOnlyList<InboundRecord> records)
    {
        var assessments = new RecordAssessment[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            assessments[i] = _planner.Assess(records[i]);
        }
        return assessments;
    }

    // Its own method: a lambda capturing a local of RouteBatchAsync would allocate its closure on every batch.
    private bool[]? FindSuperseded(IReadOnlyList<InboundRecord> records, RecordAssessment[] assessments) =>
        _conflator.FindSuperseded(records, _routes.PricesTopic, i => assessments[i].IsValidEvent);

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
}
