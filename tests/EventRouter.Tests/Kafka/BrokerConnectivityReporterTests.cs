using Confluent.Kafka;
using EventRouter.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EventRouter.Tests.Kafka;

public sealed class BrokerConnectivityReporterTests
{
    [Fact]
    public void Errors_WarnOnce_ThenAtMostOnceAMinute_InformationOnRecovery()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 7, 0, 0, TimeSpan.Zero));
        var reporter = new BrokerConnectivityReporter(clock);

        Assert.Equal((LogLevel.Warning, BrokerReportKind.Unreachable), Pick(reporter.OnConnectivityError()));
        // librdkafka repeats the error for every broker and retry: quiet for a minute.
        for (var i = 0; i < 30; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1.9));
            Assert.Equal((LogLevel.Debug, BrokerReportKind.Repeat), Pick(reporter.OnConnectivityError()));
        }
        clock.Advance(TimeSpan.FromSeconds(3));
        var still = reporter.OnConnectivityError();
        Assert.Equal((LogLevel.Warning, BrokerReportKind.StillUnreachable), Pick(still));
        Assert.Equal(TimeSpan.FromSeconds(60), still.Down);
        Assert.Equal(LogLevel.Debug, reporter.OnConnectivityError().Level);

        clock.Advance(TimeSpan.FromSeconds(10));
        var recovered = reporter.OnConnected();
        Assert.Equal((LogLevel.Information, BrokerReportKind.Recovered), Pick(recovered!.Value));
        Assert.Equal(TimeSpan.FromSeconds(70), recovered.Value.Down);
        Assert.False(reporter.IsDown);
        // Connected and staying so: nothing more to say.
        Assert.Null(reporter.OnConnected());
        // A new outage is reported at once again.
        Assert.Equal(LogLevel.Warning, reporter.OnConnectivityError().Level);
    }

    [Fact]
    public void OnConnected_WithoutAnOutage_SaysNothing() => Assert.Null(new BrokerConnectivityReporter(new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 7, 0, 0, TimeSpan.Zero))).OnConnected());

    [Theory]
    [InlineData(ErrorCode.Local_Transport, true)]
    [InlineData(ErrorCode.Local_AllBrokersDown, true)]
    [InlineData(ErrorCode.Local_Resolve, true)]
    [InlineData(ErrorCode.Local_TimedOut, true)]
    [InlineData(ErrorCode.TopicAuthorizationFailed, false)]
    [InlineData(ErrorCode.Local_Authentication, false)]
    public void IsConnectivityError_OnlyForCannotTalkToABroker(ErrorCode code, bool expected) =>
        Assert.Equal(expected, BrokerConnectivityReporter.IsConnectivityError(code));

    private static (LogLevel, BrokerReportKind) Pick(BrokerReport report) => (report.Level, report.Kind);
}
