using EventRouter.Cli.Hosting.Health;

namespace EventRouter.Cli.Tests.Hosting.Health;

/// <summary>The decisions behind /readyz and /healthz (pure functions), and the start-up checks of the Health settings.</summary>
public sealed class ReadinessTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(60);

    private static ReadinessInputs Inputs(IReadOnlyList<ConsumerReadiness>? consumers = null, DateTimeOffset? storage = null, DateTimeOffset? pausedSince = null, bool neverReached = false)
        => new(consumers ?? [new("Notifications", true, true, 3), new("Prices", true, true, 6)],
            [new(RoutingConnection, neverReached ? null : storage ?? Now.AddSeconds(-5))], pausedSince, Now, Threshold);

    private const string RoutingConnection = "EventStorage";

    [Fact]
    public void Decide_AssignedRunningStorageFresh_Ready()
        => Assert.Equal(HealthReport.Ok, Readiness.Decide(Inputs()));

    [Fact]
    public void Decide_AssignmentWithNoPartitions_ReadyBecauseThereIsNothingToOwn()
        => Assert.True(Readiness.Decide(Inputs([new("Notifications", true, true, 0)])).Healthy);

    [Fact]
    public void Decide_NoConsumers_ProcessOnlyWorker_ReadyOnStorageAlone()
        => Assert.True(Readiness.Decide(Inputs([])).Healthy);

    [Fact]
    public void Decide_ConsumerStillJoining_NotReadyNamingTheTopic()
    {
        var report = Readiness.Decide(Inputs([new("Prices", true, false, 0)]));

        Assert.False(report.Healthy);
        Assert.Contains(report.Reasons, r => r.Contains("Prices", StringComparison.Ordinal) && r.Contains("assignment", StringComparison.Ordinal));
    }

    [Fact]
    public void Decide_ConsumerNotRunning_NotReady()
        => Assert.False(Readiness.Decide(Inputs([new("Notifications", false, true, 3)])).Healthy);

    [Fact]
    public void Decide_StorageNeverAnswered_NotReady()
        => Assert.Contains("storage EventStorage has not answered yet", Readiness.Decide(Inputs(neverReached: true)).Reasons);

    [Fact]
    public void Decide_OneOfTwoAccountsSilent_NotReadyNamingThatConnectionOnly()
    {
        var report = Readiness.Decide(Inputs() with
        {
            Storage = [new("EventStorage", Now.AddSeconds(-5)), new("EventStorage2", Now.AddSeconds(-90))],
        });

        Assert.False(report.Healthy);
        Assert.Equal(["storage EventStorage2 has not answered for 90 s (more than 60 s)"], report.Reasons);
    }

    [Fact]
    public void Decide_ShardAccountNeverAnswered_NotReadyNamingIt()
        => Assert.Equal(["storage EventStorage2 has not answered yet"],
            Readiness.Decide(Inputs() with { Storage = [new("EventStorage", Now), new("EventStorage2", null)] }).Reasons);

    [Theory]
    [InlineData(60, true)]   // exactly the threshold: still ready
    [InlineData(61, false)]
    public void Decide_StorageSilentAroundTheThreshold_ReadyUntilPastIt(int secondsAgo, bool ready)
        => Assert.Equal(ready, Readiness.Decide(Inputs(storage: Now.AddSeconds(-secondsAgo))).Healthy);

    [Theory]
    [InlineData(30, true)]   // a brief storage failure: retried, not a reason to take the worker out
    [InlineData(90, false)]
    public void Decide_PausedOnStorageFailure_NotReadyOnlyPastTheThreshold(int pausedFor, bool ready)
    {
        var report = Readiness.Decide(Inputs(pausedSince: Now.AddSeconds(-pausedFor)));

        Assert.Equal(ready, report.Healthy);
        if (!ready) Assert.Contains(report.Reasons, r => r.StartsWith("partitions paused on a storage failure for 90 s", StringComparison.Ordinal));
    }

    [Fact]
    public void Decide_SeveralProblems_ListsEach()
        => Assert.Equal(2, Readiness.Decide(Inputs([new("Notifications", false, false, 0)], storage: Now.AddMinutes(-5))).Reasons.Count);

    [Fact]
    public void Live_ALoopEnded_NotLiveNamingIt()
    {
        var report = Readiness.Live([("Kafka Notifications consumer", false), ("QueuePumpService", true)]);

        Assert.False(report.Healthy);
        Assert.Equal(["the QueuePumpService loop has ended"], report.Reasons);
    }

    [Fact]
    public void Live_AllLoopsRunning_Live()
        => Assert.True(Readiness.Live([("Kafka Notifications consumer", false)]).Healthy);

    [Theory]
    [InlineData(-1, "127.0.0.1", "Health:Port")]
    [InlineData(70000, "127.0.0.1", "Health:Port")]
    [InlineData(8080, "localhost:8080", "Health:Address")]
    public void Validate_BadHealthSettings_NameTheSetting(int port, string address, string setting)
    {
        var result = new HealthOptionsValidator().Validate(null, new HealthOptions { Port = port, Address = address });

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ThresholdShorterThanProbeInterval_Fails()
        => Assert.True(new HealthOptionsValidator().Validate(null, new HealthOptions { ProbeInterval = TimeSpan.FromSeconds(10), StorageFailureThreshold = TimeSpan.FromSeconds(5) }).Failed);

    [Fact]
    public void Defaults_OffAndLoopback()
    {
        var options = new HealthOptions();

        Assert.False(options.Enabled);
        Assert.Equal("127.0.0.1", options.Address);
        Assert.True(new HealthOptionsValidator().Validate(null, options).Succeeded);
    }
}
