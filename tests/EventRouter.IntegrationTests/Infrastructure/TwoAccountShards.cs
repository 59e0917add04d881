using Azure.Storage.Queues;
using EventRouter.Cli.Sandbox;
using EventRouter.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EventRouter.IntegrationTests.Infrastructure;

/// <summary>
/// A <see cref="StorageScope"/> whose prices route is spread over <see cref="ShardCount"/> shards in
/// two storage accounts: the shared Azurite as <c>EventStorage</c> (shards 0 and 2) and an Azurite
/// process of this scope's own as <c>EventStorage2</c> (shards 1 and 3), so a test can stop one
/// account without touching the others' tests.
/// </summary>
internal sealed class TwoAccountShards : IAsyncDisposable
{
    public const int ShardCount = 4;

    private TwoAccountShards(StorageScope storage, AzuriteProcess second)
    {
        Storage = storage;
        Second = second;
        Accounts = [storage.Queues, new QueueServiceClient(second.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 })];
    }

    public StorageScope Storage { get; }

    /// <summary>The second account's Azurite, the test's own to stop and start.</summary>
    public AzuriteProcess Second { get; }

    /// <summary>The two accounts, in <c>Routing:ShardConnections</c> order: shard i lives in <c>Accounts[i % 2]</c>.</summary>
    public IReadOnlyList<QueueServiceClient> Accounts { get; }

    /// <param name="settings">More settings (processing, retries); they may override the shard settings.</param>
    public static async Task<TwoAccountShards> StartAsync(AzuriteFixture azurite, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        var second = await AzuriteProcess.StartAsync();
        try
        {
            var storage = new StorageScope(azurite.ConnectionString, prefix =>
            {
                var values = new Dictionary<string, string?>
                {
                    ["EventStorage2"] = second.ConnectionString,
                    ["Routing:Shards:0:Queue"] = prefix + "-prices",
                    ["Routing:Shards:0:Count"] = ShardCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["Routing:ShardConnections:0"] = "EventStorage",
                    ["Routing:ShardConnections:1"] = "EventStorage2",
                };
                foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
                return values;
            }, configureServices);
            return new TwoAccountShards(storage, second);
        }
        catch
        {
            await second.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Storage.DisposeAsync();
        await Second.DisposeAsync();
    }
}
