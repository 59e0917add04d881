using Confluent.Kafka;
using EventRouter.Diagnostics;
using Microsoft.Extensions.Logging;
using Log = EventRouter.Kafka.KafkaSourceService.Log;

namespace EventRouter.Kafka.Consuming;

/// <summary>
/// What librdkafka's error and log callbacks say, as EventRouter's log events: a broker that cannot
/// be reached is reported once with the settings to check, then at most once a minute, and once more
/// when it answers again (<see cref="BrokerConnectivityReporter"/>); librdkafka's own log lines are
/// one level quieter, since it reports actionable failures through the error callback as well.
/// Records the broker no longer had when asked (an offset reset forward) are reported once as the
/// skipped range (<see cref="SkippedRecordsTracker"/>). Fatal errors are not its business: the consumer
/// stops the host on those.
/// </summary>
internal sealed class ClientEventLog(string topic, string? consumerGroup, string? bootstrapServers, KafkaMetrics metrics, ILogger logger, TimeProvider time)
{
    private readonly BrokerConnectivityReporter _connectivity = new(time);
    private readonly SkippedRecordsTracker _skipped = new();

    /// <summary>A non-fatal error of a poll, or librdkafka's notice that it reset a partition's offset.</summary>
    public void OnConsumeError(ConsumeException exception)
    {
        var error = exception.Error;
        if (error.Code == ErrorCode.Local_AutoOffsetReset)
        {
            // Reported once as a skipped range when the partition's next record arrives (or as nothing, for a reset backwards).
            var partition = exception.ConsumerRecord?.Partition.Value ?? -1;
            var offset = exception.ConsumerRecord?.Offset.Value ?? -1;
            _skipped.OnOffsetReset(partition, offset);
            Log.OffsetReset(logger, topic, partition, offset, error.Reason);
        }
        else
        {
            Log.ConsumeError(logger, topic, error.Code, error.Reason);
        }
    }

    /// <summary>A record of an assigned partition arrived: reports the records skipped before it, if any.</summary>
    public void OnRecord(int partition, long offset)
    {
        if (_skipped.Pending && _skipped.OnRecord(partition, offset) is var (first, last))
        {
            // Never routed, never in any queue: the one loss EventRouter cannot prevent, reported once.
            Log.RecordsSkipped(logger, topic, partition, first, last, last - first + 1);
            metrics.RecordsSkipped(topic, consumerGroup, last - first + 1);
        }
    }

    /// <summary>The partitions are no longer ours: a reset seen for one says nothing about its next owner.</summary>
    public void Forget(IEnumerable<int> partitions)
    {
        foreach (var partition in partitions) _skipped.Forget(partition);
    }

    /// <summary>A non-fatal client error.</summary>
    public void OnError(Error error)
    {
        if (BrokerConnectivityReporter.IsConnectivityError(error.Code))
        {
            // One line that says what is wrong and where, then at most one a minute, not one per retry.
            Report(_connectivity.OnConnectivityError(), error.Reason);
        }
        else
        {
            Log.ClientError(logger, topic, error.Code, error.Reason);
        }
    }

    /// <summary>A broker answered (a record arrived, or the group assigned partitions).</summary>
    public void OnBrokerAnswered()
    {
        if (_connectivity.IsDown) Report(_connectivity.OnConnected());
    }

    public void OnLog(LogMessage message) => Log.ClientLog(logger, LevelOf(message), topic, message.Facility, message.Message);

    /// <summary>The level a librdkafka log line is logged at.</summary>
    internal static LogLevel LevelOf(LogMessage message) => message.Level switch
    {
        // Connection failures (FAIL) repeat for every broker and retry; the error callback reports them once.
        _ when message.Facility == "FAIL" => LogLevel.Debug,
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
        SyslogLevel.Error or SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice => LogLevel.Information,
        SyslogLevel.Info => LogLevel.Debug,
        _ => LogLevel.Trace,
    };

    private void Report(OutageReport? report, string? reason = null)
    {
        if (report is not { } r) return;
        var down = TimeSpan.FromSeconds(Math.Round(r.Down.TotalSeconds));
        switch (r.Kind)
        {
            case OutageReportKind.Began: Log.BrokersUnreachable(logger, topic, bootstrapServers, reason); break;
            case OutageReportKind.Continues: Log.BrokersStillUnreachable(logger, topic, bootstrapServers, down, reason); break;
            case OutageReportKind.Ended: Log.BrokersReachable(logger, topic, bootstrapServers, down); break;
            default: Log.ClientErrorRepeat(logger, topic, reason); break;
        }
    }
}
