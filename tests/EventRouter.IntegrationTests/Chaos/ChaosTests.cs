using System.Diagnostics;
using EventRouter.Cli.Sandbox;
using EventRouter.IntegrationTests.EndToEnd;
using EventRouter.Kafka;
using Xunit.Abstractions;

namespace EventRouter.IntegrationTests.Chaos;

/// <summary>
/// N events through the real <c>eventrouter run --ingest-only</c> while, on a schedule keyed to
/// committed progress, the broker goes down and up twice, Azurite is killed and restarted, and the router
/// is SIGKILLed and restarted three times. Then: every produced record is in exactly its queue
/// (duplicates allowed, counted, and each a copy of its original), nothing is lost, and the
/// committed offsets equal the end offsets. N is <c>EVENTROUTER_CHAOS_EVENTS</c> (default 3,000;
/// <c>scripts/chaos.sh</c> runs 100,000).
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output) : IDisposable
{
    // CI runs 3,000 (about 2 minutes on the 2-core machine); EVENTROUTER_CHAOS_EVENTS
    // (scripts/chaos.sh) runs the big ones, 100,000 in about 20 minutes.
    private const int DefaultEvents = 3_000;
    // Recovered = this many more messages routed after the fault began, whatever N is.
    private const int RecoveredAfterMessages = 50;
    private readonly MockKafkaProcess _kafka = new();

    [Fact]
    public async Task Run_BrokerStorageAndRouterFaultsOnASchedule_NothingLostAndAllCommitted()
    {
        var events = int.TryParse(Environment.GetEnvironmentVariable("EVENTROUTER_CHAOS_EVENTS"), out var n) && n > 0 ? n : DefaultEvents;
        var total = Stopwatch.StartNew();
        await using var storage = await AzuriteProcess.StartAsync();
        var (notificationsPartitions, pricesPartitions) = EndToEndScope.PartitionsFor(events);
        await using var scope = EndToEndScope.Create(_kafka, storage.ConnectionString, notificationsPartitions, pricesPartitions);
        scope.Produce(events, malformedShare: 0.01, seed: 77);
        var fullest = scope.Produced.GroupBy(r => (r.Topic, r.Partition)).Max(g => g.Sum(r => (long)(r.Value?.Length ?? 0)));
        Log($"produced {events:N0} records onto {notificationsPartitions} + {pricesPartitions} partitions in {total.Elapsed.TotalSeconds:F1} s " +
            $"(fullest partition {fullest / 1024.0 / 1024.0:F1} MB of values; the mock keeps about 5 MB)");
        await using var worker = new WorkerProcess(scope.WorkerEnvironment());
        var recoveries = new List<(string Fault, double Seconds)>();

        // Queues are drained as the router fills them: Azurite slows down with every message it holds.
        await using var drain = scope.StartDrain();
        worker.Start();
        var timeout = TimeSpan.FromMinutes(Math.Max(3, events / 5_000));
        var schedule = new (double At, string Fault)[]
        {
            (0.10, "SIGKILL 1"), (0.22, "broker down 3 s"), (0.34, "SIGKILL 2"), (0.46, "Azurite stopped 4 s"),
            (0.58, "SIGKILL 3"), (0.70, "broker down 3 s"),
        };
        foreach (var (at, fault) in schedule)
        {
            // Keyed to committed records, not to messages in the queues: duplicates count as
            // messages, so after a restart the re-delivered copies alone would reach the next
            // threshold and the faults would strike before the router had committed anything new.
            await scope.WaitForCommittedAsync((long)(events * at), timeout, worker);
            var faultStarted = Stopwatch.StartNew();
            switch (fault)
            {
                case var f when f.StartsWith("SIGKILL", StringComparison.Ordinal):
                    worker.Kill();
                    worker.Start();
                    break;
                case var f when f.StartsWith("broker", StringComparison.Ordinal):
                    _kafka.SetBrokerDown(1);
                    await Task.Delay(TimeSpan.FromSeconds(3));
                    _kafka.SetBrokerUp(1);
                    break;
                default:
                    storage.Stop(TimeSpan.FromSeconds(10)); // orderly: Azurite loses acknowledged writes on SIGKILL, Azure Storage does not
                    await Task.Delay(TimeSpan.FromSeconds(4));
                    await storage.StartAsync();
                    break;
            }
            // Recovered: routed messages visibly grow again after the fault is cleared.
            var cleared = faultStarted.Elapsed;
            var level = await scope.CountMessagesAsync(drain);
            var recovered = Stopwatch.StartNew();
            await scope.WaitForProgressAsync(level + RecoveredAfterMessages, timeout, worker, drain);
            recoveries.Add((fault, cleared.TotalSeconds + recovered.Elapsed.TotalSeconds));
            Log($"{fault}: at {at:P0}, recovered {recoveries[^1].Seconds:F1} s after the fault began");
        }

        await scope.WaitUntilAllCommittedAsync(timeout, worker);
        Assert.Equal(0, await worker.StopAsync(TimeSpan.FromSeconds(40)));
        Assert.True(scope.AllCommitted(out var offsets), offsets);

        var produced = scope.Produced;
        var drained = total.Elapsed;
        var reconciliation = await scope.ReconcileAsync(drain); // asserts: none lost, each in its queue, original bytes
        Log($"all committed after {drained.TotalSeconds:F0} s; read the rest back and reconciled {reconciliation.MessageCount:N0} messages in {(total.Elapsed - drained).TotalSeconds:F0} s");
        foreach (var record in produced)
        {
            var copies = reconciliation.Find(record.Topic, record.Partition, record.Offset);
            if (copies.Count < 2) continue;
            var first = Fingerprint(copies[0].Message);
            Assert.All(copies, c => Assert.Equal(first, Fingerprint(c.Message)));
        }
        var poison = produced.Count(p => p.Kind == ProducedKind.Malformed);
        Log($"RESULT events {produced.Count:N0}, delivered records {reconciliation.RecordCount:N0}, messages {reconciliation.MessageCount:N0}, " +
            $"duplicates {reconciliation.Duplicates:N0}, poison {poison:N0}, lost {produced.Count - reconciliation.RecordCount}, " +
            $"offsets committed = end: true, total {total.Elapsed.TotalSeconds:F0} s");
        Log("RECOVERY " + string.Join("; ", recoveries.Select(r => $"{r.Fault} {r.Seconds:F1} s")));
        if (Environment.GetEnvironmentVariable("EVENTROUTER_CHAOS_WORKER_LOG") is { Length: > 0 } logPath)
        {
            // Every incarnation's log, for explaining where duplicates came from (scripts/chaos.sh sets it).
            await File.WriteAllTextAsync(logPath, worker.OutputText);
            Log($"worker log: {logPath}");
        }
    }

    /// <summary>What makes two copies the same: the event id for a routed event, the value for poison.</summary>
    private static string Fingerprint(System.Text.Json.JsonElement message) =>
        message.TryGetProperty("event", out var e) ? "id:" + e.GetProperty("id").GetString()
        : message.TryGetProperty("eventId", out var id) ? "id:" + id.GetString()
        : "value:" + message.GetProperty("value").GetRawText();

    private void Log(string line)
    {
        output.WriteLine(line);
        Console.WriteLine("[chaos] " + line);
    }

    public void Dispose() => _kafka.Dispose();
}
