using EventRouter.Cli.Sandbox;
using EventRouter.IntegrationTests.Infrastructure;
using EventRouter.IntegrationTests.Kafka;
using EventRouter.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace EventRouter.IntegrationTests.Processing;

/// <summary>
/// The self-hosted queue stage while its storage account is away: about 27 pollers fail every poll,
/// and the operator reads one Warning that names the endpoint and the setting, not one per queue
/// and poll; when the account answers again, one Information line says so.
/// </summary>
public sealed class QueuePumpOutageTests(ITestOutputHelper output)
{
    private const int StorageUnreachable = 3204;
    private const int StorageReachable = 3206;
    private const int ReceiveFailed = 3201;

    [Fact]
    public async Task QueuePump_StorageDownThenBack_OneWarningNamingTheEndpointThenOneRecoveryLine()
    {
        await using var storage = await AzuriteProcess.StartAsync();
        var connectionString = storage.ConnectionString;
        storage.Kill(); // the same ports and data folder, nothing listening
        var logs = new CapturingLoggerProvider(output);
        await using var scope = new StorageScope(connectionString, new Dictionary<string, string?> { ["Processing:MaxPollingInterval"] = "00:00:00.200" },
            s => s.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Debug)));
        var pump = ActivatorUtilities.CreateInstance<QueuePumpService>(scope.Services);

        await pump.StartAsync(CancellationToken.None);
        try
        {
            // Every queue's poller fails several times (polls 200 ms apart at most).
            await KafkaTestKit.WaitUntilAsync(() => logs.Entries.Count(e => e.EventId.Id == ReceiveFailed) >= 100,
                "the pollers failed 100 times", TimeSpan.FromSeconds(60));
            var warnings = logs.Entries.Where(e => e.Level >= LogLevel.Warning).ToList();
            var warning = Assert.Single(warnings);
            Assert.Equal(StorageUnreachable, warning.EventId.Id);
            Assert.Contains($"127.0.0.1:{storage.QueuePort}/devstoreaccount1", warning.Message);
            Assert.Contains("check EventStorage", warning.Message);
            Assert.All(logs.Entries.Where(e => e.EventId.Id == ReceiveFailed), e => Assert.Equal(LogLevel.Debug, e.Level));

            await storage.StartAsync();
            await KafkaTestKit.WaitUntilAsync(() => logs.Entries.Any(e => e.EventId.Id == StorageReachable),
                "the pump said storage is back", TimeSpan.FromSeconds(60));
            var recovered = Assert.Single(logs.Entries, e => e.EventId.Id == StorageReachable);
            Assert.Equal(LogLevel.Information, recovered.Level);
            Assert.Single(logs.Entries, e => e.Level >= LogLevel.Warning);
        }
        finally
        {
            await pump.StopAsync(CancellationToken.None);
        }
    }
}
