using System.Text.Json;

namespace EventRouter.Cli.Sandbox;

/// <summary><c>eventrouter dev --json</c>: the closing table as one JSON document, for scripts and the sandbox benchmark.</summary>
internal static class SandboxReport
{
    public static void Write(Stream stream, SandboxOutcome outcome, SandboxVerdict verdict, Commands.DevCommand.RunTiming timing,
        long handled, long queuePoisoned, TimeSpan producerWaited, IReadOnlyDictionary<string, long> requests)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(requests);
        var ledger = outcome.Ledger;
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteBoolean("succeeded", verdict.Succeeded);
        writer.WriteString("closingLine", verdict.ClosingLine);
        writer.WriteStartArray("failures");
        foreach (var failure in verdict.Failures) writer.WriteStringValue(failure);
        writer.WriteEndArray();
        writer.WriteNumber("target", outcome.Target);
        writer.WriteNumber("produced", outcome.Produced);
        writer.WriteNumber("routed", ledger.Routed);
        writer.WriteNumber("unrouted", ledger.Unrouted);
        writer.WriteNumber("poisoned", ledger.Poisoned);
        writer.WriteNumber("duplicates", ledger.Duplicates);
        writer.WriteNumber("conflated", ledger.Conflated);
        writer.WriteNumber("accountedFor", ledger.Distinct);
        writer.WriteNumber("reRead", ledger.ReRead);
        if (outcome.Partitions is { } partitions)
        {
            writer.WriteNumber("skipped", partitions.Sum(p => p.Skipped));
            writer.WriteNumber("notRead", partitions.Sum(p => p.Unread));
            writer.WriteNumber("consumerLag", partitions.Sum(p => p.Lag));
        }
        writer.WriteNumber("queueMessagesWritten", ledger.QueueMessagesWritten);
        writer.WriteNumber("queueMessagesHandled", handled);
        writer.WriteNumber("queueMessagesPoisoned", queuePoisoned);
        writer.WriteNumber("producerWaitedSeconds", Math.Round(producerWaited.TotalSeconds, 1));
        writer.WriteNumber("elapsedSeconds", Math.Round(timing.Total.TotalSeconds, 2));
        if (timing.Accounted is { } at)
        {
            writer.WriteNumber("inQueuesAtSeconds", Math.Round(at.TotalSeconds, 2));
            writer.WriteNumber("eventsPerSecondIntoQueues", Math.Round(ledger.Distinct / Math.Max(at.TotalSeconds, 0.001), 1));
        }
        writer.WriteNumber("handledAtSeconds", Math.Round(timing.WholePipeline.TotalSeconds, 2));
        writer.WriteNumber("eventsPerSecondWholePipeline", Math.Round(ledger.Distinct / Math.Max(timing.WholePipeline.TotalSeconds, 0.001), 1));
        writer.WriteStartObject("storageRequests");
        foreach (var (kind, count) in requests.OrderBy(r => r.Key, StringComparer.Ordinal)) writer.WriteNumber(kind, count);
        writer.WriteEndObject();
        writer.WriteNumber("storageRequestsPerEvent", Math.Round((double)requests.Values.Sum() / Math.Max(1, ledger.Distinct), 2));
        writer.WriteEndObject();
        writer.Flush();
        stream.Write("\n"u8);
    }
}
