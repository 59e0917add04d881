using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using EventRouter.Charts;
using EventRouter.Cli.Sandbox;
using EventRouter.IntegrationTests.EndToEnd;
using Xunit.Abstractions;

namespace EventRouter.IntegrationTests.Chaos;

/// <summary>
/// Three real <c>eventrouter run --ingest-only</c> processes in one consumer group on two 6-partition
/// topics while events arrive at a steady rate: two start together, the third joins late, one is
/// SIGKILLed (no LeaveGroup, no commit: its partitions wait for its session to time out) and one is
/// stopped with SIGTERM (it leaves the group on the way out). After each change the partitions are
/// spread over exactly the live instances; at the end every produced record is in its queue, the
/// committed offsets equal the end offsets, and the pause in routing that each change caused is
/// measured (docs/guarantees.md). N is <c>EVENTROUTER_GROUP_CHAOS_EVENTS</c> (default 3,000 at 40/s;
/// <c>scripts/chaos.sh --group</c> runs 30,000 at 100/s); <c>EVENTROUTER_GROUP_CHAOS_TIMELINE</c>
/// names a CSV file for the per-second timeline.
/// </summary>
public sealed partial class GroupChaosTests(ITestOutputHelper output) : IDisposable
{
    private const int Partitions = 6;
    private const int SessionTimeoutMs = 6_000;
    private static readonly TimeSpan SpreadTimeout = TimeSpan.FromSeconds(90);
    private readonly MockKafkaProcess _kafka = new();

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : fallback;

    [Fact]
    public async Task ThreeInstances_LateStartSigkillAndSigterm_PartitionsFollowTheLiveOnesNothingLostAllCommitted()
    {
        var events = Setting("EVENTROUTER_GROUP_CHAOS_EVENTS", 3_000);
        var rate = Setting("EVENTROUTER_GROUP_CHAOS_RATE", 40);
        var clock = Stopwatch.StartNew();
        await using var storage = await AzuriteProcess.StartAsync();
        await using var scope = EndToEndScope.Create(_kafka, storage.ConnectionString, Partitions, Partitions);
        var environment = scope.WorkerEnvironment();
        environment["Kafka__Consumer__session.timeout.ms"] = SessionTimeoutMs.ToString(CultureInfo.InvariantCulture);
        await using var drain = scope.StartDrain();
        await using var first = new WorkerProcess(environment);
        await using var second = new WorkerProcess(environment);
        await using var late = new WorkerProcess(environment);
        var names = new Dictionary<WorkerProcess, string> { [first] = "first", [second] = "second", [late] = "late" };

        // Production at a steady rate for the whole run, so that every change meets a stream, not an idle group.
        var produced = 0;
        var producing = Task.Run(async () =>
        {
            const int chunk = 20;
            var pace = Stopwatch.StartNew();
            for (var i = 0; i * chunk < events; i++)
            {
                var due = TimeSpan.FromSeconds(i * chunk / (double)rate);
                if (due > pace.Elapsed) await Task.Delay(due - pace.Elapsed);
                var count = Math.Min(chunk, events - i * chunk);
                scope.Produce(count, malformedShare: 0.01, seed: 3_000 + i);
                Interlocked.Add(ref produced, count);
            }
        });

        // The timeline, every 250 ms: messages routed so far, and each partition's committed and end offsets
        // (for the pauses, and the chart).
        var timeline = new List<(double Seconds, int Messages)>();
        var progress = new List<(double Seconds, Dictionary<(string Topic, int Partition), (long? Committed, long End)> Partitions)>();
        using var stopSampling = new CancellationTokenSource();
        var sampling = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                var messages = await scope.CountMessagesAsync(drain);
                lock (timeline) timeline.Add((clock.Elapsed.TotalSeconds, messages));
                var partitions = scope.PartitionProgress();
                lock (progress) progress.Add((clock.Elapsed.TotalSeconds, partitions));
                try { await Task.Delay(250, stopSampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var changes = new List<(double Seconds, string Change)>();
        void Change(string what)
        {
            changes.Add((clock.Elapsed.TotalSeconds, what));
            Log($"{clock.Elapsed.TotalSeconds:F1} s: {what} (produced {Volatile.Read(ref produced):N0})");
        }
        async Task WhenProduced(double share)
        {
            while (Volatile.Read(ref produced) < events * share && !producing.IsCompleted) await Task.Delay(100);
        }

        first.Start();
        second.Start();
        Change("first and second started");
        await WaitForSpreadAsync([first, second], names, scope);

        await WhenProduced(0.15);
        late.Start();
        Change("late started");
        await WaitForSpreadAsync([first, second, late], names, scope);

        await WhenProduced(0.40);
        first.Kill();
        Change("first SIGKILLed");
        await WaitForSpreadAsync([second, late], names, scope);

        await WhenProduced(0.70);
        Change("second stopped with SIGTERM");
        Assert.Equal(0, await second.StopAsync(TimeSpan.FromSeconds(40)));
        await WaitForSpreadAsync([late], names, scope);

        await producing;
        var timeout = TimeSpan.FromMinutes(Math.Max(3, events / 5_000));
        await scope.WaitUntilAllCommittedAsync(timeout, late);
        Change("all committed");
        Assert.Equal(0, await late.StopAsync(TimeSpan.FromSeconds(40)));
        await stopSampling.CancelAsync();
        await sampling;
        Assert.True(scope.AllCommitted(out var offsets), offsets);

        var reconciliation = await scope.ReconcileAsync(drain); // asserts: none lost, each in its queue, original bytes
        var everything = string.Join('\n', new[] { first, second, late }.Select(w => w.OutputText));
        Assert.DoesNotContain("Fatal Kafka error", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("failed and is stopping the host", everything, StringComparison.Ordinal);

        var pauses = Pauses(timeline, changes);
        var waits = PartitionWaits(progress, changes);
        Log($"RESULT events {scope.Produced.Count:N0} at {rate}/s, records {reconciliation.RecordCount:N0}, messages {reconciliation.MessageCount:N0}, " +
            $"duplicates {reconciliation.Duplicates:N0}, lost {scope.Produced.Count - reconciliation.RecordCount}, offsets committed = end: true, " +
            $"session timeout {SessionTimeoutMs} ms, total {clock.Elapsed.TotalSeconds:F0} s");
        Log("PAUSES " + string.Join("; ", pauses.Zip(waits).Select(p =>
            $"{p.First.Change}: all routing stood still {p.First.Pause.TotalSeconds:F1} s at most, one partition with lag waited {p.Second.Wait.TotalSeconds:F1} s at most ({p.Second.Partition})")));
        if (Environment.GetEnvironmentVariable("EVENTROUTER_GROUP_CHAOS_WORKER_LOG") is { Length: > 0 } logPath)
        {
            // Every worker's log, for explaining a pause or where duplicates came from.
            await File.WriteAllTextAsync(logPath, string.Join("\n", names.Select(n => $"===== {n.Value}\n{n.Key.OutputText}")));
            Log($"worker logs: {logPath}");
        }
        if (Environment.GetEnvironmentVariable("EVENTROUTER_GROUP_CHAOS_TIMELINE") is { Length: > 0 } path)
        {
            Timeline(timeline, progress, changes).Write(path);
            Log($"timeline: {path}");
        }
    }

    /// <summary>
    /// Waits until the live workers, and only they, hold every partition of both topics, each of them
    /// some of each topic (by their own assignment logs: the mock cannot describe groups).
    /// </summary>
    private async Task WaitForSpreadAsync(IReadOnlyList<WorkerProcess> live, IReadOnlyDictionary<WorkerProcess, string> names, EndToEndScope scope)
    {
        var watch = Stopwatch.StartNew();
        string detail;
        while (!IsSpread(live, scope, out detail))
        {
            Assert.True(watch.Elapsed < SpreadTimeout,
                $"partitions not spread over {string.Join(", ", live.Select(w => names[w]))} within {SpreadTimeout.TotalSeconds:0} s: {detail}\n" +
                string.Join("\n", live.Select(w => $"--- {names[w]}\n{w.OutputText}")));
            await Task.Delay(250);
        }
        Log($"spread over {string.Join(", ", live.Select(w => names[w]))} after {watch.Elapsed.TotalSeconds:F1} s: {detail}");
    }

    private static bool IsSpread(IReadOnlyList<WorkerProcess> live, EndToEndScope scope, out string detail)
    {
        var ok = true;
        var lines = new List<string>();
        foreach (var topic in new[] { scope.NotificationsTopic, scope.PricesTopic })
        {
            var held = live.Select(w => Held(w, topic)).ToList();
            var all = held.SelectMany(h => h).ToList();
            // Every partition once, and every live worker some: a member that holds none is not sharing the load.
            ok &= all.Count == Partitions && all.Distinct().Count() == Partitions && held.All(h => h.Count > 0);
            lines.Add($"{topic} " + string.Join(" ", held.Select(h => "[" + string.Join(",", h.Order()) + "]")));
        }
        detail = string.Join("; ", lines);
        return ok;
    }

    /// <summary>The partitions of <paramref name="topic"/> a worker holds now, from its Assigned, Revoked and Lost lines in order.</summary>
    private static HashSet<int> Held(WorkerProcess worker, string topic)
    {
        var held = new HashSet<int>();
        foreach (var line in worker.Output)
        {
            var match = AssignmentLine().Match(line);
            if (!match.Success || match.Groups["topic"].Value != topic) continue;
            var partitions = match.Groups["partitions"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture));
            if (match.Groups["what"].Value == "Assigned") held.UnionWith(partitions);
            else held.ExceptWith(partitions);
        }
        return held;
    }

    /// <summary>For each change, the longest time routing stood still between it and the next change.</summary>
    internal static List<(string Change, TimeSpan Pause)> Pauses(IReadOnlyList<(double Seconds, int Messages)> timeline, IReadOnlyList<(double Seconds, string Change)> changes)
    {
        var result = new List<(string, TimeSpan)>();
        for (var c = 0; c < changes.Count - 1; c++)
        {
            var (from, name) = changes[c];
            var to = changes[c + 1].Seconds;
            var window = timeline.Where(s => s.Seconds >= from && s.Seconds <= to).ToList();
            double longest = 0, since = from;
            for (var i = 1; i < window.Count; i++)
            {
                if (window[i].Messages > window[i - 1].Messages) since = window[i].Seconds;
                else longest = Math.Max(longest, window[i].Seconds - since);
            }
            result.Add((name, TimeSpan.FromSeconds(longest)));
        }
        return result;
    }

    /// <summary>
    /// For each change, the longest time any one partition had records to route (committed below its
    /// end) without its committed offset moving, between the change and the next one. Commits come
    /// once a second, so this reads about a second high; a partition the group had no reason to stop
    /// shows about that.
    /// </summary>
    internal static List<(string Change, TimeSpan Wait, string Partition)> PartitionWaits(
        IReadOnlyList<(double Seconds, Dictionary<(string Topic, int Partition), (long? Committed, long End)> Partitions)> samples,
        IReadOnlyList<(double Seconds, string Change)> changes)
    {
        var result = new List<(string, TimeSpan, string)>();
        for (var c = 0; c < changes.Count - 1; c++)
        {
            var (from, name) = changes[c];
            var to = changes[c + 1].Seconds;
            var window = samples.Where(s => s.Seconds >= from && s.Seconds <= to).ToList();
            var (longest, which) = (0.0, "none");
            foreach (var partition in window.SelectMany(s => s.Partitions.Keys).Distinct())
            {
                var since = from;
                long? last = null;
                foreach (var (seconds, partitions) in window)
                {
                    if (!partitions.TryGetValue(partition, out var p)) continue;
                    var lagging = (p.Committed ?? 0) < p.End;
                    if (!lagging || p.Committed != last) since = seconds;
                    else if (seconds - since > longest) (longest, which) = (seconds - since, $"{partition.Topic}/{partition.Partition}");
                    last = p.Committed;
                }
            }
            result.Add((name, TimeSpan.FromSeconds(longest), which));
        }
        return result;
    }

    /// <summary>
    /// Per second: messages routed in that second and so far, the group's consumer lag at its last
    /// sample (end offset minus committed offset, summed over the partitions; all of a partition's
    /// records while it has no commit), and the change that happened in it, if any. In the
    /// benchmarks' CSV format (<see cref="BenchmarkCsv"/>), so <c>EventRouter.Benchmarks chart</c>
    /// draws it with the changes marked (docs/guarantees.md).
    /// </summary>
    private static BenchmarkCsv Timeline(
        IReadOnlyList<(double Seconds, int Messages)> timeline,
        IReadOnlyList<(double Seconds, Dictionary<(string Topic, int Partition), (long? Committed, long End)> Partitions)> progress,
        IReadOnlyList<(double Seconds, string Change)> changes)
    {
        var csv = new BenchmarkCsv("second", "routed_per_second", "routed_total", "consumer_lag", "change");
        var lagBySecond = progress.GroupBy(p => (int)p.Seconds).ToDictionary(
            g => g.Key, g => g.MaxBy(p => p.Seconds).Partitions.Values.Sum(v => v.End - (v.Committed ?? 0)));
        var previous = 0;
        long lag = 0;
        foreach (var second in timeline.GroupBy(s => (int)s.Seconds).OrderBy(g => g.Key))
        {
            var total = second.Max(s => s.Messages);
            lag = lagBySecond.GetValueOrDefault(second.Key, lag);
            var change = string.Join(" + ", changes.Where(c => (int)c.Seconds == second.Key).Select(c => c.Change));
            csv.Add(second.Key, total - previous, total, lag, change);
            previous = total;
        }
        return csv;
    }

    private void Log(string line)
    {
        output.WriteLine(line);
        Console.WriteLine("[group-chaos] " + line);
    }

    [GeneratedRegex(@"(?<what>Assigned|Revoked|Lost) (?<topic>\S+) partitions \[(?<partitions>[\d,]*)\]")]
    private static partial Regex AssignmentLine();

    public void Dispose() => _kafka.Dispose();
}
