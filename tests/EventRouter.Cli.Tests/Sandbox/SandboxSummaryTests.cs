using EventRouter.Cli.Sandbox;

namespace EventRouter.Cli.Tests.Sandbox;

public sealed class SandboxSummaryTests
{
    private static LedgerSnapshot Ledger(long routed, long poisoned, long reRead = 0, long unrouted = 0, long duplicates = 0, long conflated = 0)
        => new(routed, unrouted, poisoned, duplicates, conflated, reRead, routed + unrouted, new Dictionary<string, long>(), new Dictionary<string, long>());

    private static PartitionEnd[] Partitions(long high, long? committed = null, long skipped = 0, long unread = 0, long low = 0)
        => [new PartitionEnd("Notifications", 0, low, high, committed ?? high, skipped, unread)];

    [Fact]
    public void Evaluate_SumIsTheTargetAndAllCommitted_SucceedsWithEveryRowNamed()
    {
        var verdict = SandboxSummary.Evaluate(new SandboxOutcome(5000, 5000, Ledger(4900, 50, reRead: 700, unrouted: 20, duplicates: 10, conflated: 20), Partitions(5000), null, SandboxStop.Complete));

        Assert.True(verdict.Succeeded, string.Join("; ", verdict.Failures));
        Assert.Equal(
            "All 5,000 events accounted for: 4,900 routed + 20 unrouted + 50 poisoned + 10 duplicates + 20 conflated = 5,000; " +
            "700 re-read after a rebalance or restart (written again, counted once); lag 0 (all committed).",
            verdict.ClosingLine);
    }

    [Fact]
    public void Evaluate_SumBelowTheTarget_FailsSayingHowMany()
    {
        var verdict = SandboxSummary.Evaluate(new SandboxOutcome(5000, 5000, Ledger(4000, 40), Partitions(5000, unread: 960), null, SandboxStop.Stalled));

        Assert.False(verdict.Succeeded);
        Assert.StartsWith("Not all events accounted for", verdict.ClosingLine);
        Assert.Contains(verdict.Failures, f => f.Contains("4,040 distinct records accounted for, not 5,000"));
        Assert.Contains(verdict.Failures, f => f.Contains("stopped moving"));
    }

    [Fact]
    public void Evaluate_LagAfterStop_Fails()
    {
        var verdict = SandboxSummary.Evaluate(new SandboxOutcome(100, 100, Ledger(99, 1), Partitions(100, committed: 80), null, SandboxStop.Complete));

        Assert.False(verdict.Succeeded);
        Assert.Contains("lag 20 (not committed)", verdict.ClosingLine);
        Assert.Contains(verdict.Failures, f => f.Contains("consumer lag is 20"));
    }

    [Fact]
    public void Evaluate_RecordsGoneBeforeTheyWereRead_FailsNamingRetention()
    {
        var verdict = SandboxSummary.Evaluate(new SandboxOutcome(0, 10_000, Ledger(7000, 0), Partitions(10_000, skipped: 3000, low: 3000), null, SandboxStop.Interrupted));

        Assert.False(verdict.Succeeded);
        Assert.Contains(verdict.Failures, f => f.Contains("3,000 records were skipped") && f.Contains("retention"));
    }

    [Fact]
    public void Evaluate_OpenEndedRunStoppedByTheUser_SaysWhatWasStillOnItsWay()
    {
        var verdict = SandboxSummary.Evaluate(new SandboxOutcome(0, 1200, Ledger(1000, 10), Partitions(1200, committed: 1010), null, SandboxStop.Interrupted));

        Assert.True(verdict.Succeeded, string.Join("; ", verdict.Failures));
        Assert.StartsWith("Stopped: 1,200 produced; 1,000 routed", verdict.ClosingLine);
        Assert.Contains("190 not yet in a queue", verdict.ClosingLine);
    }

    [Fact]
    public void Evaluate_TopicsHoldMoreThanAcknowledged_Fails()
    {
        var verdict = SandboxSummary.Evaluate(new SandboxOutcome(100, 100, Ledger(101, 0), Partitions(101), null, SandboxStop.Complete));

        Assert.False(verdict.Succeeded);
        Assert.Contains(verdict.Failures, f => f.Contains("the topics hold 101 records for 100 acknowledged"));
    }

    [Fact]
    public void Evaluate_OffsetsUnreadable_FailsWithTheReason()
    {
        var verdict = SandboxSummary.Evaluate(new SandboxOutcome(100, 100, Ledger(100, 0), null, "Local: Timed out", SandboxStop.Complete));

        Assert.False(verdict.Succeeded);
        Assert.Contains("lag unknown", verdict.ClosingLine);
        Assert.Contains(verdict.Failures, f => f.Contains("Local: Timed out"));
    }
}
