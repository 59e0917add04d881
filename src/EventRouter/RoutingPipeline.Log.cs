using Microsoft.Extensions.Logging;

namespace EventRouter;

public sealed partial class RoutingPipeline
{
    private static partial class Log
    {
        [LoggerMessage(2001, LogLevel.Debug, "Routed batch of {Count} records: {Routed} routed, {Unrouted} unrouted, {Poisoned} poisoned, {Duplicates} duplicates in {ElapsedMs:F1} ms", EventName = "BatchRouted")]
        public static partial void BatchRouted(ILogger logger, int count, int routed, int unrouted, int poisoned, int duplicates, double elapsedMs);

        [LoggerMessage(2002, LogLevel.Warning, "Poisoned record {Topic}/{Partition}@{Offset}: {Reason}: {Error}", EventName = "RecordPoisoned")]
        public static partial void RecordPoisoned(ILogger logger, string topic, int partition, long offset, string reason, string error);

        [LoggerMessage(2003, LogLevel.Warning, "Record {Topic}/{Partition}@{Offset}: the event-type header disagrees with the body's type; routing by the body", EventName = "TypeHeaderMismatch")]
        public static partial void TypeHeaderMismatch(ILogger logger, string topic, int partition, long offset);

        [LoggerMessage(3001, LogLevel.Warning, "Writing a batch of {Count} records failed ({ExceptionType}, transient: {Transient}); it will not be committed", EventName = "BatchDeliveryFailed")]
        public static partial void BatchDeliveryFailed(ILogger logger, int count, string exceptionType, bool transient, Exception exception);
    }
}
