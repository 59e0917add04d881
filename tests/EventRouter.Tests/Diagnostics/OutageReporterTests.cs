using EventRouter.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EventRouter.Tests.Diagnostics;

public sealed class OutageReporterTests
{
    [Fact]
    public void Failures_WarnOnce_ThenAtMostOnceAMinute_InformationWhenItEnds()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 17, 0, 0, TimeSpan.Zero));
        var reporter = new OutageReporter(clock);

        Assert.Equal((LogLevel.Warning, OutageReportKind.Began), Pick(reporter.OnFailure()));
        Assert.True(reporter.IsDown);
        for (var i = 0; i < 30; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1.9));
            Assert.Equal((LogLevel.Debug, OutageReportKind.Repeat), Pick(reporter.OnFailure()));
        }
        clock.Advance(TimeSpan.FromSeconds(3));
        var continues = reporter.OnFailure();
        Assert.Equal((LogLevel.Warning, OutageReportKind.Continues), Pick(continues));
        Assert.Equal(TimeSpan.FromSeconds(60), continues.Down);
        Assert.Equal(LogLevel.Debug, reporter.OnFailure().Level);

        clock.Advance(TimeSpan.FromSeconds(10));
        var ended = reporter.OnSuccess();
        Assert.Equal((LogLevel.Information, OutageReportKind.Ended), Pick(ended!.Value));
        Assert.Equal(TimeSpan.FromSeconds(70), ended.Value.Down);
        Assert.False(reporter.IsDown);
        Assert.Null(reporter.OnSuccess());
        // A new outage is reported at once again.
        Assert.Equal(OutageReportKind.Began, reporter.OnFailure().Kind);
    }

    [Fact]
    public void OnSuccess_WithoutAnOutage_SaysNothing() => Assert.Null(new OutageReporter(new FakeTimeProvider()).OnSuccess());

    [Fact]
    public void ManyPollersFailingAtOnce_OneOfThemWarns()
    {
        var reporter = new OutageReporter(new FakeTimeProvider());
        var reports = new System.Collections.Concurrent.ConcurrentBag<OutageReport>();

        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => reports.Add(reporter.OnFailure()));

        Assert.Single(reports, r => r.Level == LogLevel.Warning);
        Assert.Equal(1_999, reports.Count(r => r.Kind == OutageReportKind.Repeat));
    }

    private static (LogLevel, OutageReportKind) Pick(OutageReport report) => (report.Level, report.Kind);
}
