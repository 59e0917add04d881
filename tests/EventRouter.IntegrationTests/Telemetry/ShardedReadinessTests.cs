using EventRouter.Cli.Hosting.Health;
using EventRouter.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EventRouter.IntegrationTests.Telemetry;

/// <summary>
/// Readiness over every account a sharded route uses: two Azurite processes as EventStorage and
/// EventStorage2; the worker's health probe is ready while both answer and, once the second is
/// stopped, not ready naming EventStorage2 (its name only, never its connection string).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ShardedReadinessTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Ready_ShardAccountStopped_NotReadyNamingThatConnectionOnly_ReadyAgainAfterItsRestart()
    {
        await using var sharded = await TwoAccountShards.StartAsync(azurite);
        var (scope, second) = (sharded.Storage, sharded.Second);
        var options = Options.Create(new HealthOptions
        {
            ProbeInterval = TimeSpan.FromMilliseconds(200),
            StorageFailureThreshold = TimeSpan.FromSeconds(1),
        });
        using var lifetime = new TestLifetime();
        var health = ActivatorUtilities.CreateInstance<WorkerHealth>(scope.Services, options, (IHostApplicationLifetime)lifetime);
        await health.StartAsync(CancellationToken.None);
        try
        {
            await WaitForAsync(health, r => r.Healthy, "ready with both accounts up");

            second.Stop(TimeSpan.FromSeconds(10));
            var report = await WaitForAsync(health, r => !r.Healthy, "not ready with EventStorage2 stopped");
            var reason = Assert.Single(report.Reasons);
            Assert.StartsWith("storage EventStorage2 has not answered for ", reason, StringComparison.Ordinal);
            Assert.DoesNotContain(second.QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture), reason, StringComparison.Ordinal);
            Assert.DoesNotContain("AccountKey", reason, StringComparison.Ordinal);

            await second.StartAsync();
            await WaitForAsync(health, r => r.Healthy, "ready again once EventStorage2 answers");
        }
        finally
        {
            await health.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Asks <see cref="WorkerHealth.Ready"/> until <paramref name="until"/> holds (bounded: 60 s).</summary>
    private static async Task<HealthReport> WaitForAsync(WorkerHealth health, Func<HealthReport, bool> until, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var report = health.Ready();
            if (until(report)) return report;
            Assert.True(DateTime.UtcNow < deadline, $"not {what} within 60 s: {string.Join("; ", report.Reasons)}");
            await Task.Delay(100);
        }
    }

    private sealed class TestLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => _stopping.Token;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() => _stopping.Cancel();
        public void Dispose() => _stopping.Dispose();
    }
}
