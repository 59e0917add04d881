using Confluent.Kafka;
using EventRouter.Configuration;
using Microsoft.Extensions.Logging;

namespace EventRouter.Kafka;

internal sealed partial class KafkaSourceService
{
    /// <summary>
    /// Log events of the Kafka source (EventIds 1001-1099). Ids and names are part of the operational
    /// contract: alerts match on them. No payload, key or header value is ever logged.
    /// </summary>
    internal static partial class Log
    {
        [LoggerMessage(1001, LogLevel.Information, "Kafka consumer starting for topic {Topic} in group {ConsumerGroup} (librdkafka {LibrdkafkaVersion})", EventName = nameof(ConsumerStarting))]
        public static partial void ConsumerStarting(ILogger logger, string topic, string? consumerGroup, string librdkafkaVersion);

        [LoggerMessage(1002, LogLevel.Critical, "Kafka consumer for topic {Topic} failed and is stopping the host", EventName = nameof(ConsumerCrashed))]
        public static partial void ConsumerCrashed(ILogger logger, string topic, Exception exception);

        [LoggerMessage(1003, LogLevel.Warning, "Kafka consumer for topic {Topic} did not close cleanly", EventName = nameof(CloseFailed))]
        public static partial void CloseFailed(ILogger logger, string topic, Exception exception);

        [LoggerMessage(1004, LogLevel.Warning, "Consume error on topic {Topic}: {ErrorCode} {Reason}", EventName = nameof(ConsumeError))]
        public static partial void ConsumeError(ILogger logger, string topic, ErrorCode errorCode, string reason);

        [LoggerMessage(1005, LogLevel.Debug, "Routing a batch of {Count} records ({Bytes} bytes) from {Topic} partition {Partition}", EventName = nameof(BatchDispatched))]
        public static partial void BatchDispatched(ILogger logger, string topic, int partition, int count, long bytes);

        [LoggerMessage(1006, LogLevel.Information, "Batch of {Count} records from {Topic} partition {Partition} reached storage after {FailedAttempts} failed attempts", EventName = nameof(BatchRecovered))]
        public static partial void BatchRecovered(ILogger logger, string topic, int partition, int count, int failedAttempts);

        [LoggerMessage(1007, LogLevel.Warning, "Storage failed for a batch of {Count} records from {Topic} partition {Partition} (attempt {Attempt}); nothing committed, partition paused, retrying in {DelayMs} ms", EventName = nameof(BatchDeliveryFailed))]
        public static partial void BatchDeliveryFailed(ILogger logger, string topic, int partition, int count, int attempt, double delayMs, Exception exception);

        [LoggerMessage(1008, LogLevel.Error, "Storage rejected a batch of {Count} records from {Topic} partition {Partition} with a non-transient error (attempt {Attempt}); nothing committed, partition paused, retrying in {DelayMs} ms", EventName = nameof(BatchDeliveryFailedPermanently))]
        public static partial void BatchDeliveryFailedPermanently(ILogger logger, string topic, int partition, int count, int attempt, double delayMs, Exception exception);

        [LoggerMessage(1009, LogLevel.Error, "Routing a batch of {Count} records from {Topic} partition {Partition} threw unexpectedly (attempt {Attempt}); nothing committed, partition paused, retrying in {DelayMs} ms", EventName = nameof(BatchRoutingFailedUnexpectedly))]
        public static partial void BatchRoutingFailedUnexpectedly(ILogger logger, string topic, int partition, int count, int attempt, double delayMs, Exception exception);

        [LoggerMessage(1010, LogLevel.Debug, "Stored offset {Offset} of {Topic} partition {Partition} for commit", EventName = nameof(OffsetStored))]
        public static partial void OffsetStored(ILogger logger, string topic, int partition, long offset);

        [LoggerMessage(1011, LogLevel.Warning, "Could not store offset {Offset} of {Topic} partition {Partition}: {Reason}; its next owner reads those records again", EventName = nameof(StoreOffsetFailed))]
        public static partial void StoreOffsetFailed(ILogger logger, string topic, int partition, long offset, string reason);

        [LoggerMessage(1012, LogLevel.Debug, "Batch of {Count} records from {Topic} partition {Partition} reached storage in {ElapsedMs} ms", EventName = nameof(BatchRouted))]
        public static partial void BatchRouted(ILogger logger, string topic, int partition, int count, double elapsedMs);

        [LoggerMessage(EventId = 1013, EventName = nameof(PartitionsPaused), Message = "Paused {Topic} partitions {Partitions}: {Reason}")]
        public static partial void PartitionsPaused(ILogger logger, LogLevel level, string topic, string partitions, string reason);

        [LoggerMessage(1014, LogLevel.Warning, "Could not pause or resume partitions of topic {Topic}: {Reason}", EventName = nameof(PauseResumeFailed))]
        public static partial void PauseResumeFailed(ILogger logger, string topic, string reason);

        [LoggerMessage(1015, LogLevel.Debug, "Resumed {Topic} partitions {Partitions}", EventName = nameof(PartitionsResumed))]
        public static partial void PartitionsResumed(ILogger logger, string topic, string partitions);

        [LoggerMessage(1016, LogLevel.Information, "Assigned {Topic} partitions {Partitions}", EventName = nameof(PartitionsAssigned))]
        public static partial void PartitionsAssigned(ILogger logger, string topic, string partitions);

        [LoggerMessage(1017, LogLevel.Information, "Revoked {Topic} partitions {Partitions}; finishing {InFlight} in-flight records first", EventName = nameof(PartitionsRevoked))]
        public static partial void PartitionsRevoked(ILogger logger, string topic, string partitions, int inFlight);

        [LoggerMessage(1018, LogLevel.Warning, "Lost {Topic} partitions {Partitions}; their uncommitted records go to the next owner", EventName = nameof(PartitionsLost))]
        public static partial void PartitionsLost(ILogger logger, string topic, string partitions);

        [LoggerMessage(1019, LogLevel.Warning, "Abandoned an in-flight batch of {Count} records from {Topic} partition {Partition} ({Reason}); nothing of it is committed", EventName = nameof(BatchAbandoned))]
        public static partial void BatchAbandoned(ILogger logger, string topic, int partition, int count, string reason);

        [LoggerMessage(1020, LogLevel.Information, "Kafka consumer for topic {Topic} stopping: finishing {InFlight} in-flight records, dropping {Buffered} buffered ones (they stay uncommitted)", EventName = nameof(ConsumerStopping))]
        public static partial void ConsumerStopping(ILogger logger, string topic, int inFlight, int buffered);

        [LoggerMessage(1021, LogLevel.Warning, "In-flight batch of {Count} records from {Topic} partition {Partition} did not reach storage within {ShutdownTimeout}; abandoned uncommitted", EventName = nameof(ShutdownTimedOut))]
        public static partial void ShutdownTimedOut(ILogger logger, string topic, int partition, int count, TimeSpan shutdownTimeout);

        [LoggerMessage(1022, LogLevel.Information, "Kafka consumer for topic {Topic} stopped", EventName = nameof(ConsumerStopped))]
        public static partial void ConsumerStopped(ILogger logger, string topic);

        [LoggerMessage(1023, LogLevel.Warning, "Kafka client error on topic {Topic}: {ErrorCode} {Reason}", EventName = nameof(ClientError))]
        public static partial void ClientError(ILogger logger, string topic, ErrorCode errorCode, string reason);

        [LoggerMessage(1024, LogLevel.Critical, "Fatal Kafka error on topic {Topic}: {ErrorCode} {Reason}; stopping the host", EventName = nameof(FatalError))]
        public static partial void FatalError(ILogger logger, string topic, ErrorCode errorCode, string reason);

        [LoggerMessage(EventId = 1025, EventName = nameof(ClientLog), Message = "librdkafka ({Topic}) {Facility}: {Message}")]
        public static partial void ClientLog(ILogger logger, LogLevel level, string topic, string facility, string message);

        [LoggerMessage(1026, LogLevel.Debug, "Lag of {Topic} partition {Partition} unavailable: {Reason}", EventName = nameof(LagUnavailable))]
        public static partial void LagUnavailable(ILogger logger, string topic, int partition, string reason);

        [LoggerMessage(1027, LogLevel.Information, "Kafka source not started: its topic name is empty (disabled)", EventName = nameof(SourceDisabled))]
        public static partial void SourceDisabled(ILogger logger);

        [LoggerMessage(1035, LogLevel.Error, "Records {First}-{Last} of {Topic} partition {Partition} ({Count}) were skipped: the broker no longer had them when the consumer asked (deleted by the topic's retention while the group was behind); they were never routed. Reset to the earliest offset the broker has", EventName = nameof(RecordsSkipped))]
        public static partial void RecordsSkipped(ILogger logger, string topic, int partition, long first, long last, long count);

        [LoggerMessage(1036, LogLevel.Debug, "Offset reset of {Topic} partition {Partition} at {Offset}: {Reason}", EventName = nameof(OffsetReset))]
        public static partial void OffsetReset(ILogger logger, string topic, int partition, long offset, string reason);

        [LoggerMessage(1031, LogLevel.Warning, $"Kafka consumer for topic {{Topic}} cannot reach the brokers at {{BootstrapServers}} ({{Reason}}); check {KafkaSettingNames.BootstrapServers}, {KafkaSettingNames.SecurityProtocol} and the network. Retrying; repeated at most once a minute", EventName = nameof(BrokersUnreachable))]
        public static partial void BrokersUnreachable(ILogger logger, string topic, string? bootstrapServers, string? reason);

        [LoggerMessage(1032, LogLevel.Warning, "Kafka consumer for topic {Topic} still cannot reach the brokers at {BootstrapServers} after {Down} ({Reason}); retrying", EventName = nameof(BrokersStillUnreachable))]
        public static partial void BrokersStillUnreachable(ILogger logger, string topic, string? bootstrapServers, TimeSpan down, string? reason);

        [LoggerMessage(1033, LogLevel.Information, "Kafka consumer for topic {Topic} reaches the brokers at {BootstrapServers} again after {Down}", EventName = nameof(BrokersReachable))]
        public static partial void BrokersReachable(ILogger logger, string topic, string? bootstrapServers, TimeSpan down);

        [LoggerMessage(1034, LogLevel.Debug, "Kafka consumer for topic {Topic}: still unreachable ({Reason})", EventName = nameof(ClientErrorRepeat))]
        public static partial void ClientErrorRepeat(ILogger logger, string topic, string? reason);

        [LoggerMessage(1028, LogLevel.Warning, "Committing the stored offsets of topic {Topic} failed: {ErrorCode} {Reason}; they stay stored for the next commit, and records since the last successful one are read again after a restart or rebalance", EventName = nameof(CommitFailed))]
        public static partial void CommitFailed(ILogger logger, string topic, ErrorCode errorCode, string reason);

        [LoggerMessage(1029, LogLevel.Warning, "Committing offset {Offset} of {Topic} partition {Partition} failed: {ErrorCode} {Reason}", EventName = nameof(PartitionCommitFailed))]
        public static partial void PartitionCommitFailed(ILogger logger, string topic, int partition, long offset, ErrorCode errorCode, string reason);

        [LoggerMessage(1030, LogLevel.Debug, "Committed offset {Offset} of {Topic} partition {Partition}", EventName = nameof(OffsetCommitted))]
        public static partial void OffsetCommitted(ILogger logger, string topic, int partition, long offset);
    }
}
