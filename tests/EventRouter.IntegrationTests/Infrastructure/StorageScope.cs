using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using EventRouter.Processing;
using Microsoft.Extensions.DependencyInjection;

namespace EventRouter.IntegrationTests.Infrastructure;

/// <summary>
/// A per-test slice of a shared Azurite: every queue name the test's router can write gets a
/// unique prefix, so tests never see each other's messages.
/// </summary>
public sealed class StorageScope : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public StorageScope(string connectionString, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
        : this(connectionString, _ => settings ?? new Dictionary<string, string?>(), configureServices)
    {
    }

    /// <param name="settingsFor">Settings that name the scope's queues (<c>Routing:Shards</c>), given its prefix.</param>
    public StorageScope(string connectionString, Func<string, IDictionary<string, string?>> settingsFor, Action<IServiceCollection>? configureServices = null)
    {
        Prefix = "t" + Guid.NewGuid().ToString("N")[..8];
        var settings = settingsFor(Prefix);
        var values = new Dictionary<string, string?>
        {
            ["EventStorage"] = connectionString,
            ["Routing:CategoryQueuePrefix"] = Prefix + "-events-",
            ["Routing:PricesQueue"] = Prefix + "-prices",
            ["Routing:UnroutedQueue"] = Prefix + "-events-unrouted",
            ["Routing:PoisonQueue"] = Prefix + "-events-poison",
            ["Delivery:MaxRetries"] = "1",
            ["Delivery:RetryDelay"] = "00:00:00.050",
            ["Delivery:MaxRetryDelay"] = "00:00:00.200",
            ["Delivery:NetworkTimeout"] = "00:00:05",
        };
        foreach (var (key, value) in settings) values[key] = value;
        Configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging().AddEventRouter(Configuration).AddEventRouterProcessing(Configuration);
        configureServices?.Invoke(services);
        _services = services.BuildServiceProvider(validateScopes: true);
        Queues = new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        Blobs = new BlobServiceClient(connectionString);
    }

    public string Prefix { get; }
    public IConfiguration Configuration { get; }
    public QueueServiceClient Queues { get; }
    public BlobServiceClient Blobs { get; }
    public IServiceProvider Services => _services;
    public RoutingPipeline Pipeline => _services.GetRequiredService<RoutingPipeline>();

    public string Queue(string defaultName) => $"{Prefix}-{defaultName}";

    /// <summary>Receives (and so hides) every message currently in <paramref name="queueName"/>, parsed.</summary>
    public async Task<List<JsonDocument>> DrainAsync(string queueName)
    {
        var client = Queues.GetQueueClient(queueName);
        var result = new List<JsonDocument>();
        if (!(await client.ExistsAsync()).Value) return result;
        while (true)
        {
            var batch = (await client.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            if (batch.Length == 0) return result;
            result.AddRange(batch.Select(m => JsonDocument.Parse(m.Body.ToMemory())));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await foreach (var queue in Queues.GetQueuesAsync(prefix: Prefix))
        {
            await Queues.DeleteQueueAsync(queue.Name);
        }
        await _services.DisposeAsync();
    }
}
