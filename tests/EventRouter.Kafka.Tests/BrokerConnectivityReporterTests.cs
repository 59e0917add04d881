using Confluent.Kafka;
using EventRouter.Diagnostics;
using EventRouter.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EventRouter.Kafka.Tests;

public sealed class BrokerConnectivityReporterTests
{
    [Fact]
    public void Errors_WarnOnce_RepeatsAtDebug_InformationOnRecovery()
    {
        // The minute-by-minute rule itself is OutageReporter's (OutageReporterTests).
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 7, 0, 0, TimeSpan.Zero));
        var reporter = new BrokerConnectivityReporter(clock);

        Assert.Equal((LogLevel.Warning, OutageReportKind.Began), Pick(reporter.OnConnectivityError()));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal((LogLevel.Debug, OutageReportKind.Repeat), Pick(reporter.OnConnectivityError()));
        Assert.True(reporter.IsDown);

        clock.Advance(TimeSpan.FromSeconds(3));
        var recovered = reporter.OnConnected();
        Assert.Equal((LogLevel.Information, OutageReportKind.Ended), Pick(recovered!.Value));
        Assert.Equal(TimeSpan.FromSeconds(5), recovered.Value.Down);
        Assert.False(reporter.IsDown);
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

    private static (LogLevel, OutageReportKind) Pick(OutageReport report) => (report.Level, report.Kind);
}
