using Confluent.Kafka;
using EventRouter.Kafka.Consuming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static EventRouter.Kafka.Tests.Consuming.ConsumerTestKit;

namespace EventRouter.Kafka.Tests.Consuming;

public sealed class ClientEventLogTests : IDisposable
{
    private readonly KafkaMetricsProbe _metrics = new();
    private readonly FakeTimeProvider _time = new();
    private readonly ListLogger _logger = new();

    private ClientEventLog Log() => new(Topic, "group", "broker-1:9092", _metrics.Metrics, _logger, _time);

    [Theory]
    [InlineData(SyslogLevel.Emergency, "GROUP", LogLevel.Critical)]
    [InlineData(SyslogLevel.Error, "GROUP", LogLevel.Warning)]
    [InlineData(SyslogLevel.Warning, "GROUP", LogLevel.Warning)]
    [InlineData(SyslogLevel.Notice, "GROUP", LogLevel.Information)]
    [InlineData(SyslogLevel.Info, "GROUP", LogLevel.Debug)]
    [InlineData(SyslogLevel.Debug, "GROUP", LogLevel.Trace)]
    [InlineData(SyslogLevel.Error, "FAIL", LogLevel.Debug)] // repeats per broker and retry; the error callback says it once
    public void LevelOf_LibrdkafkaLogLine_IsOneLevelQuieter(SyslogLevel level, string facility, LogLevel expected)
        => Assert.Equal(expected, ClientEventLog.LevelOf(new LogMessage("rdkafka#consumer-1", level, facility, "text")));

    [Fact]
    public void OnError_BrokersUnreachable_ReportedOnceThenQuietlyThenOnceWhenTheyAnswer()
    {
        var log = Log();
        log.OnError(new Error(ErrorCode.Local_AllBrokersDown, "1/1 brokers are down"));
        _time.Advance(TimeSpan.FromSeconds(10));
        log.OnError(new Error(ErrorCode.Local_Transport, "connection refused"));
        _time.Advance(TimeSpan.FromSeconds(20));
        log.OnBrokerAnswered();
        log.OnBrokerAnswered(); // up already: nothing more

        Assert.Equal(["BrokersUnreachable", "ClientErrorRepeat", "BrokersReachable"], _logger.Entries.Select(e => e.EventName));
        Assert.Contains("broker-1:9092", _logger.Entries[0].Message, StringComparison.Ordinal);
        Assert.Contains("after 00:00:30", _logger.Entries[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnError_OtherClientError_LoggedAsItIs()
    {
        Log().OnError(new Error(ErrorCode.TopicAuthorizationFailed, "not authorized"));

        var entry = Assert.Single(_logger.Entries);
        Assert.Equal("ClientError", entry.EventName);
        Assert.Equal(LogLevel.Warning, entry.Level);
    }

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public void OnRecord_AfterAResetForward_ReportsTheSkippedRangeOnce()
    {
        var log = Log();
        log.OnConsumeError(OffsetReset(partition: 2, offset: 100));
        log.OnRecord(partition: 1, offset: 7); // another partition: nothing skipped there
        log.OnRecord(partition: 2, offset: 250);
        log.OnRecord(partition: 2, offset: 251);

        Assert.Equal(["OffsetReset", "RecordsSkipped"], _logger.Entries.Select(e => e.EventName));
        Assert.StartsWith("Records 100-249 of Notifications partition 2 (150)", _logger.Entries[1].Message, StringComparison.Ordinal);
        Assert.Equal(150, _metrics.Sum(EventRouter.Kafka.KafkaTelemetryNames.RecordsSkipped));
    }

    [Fact]
    public void OnRecord_ResetForAPartitionSinceRevoked_ReportsNothing()
    {
        var log = Log();
        log.OnConsumeError(OffsetReset(partition: 2, offset: 100));
        log.Forget([2]);
        log.OnRecord(partition: 2, offset: 250);

        Assert.Equal(0, _metrics.Sum(EventRouter.Kafka.KafkaTelemetryNames.RecordsSkipped));
    }

    [Fact]
    public void OnConsumeError_OtherError_LoggedAsAConsumeError()
    {
        Log().OnConsumeError(new ConsumeException(new ConsumeResult<byte[], byte[]>(), new Error(ErrorCode.Local_UnknownPartition, "unknown partition")));
        Assert.Equal("ConsumeError", Assert.Single(_logger.Entries).EventName);
    }

    private static ConsumeException OffsetReset(int partition, long offset)
        => new(new ConsumeResult<byte[], byte[]> { TopicPartitionOffset = new TopicPartitionOffset(Topic, partition, offset) }, new Error(ErrorCode.Local_AutoOffsetReset, "reset"));

    [Fact]
    public void OnBrokerAnswered_BrokersNeverDown_LogsNothing()
    {
        Log().OnBrokerAnswered();
        Assert.Empty(_logger.Entries);
    }
}
