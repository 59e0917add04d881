using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Log = EventRouter.Kafka.KafkaSourceService.Log;

namespace EventRouter.Kafka.Consuming;

/// <summary>
/// What librdkafka's error and log callbacks say, as EventRouter's log events: a broker that cannot
/// be reached is reported once with the settings to check, then at most once a minute, and once more
/// when it answers again (<see cref="BrokerConnectivityReporter"/>); librdkafka's own log lines are
/// one level quieter, since it reports actionable failures through the error callback as well.
/// Fatal errors are not its business: the consumer stops the host on those.
/// </summary>
internal sealed class ClientEventLog(string topic, string? bootstrapServers, ILogger logger, TimeProvider time)
{
    private readonly BrokerConnectivityReporter _connectivity = new(time);

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

    private void Report(BrokerReport? report, string? reason = null)
    {
        if (report is not { } r) return;
        var down = TimeSpan.FromSeconds(Math.Round(r.Down.TotalSeconds));
        switch (r.Kind)
        {
            case BrokerReportKind.Unreachable: Log.BrokersUnreachable(logger, topic, bootstrapServers, reason); break;
            case BrokerReportKind.StillUnreachable: Log.BrokersStillUnreachable(logger, topic, bootstrapServers, down, reason); break;
            case BrokerReportKind.Recovered: Log.BrokersReachable(logger, topic, bootstrapServers, down); break;
            default: Log.ClientErrorRepeat(logger, topic, reason); break;
        }
    }
}
