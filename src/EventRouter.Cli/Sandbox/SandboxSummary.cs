namespace EventRouter.Cli.Sandbox;

/// <summary>One partition as the broker and the group see it at the end of a run.</summary>
/// <param name="Skipped">Offsets below <paramref name="Low"/> (no longer on the broker) that no delivery reported.</param>
/// <param name="Unread">Offsets from <paramref name="Low"/> to <paramref name="High"/> that no delivery reported.</param>
internal sealed record PartitionEnd(string Topic, int Partition, long Low, long High, long? Committed, long Skipped, long Unread)
{
    /// <summary>Records the group has not committed: the end offset minus the committed one (all of them without a commit).</summary>
    public long Lag => Math.Max(0, High - (Committed ?? 0));
}

/// <summary>How the run ended, as far as the summary needs to know.</summary>
internal enum SandboxStop
{
    /// <summary>Every one of the target's records was accounted for.</summary>
    Complete,
    /// <summary>The user stopped it (Ctrl+C, SIGTERM).</summary>
    Interrupted,
    /// <summary>Nothing moved for the stall timeout.</summary>
    Stalled,
    /// <summary>The worker stopped by itself (a fatal error).</summary>
    WorkerStopped,
}

/// <summary>
/// What the sandbox knows at the end of a run: its target, what the producer had acknowledged, the
/// ledger, and the partitions read after the worker stopped (null when they could not be read).
/// </summary>
internal sealed record SandboxOutcome(
    int Target, long Produced, LedgerSnapshot Ledger, IReadOnlyList<PartitionEnd>? Partitions, string? PartitionsError, SandboxStop Stop);

/// <summary>The verdict: the closing line, and why the run failed (empty when it did not).</summary>
internal sealed record SandboxVerdict(string ClosingLine, IReadOnlyList<string> Failures)
{
    public bool Succeeded => Failures.Count == 0;
}

/// <summary>
/// Decides what the sandbox says at the end, as a pure function of the run's counts: every row of
/// the accounting by name, whether they add up to the target, and whether the group committed
/// everything. A run with a target succeeds only when the sum is exactly the target, nothing was
/// skipped and the lag is 0; otherwise each reason is named.
/// </summary>
internal static class SandboxSummary
{
    public static SandboxVerdict Evaluate(SandboxOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var ledger = outcome.Ledger;
        var failures = new List<string>();
        var inTopics = outcome.Partitions?.Sum(p => p.High);
        var skipped = outcome.Partitions?.Sum(p => p.Skipped) ?? 0;
        var unread = outcome.Partitions?.Sum(p => p.Unread) ?? 0;
        var lag = outcome.Partitions?.Sum(p => p.Lag);

        var sum = $"{ledger.Routed:N0} routed + {ledger.Unrouted:N0} unrouted + {ledger.Poisoned:N0} poisoned + " +
                  $"{ledger.Duplicates:N0} duplicates + {ledger.Conflated:N0} conflated = {ledger.Distinct:N0}";
        var tail = $"{ledger.ReRead:N0} re-read after a rebalance or restart (written again, counted once); " +
                   (lag is null ? "lag unknown" : lag == 0 ? "lag 0 (all committed)" : $"lag {lag:N0} (not committed)");

        if (outcome.Target > 0)
        {
            switch (outcome.Stop)
            {
                case SandboxStop.Interrupted: failures.Add($"stopped by the user before all {outcome.Target:N0} events were accounted for."); break;
                case SandboxStop.Stalled: failures.Add("nothing was accounted for in the stall timeout: the pipeline stopped moving (run with --verbose to see the worker's logs)."); break;
                case SandboxStop.WorkerStopped: failures.Add("the worker stopped by itself (see its log above)."); break;
            }
            if (outcome.Produced != outcome.Target)
                failures.Add($"the broker acknowledged {outcome.Produced:N0} of the {outcome.Target:N0} events produced.");
            if (ledger.Distinct != outcome.Target)
                failures.Add($"{ledger.Distinct:N0} distinct records accounted for, not {outcome.Target:N0}.");
        }
        if (inTopics is { } held && held != outcome.Produced)
            failures.Add($"the topics hold {held:N0} records for {outcome.Produced:N0} acknowledged (the producer wrote some twice, or lost some).");
        if (skipped > 0)
            failures.Add($"{skipped:N0} records were skipped: the broker no longer had them when the worker got there (retention); lower --rate.");
        if (outcome.Stop == SandboxStop.Complete && unread > 0)
            failures.Add($"{unread:N0} records in the topics were never reported in storage.");
        if (outcome.Partitions is null)
            failures.Add($"the group's committed offsets could not be read ({outcome.PartitionsError ?? "no answer"}).");
        else if (lag > 0 && outcome.Stop == SandboxStop.Complete)
            failures.Add($"consumer lag is {lag:N0} after the worker stopped: offsets of records in storage were not committed (a restart reads them again; nothing is lost).");

        if (outcome.Target == 0 && outcome.Stop == SandboxStop.Interrupted)
        {
            // Open-ended and stopped by the user: a report, not a promise; what was still on its way is said.
            var waiting = Math.Max(0, outcome.Produced - ledger.Distinct);
            var line = $"Stopped: {outcome.Produced:N0} produced; {sum} accounted for, {waiting:N0} not yet in a queue; {tail}.";
            return new SandboxVerdict(line, failures);
        }
        return failures.Count == 0
            ? new SandboxVerdict($"All {ledger.Distinct:N0} events accounted for: {sum}; {tail}.", failures)
            : new SandboxVerdict($"Not all events accounted for: {outcome.Produced:N0} produced; {sum}; {tail}.", failures);
    }
}
