using EventRouter.IntegrationTests.Infrastructure;
using EventRouter.Kafka;
using EventRouter.Kafka.TestBroker;
using Xunit.Abstractions;

namespace EventRouter.IntegrationTests.EndToEnd;

/// <summary>
/// The real <c>eventrouter run</c> process over SASL_SSL, the only mode the provider's cluster
/// speaks: through the TLS + SASL front over librdkafka's mock cluster (our code on the server side,
/// see docs/guarantees.md), with a private CA in <c>Kafka:SslCaPem</c> and host names verified.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SaslSslEndToEndTests : IDisposable
{
    private const string User = "eventrouter";
    private const string Password = "e2e-Pa55-9b1f";

    private readonly AzuriteFixture _azurite;
    private readonly ITestOutputHelper _output;
    private readonly MockKafkaProcess _kafka = new();
    private readonly SaslSslFront _front;

    public SaslSslEndToEndTests(AzuriteFixture azurite, ITestOutputHelper output)
    {
        _azurite = azurite;
        _output = output;
        _front = StartFront(_kafka, User, Password);
    }

    /// <summary>A front for a mock in a child process, which is told to advertise the front's ports.</summary>
    internal static SaslSslFront StartFront(MockKafkaProcess kafka, string user, string password)
    {
        var front = SaslSslFront.Start(kafka.BootstrapServers, new SaslSslFrontOptions { Users = new Dictionary<string, string> { [user] = password } });
        foreach (var (brokerId, port) in front.Brokers) kafka.AdvertiseBroker(brokerId, front.Host, port);
        return front;
    }

    [Theory]
    [InlineData(KafkaSaslMechanism.Plain)]
    [InlineData(KafkaSaslMechanism.ScramSha256)]
    [InlineData(KafkaSaslMechanism.ScramSha512)]
    public async Task Run_MixedBatchOverSaslSsl_EveryRecordWhereItBelongsAndAllOffsetsCommitted(KafkaSaslMechanism mechanism)
    {
        await using var scope = EndToEndScope.Create(_kafka, _azurite.ConnectionString, saslSsl: new SaslSslAccess(_front, mechanism, User, Password));
        scope.Produce(1_500, malformedShare: 0.03, seed: 19);
        scope.ProduceUnroutedAndOversized(unrouted: 12, oversized: 4);
        await using var worker = new WorkerProcess(scope.WorkerEnvironment());

        worker.Start();
        await scope.WaitUntilAllCommittedAsync(TimeSpan.FromMinutes(3), worker);
        var exitCode = await worker.StopAsync(TimeSpan.FromSeconds(40));

        Assert.Equal(0, exitCode);
        var reconciliation = await scope.ReconcileAsync();
        var kinds = scope.Produced.GroupBy(p => p.Kind).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(kinds[ProducedKind.Malformed] > 10, "poison records among them");
        Assert.Equal(12, kinds[ProducedKind.Unrouted]);
        Assert.Equal(4, kinds[ProducedKind.Oversized]);
        Assert.True(_front.AuthenticatedConnections > 0);
        _output.WriteLine($"{mechanism}: records {reconciliation.RecordCount}, messages {reconciliation.MessageCount}, " +
            $"kinds {string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value}"))}, authenticated connections {_front.AuthenticatedConnections}");
    }

    [Fact]
    public async Task Run_TlsFrontGoesAwayAndComesBackMidRun_NothingLostAndAllCommitted()
    {
        await using var scope = EndToEndScope.Create(_kafka, _azurite.ConnectionString, saslSsl: new SaslSslAccess(_front, KafkaSaslMechanism.ScramSha512, User, Password));
        scope.Produce(5_000, malformedShare: 0.02, seed: 23);
        await using var worker = new WorkerProcess(scope.WorkerEnvironment());

        worker.Start();
        await scope.WaitForProgressAsync(500, TimeSpan.FromMinutes(1), worker);
        var before = _front.AuthenticatedConnections;
        _front.SetDown();
        await Task.Delay(TimeSpan.FromSeconds(4));
        var routedWhileDown = await scope.CountMessagesAsync();
        _front.SetUp();
        Assert.True(routedWhileDown < scope.Produced.Count, "the front went away before the end of the backlog");
        await scope.WaitUntilAllCommittedAsync(TimeSpan.FromMinutes(3), worker);
        Assert.Equal(0, await worker.StopAsync(TimeSpan.FromSeconds(40)));

        Assert.True(_front.AuthenticatedConnections > before, "the worker reconnected and authenticated again");
        var reconciliation = await scope.ReconcileAsync();
        _output.WriteLine($"records {reconciliation.RecordCount}, duplicates {reconciliation.Duplicates}");
    }

    public void Dispose()
    {
        _front.Dispose();
        _kafka.Dispose();
    }
}
