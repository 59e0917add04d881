using System.Diagnostics;
using EventRouter.Cli.Sandbox;
using EventRouter.IntegrationTests.EndToEnd;
using EventRouter.Kafka;
using EventRouter.Kafka.TestBroker;
using Xunit.Abstractions;

namespace EventRouter.IntegrationTests.Chaos;

/// <summary>
/// The chaos run over SASL_SSL (SCRAM-SHA-512 through the TLS + SASL front): on a schedule keyed to
/// committed progress the front goes away and comes back twice, the broker behind it goes down and
/// up, and the router is SIGKILLed and restarted. Then every produced record is in exactly its queue
/// and the committed offsets equal the end offsets. N is <c>EVENTROUTER_CHAOS_EVENTS</c> (default 3,000).
/// </summary>
public sealed class SaslSslChaosTests(ITestOutputHelper output) : IDisposable
{
    private const int DefaultEvents = 3_000;
    private const int RecoveredAfterMessages = 50;
    private const string User = "eventrouter";
    private const string Password = "chaos-Pa55-5e2a";
    private readonly MockKafkaProcess _kafka = new();

    [Fact]
    public async Task Run_FrontBrokerAndRouterFaultsOverSaslSsl_NothingLostAndAllCommitted()
    {
        var events = int.TryParse(Environment.GetEnvironmentVariable("EVENTROUTER_CHAOS_EVENTS"), out var n) && n > 0 ? n : DefaultEvents;
        var total = Stopwatch.StartNew();
        using var front = SaslSslEndToEndTests.StartFront(_kafka, User, Password);
        await using var storage = await AzuriteProcess.StartAsync();
        var (notificationsPartitions, pricesPartitions) = EndToEndScope.PartitionsFor(events);
        await using var scope = EndToEndScope.Create(_kafka, storage.ConnectionString, notificationsPartitions, pricesPartitions,
            new SaslSslAccess(front, KafkaSaslMechanism.ScramSha512, User, Password));
        scope.Produce(events, malformedShare: 0.01, seed: 78);
        await using var worker = new WorkerProcess(scope.WorkerEnvironment());
        await using var drain = scope.StartDrain();
        worker.Start();
        var timeout = TimeSpan.FromMinutes(Math.Max(3, events / 5_000));
        var schedule = new (double At, string Fault)[] { (0.15, "front down 3 s"), (0.35, "SIGKILL"), (0.55, "broker down 3 s"), (0.75, "front down 3 s") };
        foreach (var (at, fault) in schedule)
        {
            await scope.WaitForCommittedAsync((long)(events * at), timeout, worker);
            var started = Stopwatch.StartNew();
            switch (fault)
            {
                case "SIGKILL":
                    worker.Kill();
                    worker.Start();
                    break;
                case var f when f.StartsWith("broker", StringComparison.Ordinal):
                    _kafka.SetBrokerDown(1);
                    await Task.Delay(TimeSpan.FromSeconds(3));
                    _kafka.SetBrokerUp(1);
                    break;
                default:
                    front.SetDown();
                    await Task.Delay(TimeSpan.FromSeconds(3));
                    front.SetUp();
                    break;
            }
            var level = await scope.CountMessagesAsync(drain);
            await scope.WaitForProgressAsync(level + RecoveredAfterMessages, timeout, worker, drain);
            Log($"{fault}: at {at:P0}, recovered {started.Elapsed.TotalSeconds:F1} s after the fault began");
        }

        await scope.WaitUntilAllCommittedAsync(timeout, worker);
        Assert.Equal(0, await worker.StopAsync(TimeSpan.FromSeconds(40)));
        Assert.True(scope.AllCommitted(out var offsets), offsets);
        var reconciliation = await scope.ReconcileAsync(drain); // none lost, each in its queue, original bytes
        Log($"RESULT events {scope.Produced.Count:N0}, delivered records {reconciliation.RecordCount:N0}, messages {reconciliation.MessageCount:N0}, " +
            $"duplicates {reconciliation.Duplicates:N0}, authenticated connections {front.AuthenticatedConnections}, rejected {front.RejectedConnections}, total {total.Elapsed.TotalSeconds:F0} s");
        Assert.Equal(0, front.RejectedConnections);
    }

    private void Log(string line)
    {
        output.WriteLine(line);
        Console.WriteLine("[chaos sasl] " + line);
    }

    public void Dispose() => _kafka.Dispose();
}
