namespace EventRouter.Diagnostics;

/// <summary>
/// Every meter, instrument, span and attribute name EventRouter emits, in one place, so that a
/// rename (the OpenTelemetry messaging conventions are still in development) is a one-file change.
/// Standard <c>messaging.*</c> names are used where they fit; our own live under <c>eventrouter.*</c>.
/// </summary>
public static class TelemetryNames
{
    public const string MeterName = "EventRouter";
    public const string ActivitySourceName = "EventRouter";

    public const string EventsRouted = "eventrouter.events.routed";
    public const string EventsPoisoned = "eventrouter.events.poisoned";
    public const string EventsDeduplicated = "eventrouter.events.deduplicated";
    public const string EventsConflated = "eventrouter.events.conflated";
    public const string TypeHeaderMismatches = "eventrouter.events.type_header_mismatches";
    public const string PayloadsOffloaded = "eventrouter.payloads.offloaded";
    public const string BatchSize = "eventrouter.batch.size";
    public const string BatchDuration = "eventrouter.batch.duration";
    public const string BatchFailures = "eventrouter.batch.failures";
    public const string QueueMessagesProcessed = "eventrouter.queue.messages.processed";
    public const string QueueMessagesFailed = "eventrouter.queue.messages.failed";
    public const string QueueMessagesPoisoned = "eventrouter.queue.messages.poisoned";

    // Attributes.
    public const string MessagingSystem = "messaging.system";
    public const string DestinationName = "messaging.destination.name";
    public const string PartitionId = "messaging.destination.partition.id";
    public const string BatchMessageCount = "messaging.batch.message_count";
    public const string ErrorType = "error.type";
    public const string RouteKind = "eventrouter.route.kind";
    public const string PoisonReason = "eventrouter.poison.reason";
    public const string PayloadKind = "eventrouter.payload.kind";

    /// <summary>
    /// There is no well-known <c>messaging.system</c> for Azure Storage queues; this is ours.
    /// </summary>
    public const string StorageQueuesSystem = "azure_storage_queues";
    public const string KafkaSystem = "kafka";

    // The queue stage's span: "process <queue>", as the messaging conventions name a process span.
    public const string ProcessSpanPrefix = "process ";
    public const string OperationType = "messaging.operation.type";
    public const string MessageId = "messaging.message.id";
    /// <summary>The <see cref="OperationType"/> of a span that handles a received message.</summary>
    public const string ProcessOperation = "process";
}
