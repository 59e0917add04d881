using System.Collections.Concurrent;
using Azure.Storage.Queues;
using EventRouter.Routing;

namespace EventRouter.Delivery;

/// <summary>
/// The queue service of every storage connection a queue lives in: <c>EventStorage</c>, and the
/// <c>Routing:ShardConnections</c> that shards spread over (<see cref="RouteTable.ConnectionOf"/>
/// decides which queue lives where). One <see cref="QueueServiceClient"/> per connection, created on
/// first use and kept, as the Azure SDK guidelines ask (clients are thread-safe and meant to be shared).
/// </summary>
public sealed class StorageAccounts
{
    private readonly RouteTable? _routes;
    private readonly QueueServiceClient _eventStorage;
    private readonly Func<string, QueueServiceClient>? _connect;
    private readonly ConcurrentDictionary<string, Lazy<QueueServiceClient>> _clients = new(StringComparer.Ordinal);

    /// <param name="routes">Which queue lives in which connection.</param>
    /// <param name="eventStorage">The client of <c>EventStorage</c>, shared with the rest of the host.</param>
    /// <param name="connect">Creates the client of another connection, by name.</param>
    public StorageAccounts(RouteTable routes, QueueServiceClient eventStorage, Func<string, QueueServiceClient> connect)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(eventStorage);
        ArgumentNullException.ThrowIfNull(connect);
        _routes = routes;
        _eventStorage = eventStorage;
        _connect = connect;
    }

    private StorageAccounts(QueueServiceClient eventStorage) => _eventStorage = eventStorage;

    /// <summary>Every queue in one account (no shard connections): tests and tools that know only one.</summary>
    public static StorageAccounts Single(QueueServiceClient queues)
    {
        ArgumentNullException.ThrowIfNull(queues);
        return new StorageAccounts(queues);
    }

    /// <summary>The connections in use, <c>EventStorage</c> first.</summary>
    public IReadOnlyList<string> Connections => _routes?.Connections ?? [RoutingOptions.DefaultConnection];

    /// <summary>The queue service of connection <paramref name="connection"/>.</summary>
    public QueueServiceClient ForConnection(string connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (_connect is null || string.Equals(connection, RoutingOptions.DefaultConnection, StringComparison.Ordinal)) return _eventStorage;
        return _clients.GetOrAdd(connection, name => new Lazy<QueueServiceClient>(() => _connect(name))).Value;
    }

    /// <summary>The name of the connection <paramref name="queueName"/> lives in.</summary>
    public string ConnectionOf(string queueName) => _routes?.ConnectionOf(queueName) ?? RoutingOptions.DefaultConnection;

    /// <summary>The queue service that holds <paramref name="queueName"/>.</summary>
    public QueueServiceClient ForQueue(string queueName) => ForConnection(ConnectionOf(queueName));

    /// <summary>A client of <paramref name="queueName"/> in its account.</summary>
    public QueueClient GetQueueClient(string queueName) => ForQueue(queueName).GetQueueClient(queueName);
}
