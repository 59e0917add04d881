using EventRouter.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace EventRouter.Cli.Sandbox;

/// <summary>
/// <c>eventrouter dev</c>'s live table and closing summary: the pipeline's counts, Azurite's requests,
/// poison by reason and routed events per queue, from the ledger and the counters.
/// </summary>
internal static class SandboxLiveTable
{
    public static IRenderable Render(LedgerSnapshot ledger, PipelineCounters counters, StorageRequestCounter requests, ProducePacer pacer, long produced, DevCommand.RunTiming timing, int target, IReadOnlyList<PartitionEnd>? end)
    {
        var perEvent = Math.Max(1, ledger.Distinct);
        var storage = new Table().Title("Azurite requests").AddColumn("Request").AddColumn(new TableColumn("Count").RightAligned()).AddColumn(new TableColumn("Per event").RightAligned());
        var counts = requests.Snapshot();
        foreach (var (kind, count) in counts.OrderByDescending(r => r.Value).ThenBy(r => r.Key))
            storage.AddRow(Markup.Escape(kind), count.ToString("N0"), ((double)count / perEvent).ToString("N2"));
        storage.AddRow("[bold]total[/]", $"[bold]{counts.Values.Sum():N0}[/]", $"[bold]{(double)counts.Values.Sum() / perEvent:N2}[/]");
        var queues = new Table().Title("Routed").AddColumn("Queue").AddColumn(new TableColumn("Events").RightAligned());
        foreach (var (queue, count) in ledger.RoutedPerQueue.OrderByDescending(q => q.Value).ThenBy(q => q.Key))
        {
            queues.AddRow(Markup.Escape(queue), count.ToString("N0"));
        }
        var poison = new Table().Title("Poisoned (events-poison)").AddColumn("Reason").AddColumn(new TableColumn("Records").RightAligned());
        foreach (var (reason, count) in ledger.PoisonedPerReason.OrderByDescending(p => p.Value).ThenBy(p => p.Key)) poison.AddRow(Markup.Escape(reason), count.ToString("N0"));

        var intoQueues = Math.Max((timing.Accounted ?? timing.Total).TotalSeconds, 0.001);
        var elapsed = timing.Total;
        var summary = new Table().Title("Pipeline").AddColumn("Measure").AddColumn(new TableColumn("Value").RightAligned())
            .AddRow("Produced", produced.ToString("N0") + (target > 0 ? $" / {target:N0}" : ""))
            .AddRow($"Producer waited for the pipeline ({pacer.MaxBacklog:N0} behind)", $"{pacer.WaitedForPipeline.TotalSeconds:N0} s")
            .AddRow("Routed to their queue", ledger.Routed.ToString("N0"))
            .AddRow("Unrouted (events-unrouted)", ledger.Unrouted.ToString("N0"))
            .AddRow("Poisoned (events-poison)", ledger.Poisoned.ToString("N0"))
            .AddRow("Duplicate id in a batch (written once)", ledger.Duplicates.ToString("N0"))
            .AddRow("Conflated prices (not written)", ledger.Conflated.ToString("N0"))
            .AddRow("[bold]Accounted for (distinct records)[/]", $"[bold]{ledger.Distinct:N0}[/]");
        if (end is null) summary.AddRow("Not yet in a queue", Math.Max(0, produced - ledger.Distinct).ToString("N0"));
        summary.AddRow("Re-read after a rebalance or restart", ledger.ReRead.ToString("N0"));
        if (end is not null)
        {
            var skipped = end.Sum(p => p.Skipped);
            var unread = end.Sum(p => p.Unread);
            if (skipped > 0) summary.AddRow("[red]Skipped (no longer on the broker)[/]", skipped.ToString("N0"));
            if (unread > 0) summary.AddRow("Not read", unread.ToString("N0"));
            var lag = end.Sum(p => p.Lag);
            summary.AddRow("Consumer lag (after stop)", lag == 0 ? "0 (all committed)" : $"{lag:N0} (not committed)");
        }
        summary
            // Both count deliveries, not distinct messages: a message the queue stage received again (its
            // visibility timeout ran out mid-handling) is handled again, so handled can exceed written.
            .AddRow("Handled by queue handlers", $"{counters.Handled:N0} of {ledger.QueueMessagesWritten:N0} messages written" +
                (end is not null && counters.Handled + counters.QueuePoisoned < ledger.QueueMessagesWritten ? " (the rest stay queued)" : "") +
                (counters.Handled > ledger.QueueMessagesWritten ? $" ({counters.Handled - ledger.QueueMessagesWritten:N0} handled again: delivered once more by the queue)" : ""))
            .AddRow("Moved to <queue>-poison", counters.QueuePoisoned.ToString("N0"))
            .AddRow("Throughput, Kafka to queues", $"{ledger.Distinct / intoQueues:N0} events/s")
            .AddRow("Throughput, whole pipeline (handled)", $"{ledger.Distinct / Math.Max(timing.WholePipeline.TotalSeconds, 0.001):N0} events/s")
            .AddRow("Elapsed" + (timing.Accounted is { } at ? $" (all in queues at {TextFormat.Elapsed(at)})" : ""), TextFormat.Elapsed(elapsed));
        return new Columns(summary, new Rows(storage, poison), queues) { Expand = false };
    }
}
