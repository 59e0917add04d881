using System.Diagnostics;
using EventRouter.Delivery;
using EventRouter.Diagnostics;
using EventRouter.Formats;
using EventRouter.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventRouter.Processing;

/// <summary>
/// The one entry point for a routed queue message, called by the Functions queue triggers and the
/// self-hosted pump alike: read the envelope, run each handler that wants the queue (skipping
/// those that already completed for the event id), and report. A message that is not a routed
/// envelope goes straight to <c>&lt;queue&gt;-poison</c> with the reason; a failing handler throws
/// <see cref="EventHandlerException"/> so the host retries the message.
/// </summary>
public sealed partial class QueueDeliveryHandler
{
    private readonly RoutedEventReader _reader;
    private readonly IReadOnlyList<IEventHandler> _handlers;
    private readonly IdempotencyGuard _guard;
    private readonly IQueueDispatcher _dispatcher;
    private readonly EventRouterTelemetry _telemetry;
    private readonly ILogger<QueueDeliveryHandler> _logger;
    private readonly TimeProvider _time;
    private readonly bool _idempotency;
    private readonly StorageAccounts _queues;
    private readonly RouteTable? _routes;
    private readonly TimeSpan _heldClaimRetryDelay;

    /// <param name="queues">The account of each queue (a shard may live in another than <c>EventStorage</c>).</param>
    /// <param name="routes">Which route a shard queue belongs to: handlers are asked about the route (<c>prices</c>), not the shard (<c>prices-2</c>). Null: every queue is its own route.</param>
    public QueueDeliveryHandler(RoutedEventReader reader, IEnumerable<IEventHandler> handlers, IdempotencyGuard guard,
        IQueueDispatcher dispatcher, StorageAccounts queues, EventRouterTelemetry telemetry, IOptions<ProcessingOptions> options,
        ILogger<QueueDeliveryHandler> logger, TimeProvider time, RouteTable? routes = null)
    {
        _queues = queues;
        _routes = routes;
        _heldClaimRetryDelay = options.Value.HeldClaimRetryDelay;
        _reader = reader;
        _handlers = handlers.ToArray();
        _guard = guard;
        _dispatcher = dispatcher;
        _telemetry = telemetry;
        _logger = logger;
        _time = time;
        _idempotency = options.Value.Idempotency;
    }

    public async Task<QueueHandlingResult> HandleAsync(string queueName, QueueDelivery delivery, CancellationToken cancellationToken = default)
    {
        // The envelope is read once: its trace context links the span, then the reader takes it from there.
        var envelope = RoutedMessage.Read(delivery.Body.ToMemory());
        using var activity = StartProcessActivity(queueName, delivery, envelope.TraceContext);

        var (routedEvent, error) = await _reader.ReadAsync(queueName, delivery, envelope, cancellationToken).ConfigureAwait(false);
        if (routedEvent is null)
        {
            await MoveToPoisonAsync(queueName, delivery, PoisonReason.InvalidEnvelope, error!, cancellationToken).ConfigureAwait(false);
            return QueueHandlingResult.Poisoned;
        }

        // A sharded route is one route to its handlers: a handler written for "prices" keeps getting
        // its events when prices is spread over prices-0 … prices-3.
        var route = _routes?.RouteOf(queueName) ?? queueName;
        foreach (var handler in _handlers)
        {
            if (!handler.CanHandle(route)) continue;
            IdempotencyGuard.Claim? claim = null;
            if (_idempotency)
            {
                try
                {
                    claim = await _guard.TryClaimAsync(handler.Name, routedEvent.Id, cancellationToken).ConfigureAwait(false);
                }
                catch (HandlerClaimedException)
                {
                    await DeferAsync(queueName, delivery, handler.Name, routedEvent.Id, cancellationToken).ConfigureAwait(false);
                    return QueueHandlingResult.Deferred;
                }
                if (claim is null)
                {
                    Log.AlreadyHandled(_logger, handler.Name, routedEvent.Id, queueName);
                    continue;
                }
            }
            try
            {
                await handler.HandleAsync(routedEvent, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The host is stopping: not a handler failure. The claim is freed for the next delivery
                // and the caller hands the message back; one Information line, no stack trace.
                if (claim is not null) await claim.ReleaseAsync().ConfigureAwait(false);
                Log.HandlerCancelled(_logger, handler.Name, routedEvent.Id, queueName);
                throw;
            }
            catch (Exception ex)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
                activity?.SetTag(TelemetryNames.ErrorType, ex.GetType().FullName);
                if (claim is not null) await claim.ReleaseAsync().ConfigureAwait(false);
                _telemetry.QueueMessageFailed(queueName);
                Log.HandlerFailed(_logger, handler.Name, routedEvent.Id, queueName, delivery.DequeueCount, ex);
                throw new EventHandlerException(handler.Name, routedEvent.Id, ex);
            }
            if (claim is not null) await claim.CompleteAsync().ConfigureAwait(false);
        }
        _telemetry.QueueMessageProcessed(queueName);
        return QueueHandlingResult.Handled;
    }

    /// <summary>
    /// The span of one delivery, <c>process &lt;queue&gt;</c>, linked to the routing batch's span whose
    /// trace context the envelope carries. A link, not a parent: one batch span fans out to hundreds of
    /// messages in dozens of queues, handled minutes or days later and more than once (redeliveries),
    /// so as children they would stretch one trace over all of that and make the batch's duration
    /// meaningless; the host's own span (the Functions invocation, or none in our pump) stays the parent,
    /// and the link still leads from a handler to the Kafka batch it came from. The link is given at
    /// start so that samplers see it.
    /// </summary>
    private static Activity? StartProcessActivity(string queueName, QueueDelivery delivery, ActivityContext routed)
    {
        var source = EventRouterTelemetry.ActivitySource;
        if (!source.HasListeners()) return null;
        ActivityLink[]? links = routed != default ? [new ActivityLink(routed)] : null;
        var activity = source.StartActivity(ActivityKind.Consumer, parentContext: default, tags: null, links: links,
            name: TelemetryNames.ProcessSpanPrefix + queueName);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TelemetryNames.MessagingSystem, TelemetryNames.StorageQueuesSystem);
            activity.SetTag(TelemetryNames.DestinationName, queueName);
            activity.SetTag(TelemetryNames.OperationType, TelemetryNames.ProcessOperation);
            activity.SetTag(TelemetryNames.MessageId, delivery.MessageId);
        }
        return activity;
    }

    /// <summary>
    /// A duplicate of an event another delivery is handling right now: a retry would fail the same
    /// way until that delivery finishes, and five quick retries would poison a valid event. So a fresh
    /// copy waits <see cref="ProcessingOptions.HeldClaimRetryDelay"/> in the same queue (its dequeue
    /// count starts at 0), and the caller deletes this one: written first, deleted second, nothing lost.
    /// </summary>
    private async Task DeferAsync(string queueName, QueueDelivery delivery, string handlerName, Guid eventId, CancellationToken cancellationToken)
    {
        await _queues.GetQueueClient(queueName).SendMessageAsync(delivery.Body, visibilityTimeout: _heldClaimRetryDelay, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        Log.Deferred(_logger, handlerName, eventId, delivery.MessageId, queueName, _heldClaimRetryDelay);
    }

    /// <summary>Writes <paramref name="delivery"/> to <c>&lt;queue&gt;-poison</c> with its reason; the caller then deletes the original.</summary>
    public async Task MoveToPoisonAsync(string queueName, QueueDelivery delivery, PoisonReason reason, string error, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var source = new QueueMessageSource(queueName, delivery.MessageId, delivery.DequeueCount, delivery.InsertedOn);
        var body = delivery.Body.ToMemory();
        var message = QueuePoisonMessage.Create(source, body, reason, error, now);
        if (!QueueMessageLimits.Fits(message.Length))
        {
            var blobName = QueuePoisonMessage.ValueBlobName(source);
            await _dispatcher.UploadPayloadAsync(blobName, body, cancellationToken).ConfigureAwait(false);
            message = QueuePoisonMessage.Create(source, body, reason, error, now, blobName);
        }
        await _dispatcher.SendAsync(PoisonQueueName(queueName), message, cancellationToken).ConfigureAwait(false);
        _telemetry.QueueMessagePoisoned(queueName, reason);
        Log.MessagePoisoned(_logger, delivery.MessageId, queueName, reason.ToCode(), error);
    }

    public static string PoisonQueueName(string queueName) => queueName + RoutingDefaults.PoisonQueueSuffix;

    private static partial class Log
    {
        [LoggerMessage(3101, LogLevel.Debug, "Handler {Handler} already completed event {EventId} from {Queue}; skipped", EventName = "AlreadyHandled")]
        public static partial void AlreadyHandled(ILogger logger, string handler, Guid eventId, string queue);

        [LoggerMessage(3102, LogLevel.Warning, "Handler {Handler} failed for event {EventId} from {Queue} (dequeue {DequeueCount})", EventName = "HandlerFailed")]
        public static partial void HandlerFailed(ILogger logger, string handler, Guid eventId, string queue, long dequeueCount, Exception exception);

        [LoggerMessage(3105, LogLevel.Information, "Handler {Handler} is handling event {EventId} in another delivery; message {MessageId} of {Queue} waits {Delay} as a fresh copy (not a failure)", EventName = "Deferred")]
        public static partial void Deferred(ILogger logger, string handler, Guid eventId, string messageId, string queue, TimeSpan delay);

        [LoggerMessage(3104, LogLevel.Information, "Handler {Handler} stopped for event {EventId} from {Queue}: shutting down; the message is handed back", EventName = "HandlerCancelled")]
        public static partial void HandlerCancelled(ILogger logger, string handler, Guid eventId, string queue);

        [LoggerMessage(3103, LogLevel.Warning, "Moved message {MessageId} from {Queue} to its poison queue: {Reason}: {Error}", EventName = "MessagePoisoned")]
        public static partial void MessagePoisoned(ILogger logger, string messageId, string queue, string reason, string error);
    }
}
