using EventRouter.Cli.Sandbox;
using EventRouter.IntegrationTests.Infrastructure;
using EventRouter.Kafka;
using Xunit.Abstractions;

namespace EventRouter.IntegrationTests.EndToEnd;

/// <summary>
/// The real <c>eventrouter run</c> process against librdkafka's mock cluster and Azurite: every
/// produced record must be found in exactly its queue, and the group's committed offsets must equal
/// the end offsets, including across broker outages, storage outages and SIGKILL.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class WorkerEndToEndTests(AzuriteFixture azurite, ITestOutputHelper output) : IDisposable
{
    private readonly MockKafkaProcess _kafka = new();

    [Fact]
    public async Task Run_20000MixedEventsWithTwoPercentMalformed_EveryRecordInItsQueueAndAllOffsetsCommitted()
    {
        await using var scope = EndToEndScope.Create(_kafka, azurite.ConnectionString);
        scope.Produce(20_000, malformedShare: 0.02, seed: 11);
        await using var worker = new WorkerProcess(scope.WorkerEnvironment());

        worker.Start();
        await scope.WaitUntilAllCommittedAsync(TimeSpan.FromMinutes(3), worker);
        var exitCode = await worker.StopAsync(TimeSpan.FromSeconds(40));

        Assert.Equal(0, exitCode);
        var reconciliation = await scope.ReconcileAsync();
        Assert.InRange(scope.Produced.Count(p => p.Kind == ProducedKind.Malformed), 300, 500);
        output.WriteLine($"records {reconciliation.RecordCount}, messages {reconciliation.MessageCount}, duplicates {reconciliation.Duplicates}");
    }

    [Fact]
    public async Task Run_ProcessKilledWithSigkillMidRunAndRestarted_NoRecordLost()
    {
        await using var scope = EndToEndScope.Create(_kafka, azurite.ConnectionString);
        scope.Produce(6_000, malformedShare: 0.02, seed: 12);
        await using var worker = new WorkerProcess(scope.WorkerEnvironment());

        worker.Start();
        await scope.WaitForProgressAsync(1_000, TimeSpan.FromMinutes(1), worker);
        worker.Kill();
        Assert.False(scope.AllCommitted(out _), "the kill should have come before the end of the backlog");
        worker.Start();
        await scope.WaitUntilAllCommittedAsync(TimeSpan.FromMinutes(3), worker);
        await worker.StopAsync(TimeSpan.FromSeconds(40));

        var reconciliation = await scope.ReconcileAsync();
        output.WriteLine($"duplicates after SIGKILL: {reconciliation.Duplicates}");
    }

    [Fact]
    public async Task Run_BrokerDownAndUpMidRun_NoRecordLost()
    {
        await using var scope = EndToEndScope.Create(_kafka, azurite.ConnectionString);
        scope.Produce(5_000, malformedShare: 0.02, seed: 13);
        await using var worker = new WorkerProcess(scope.WorkerEnvironment());

        worker.Start();
        await scope.WaitForProgressAsync(500, TimeSpan.FromMinutes(1), worker);
        _kafka.SetBrokerDown(1);
        await Task.Delay(TimeSpan.FromSeconds(3));
        _kafka.SetBrokerUp(1);
        await scope.WaitUntilAllCommittedAsync(TimeSpan.FromMinutes(3), worker);
        await worker.StopAsync(TimeSpan.FromSeconds(40));

        await scope.ReconcileAsync();
    }

    [Fact]
    public async Task Run_AzuriteKilledAndRestartedMidRun_NoRecordLostAndWorkerKeepsRunning()
    {
        await using var storage = await AzuriteProcess.StartAsync();
        await using var scope = EndToEndScope.Create(_kafka, storage.ConnectionString);
        scope.Produce(5_000, malformedShare: 0.02, seed: 14);
        await using var worker = new WorkerProcess(scope.WorkerEnvironment());

        worker.Start();
        await scope.WaitForProgressAsync(500, TimeSpan.FromMinutes(1), worker);
        storage.Stop(TimeSpan.FromSeconds(10)); // orderly: Azurite loses acknowledged writes on SIGKILL, Azure Storage does not
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.False(scope.AllCommitted(out _), "storage went down before the end of the backlog");
        await storage.StartAsync();
        await scope.WaitUntilAllCommittedAsync(TimeSpan.FromMinutes(3), worker);
        Assert.Equal(0, await worker.StopAsync(TimeSpan.FromSeconds(40)));

        await scope.ReconcileAsync();
    }

    public void Dispose() => _kafka.Dispose();
}
