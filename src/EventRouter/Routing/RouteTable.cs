using System.Buffers;
using System.Text;

namespace EventRouter.Routing;

/// <summary>
/// Resolves an event type to its queue. Built once from <see cref="RoutingOptions"/> and immutable:
/// queue names come only from this table, never from event content, so an attacker-controlled
/// type string can never create a queue.
/// </summary>
public sealed class RouteTable
{
    private const int MaxStackTypeChars = 256;
    private const int MaxStackAsciiTypeChars = 64;

    private readonly Dictionary<string, string> _exact;
    private readonly Dictionary<string, (string Queue, RouteKind Kind)> _categories;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    private readonly Dictionary<string, (string Queue, RouteKind Kind)>.AlternateLookup<ReadOnlySpan<char>> _categoryLookup;

    public RouteTable(RoutingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PricesTopic = options.PricesTopic;
        PricesQueue = options.PricesQueue;
        UnroutedQueue = options.UnroutedQueue;
        PoisonQueue = options.PoisonQueue;

        _categories = new Dictionary<string, (string, RouteKind)>(StringComparer.Ordinal);
        foreach (var category in options.EffectiveCategories)
        {
            _categories[category] = (RoutingDefaults.CategoryQueueName(category, options.CategoryQueuePrefix), RouteKind.Category);
        }

        _exact = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, pattern, queue) in options.EffectiveOverrides)
        {
            if (pattern.EndsWith(".*", StringComparison.Ordinal))
            {
                _categories[pattern[..^2]] = (queue, RouteKind.CategoryOverride);
            }
            else
            {
                _exact[pattern] = queue;
            }
        }

        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _categoryLookup = _categories.GetAlternateLookup<ReadOnlySpan<char>>();

        Routes = _categories.Values.Select(v => v.Queue)
            .Concat(_exact.Values)
            .Append(PricesQueue)
            .Append(UnroutedQueue)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();

        // Shards: a route's queue with Count > 1 becomes <queue>-0 … <queue>-<N-1>, shard i (and its
        // -poison twin) in ShardConnections[i % connections]; everything else stays on EventStorage.
        ShardConnections = options.EffectiveShardConnections.ToArray();
        _shards = new Dictionary<string, string[]>(StringComparer.Ordinal);
        _routeOfShard = new Dictionary<string, string>(StringComparer.Ordinal);
        _connectionOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var shards in options.Shards)
        {
            if (shards.Queue is not { } queue || shards.Count is not (> 1 and <= ShardSelector.MaxShards) || !Routes.Contains(queue, StringComparer.Ordinal)) continue;
            var names = new string[shards.Count.Value];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = RoutingDefaults.ShardQueueName(queue, i);
                var connection = ShardConnections[i % ShardConnections.Count];
                _routeOfShard[names[i]] = queue;
                _connectionOf[names[i]] = connection;
                _connectionOf[names[i] + RoutingDefaults.PoisonQueueSuffix] = connection;
            }
            _shards[queue] = names;
        }
        DestinationQueues = Routes.SelectMany(ShardsOf).Order(StringComparer.Ordinal).ToArray();
        Connections = _connectionOf.Values.Prepend(RoutingOptions.DefaultConnection).Distinct(StringComparer.Ordinal).ToArray();
    }

    private readonly Dictionary<string, string[]> _shards;
    private readonly Dictionary<string, string> _routeOfShard;
    private readonly Dictionary<string, string> _connectionOf;

    public string PricesTopic { get; }
    public string PricesQueue { get; }
    public string UnroutedQueue { get; }
    public string PoisonQueue { get; }

    /// <summary>Every queue a valid event can be written to (not the poison queue), sorted: each shard of a sharded route, not the route's own name.</summary>
    public IReadOnlyList<string> DestinationQueues { get; }

    /// <summary>Every queue a route resolves to before sharding (<c>prices</c>, not <c>prices-0</c>), sorted.</summary>
    public IReadOnlyList<string> Routes { get; }

    /// <summary><c>Routing:ShardConnections</c> in effect (<c>[EventStorage]</c> by default).</summary>
    public IReadOnlyList<string> ShardConnections { get; }

    /// <summary>Every storage connection a queue lives in: <c>EventStorage</c> first, then those shards use.</summary>
    public IReadOnlyList<string> Connections { get; }

    /// <summary>How many queues <paramref name="route"/> (a route's queue) is spread over; 1 when it is not sharded.</summary>
    public int ShardCount(string route) => _shards.TryGetValue(route, out var names) ? names.Length : 1;

    /// <summary>The queues of <paramref name="route"/>: its shards in order, or the route's queue alone.</summary>
    public IReadOnlyList<string> ShardsOf(string route) => _shards.TryGetValue(route, out var names) ? names : [route];

    /// <summary>The queue of shard <paramref name="shard"/> of <paramref name="route"/> (the route's queue when it is not sharded).</summary>
    public string ShardQueue(string route, int shard) => _shards.TryGetValue(route, out var names) ? names[shard] : route;

    /// <summary>The route a queue belongs to: <c>prices</c> for <c>prices-2</c> when prices is sharded; any other queue is its own.</summary>
    public string RouteOf(string queue) => _routeOfShard.TryGetValue(queue, out var route) ? route : queue;

    /// <summary>The storage connection <paramref name="queue"/> lives in: a shard's (or its <c>-poison</c> twin's) from <see cref="ShardConnections"/>, else <c>EventStorage</c>.</summary>
    public string ConnectionOf(string queue) => _connectionOf.TryGetValue(queue, out var connection) ? connection : RoutingOptions.DefaultConnection;

    /// <summary>Resolves the queue for an event of <paramref name="type"/> read from <paramref name="topic"/>.</summary>
    public (string Queue, RouteKind Kind) Resolve(string topic, ReadOnlySpan<char> type)
    {
        if (string.Equals(topic, PricesTopic, StringComparison.Ordinal))
        {
            return (PricesQueue, RouteKind.Prices);
        }
        return ResolveType(type);
    }

    private (string Queue, RouteKind Kind) ResolveType(ReadOnlySpan<char> type)
    {
        if (_exactLookup.TryGetValue(type, out var exactQueue))
        {
            return (exactQueue, RouteKind.ExactOverride);
        }
        // CATEGORY.ACTION: a type without a dot, or with nothing on either side of it, has no category.
        var dot = type.IndexOf('.');
        if (dot > 0 && dot < type.Length - 1 && _categoryLookup.TryGetValue(type[..dot], out var route))
        {
            return route;
        }
        return (UnroutedQueue, RouteKind.Unrouted);
    }

    /// <summary>Resolves from the UTF-8 bytes of the type without allocating for ordinary lengths.</summary>
    public (string Queue, RouteKind Kind) Resolve(string topic, ReadOnlySpan<byte> typeUtf8)
    {
        if (string.Equals(topic, PricesTopic, StringComparison.Ordinal))
        {
            return (PricesQueue, RouteKind.Prices);
        }
        if (typeUtf8.Length <= MaxStackAsciiTypeChars)
        {
            // Every provider type is ASCII, which widens byte for byte to the same characters: no
            // UTF-8 decoding, and a buffer of 128 bytes to clear rather than 512.
            Span<char> ascii = stackalloc char[MaxStackAsciiTypeChars];
            if (Ascii.ToUtf16(typeUtf8, ascii, out var length) == OperationStatus.Done)
            {
                return ResolveType(ascii[..length]);
            }
        }
        return ResolveDecoded(typeUtf8);
    }

    /// <summary>Any type, decoded from UTF-8.</summary>
    private (string Queue, RouteKind Kind) ResolveDecoded(ReadOnlySpan<byte> typeUtf8)
    {
        char[]? rented = null;
        var chars = typeUtf8.Length <= MaxStackTypeChars
            ? stackalloc char[MaxStackTypeChars]
            : (rented = ArrayPool<char>.Shared.Rent(typeUtf8.Length));
        try
        {
            var count = Encoding.UTF8.GetChars(typeUtf8, chars);
            return ResolveType(chars[..count]);
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }
    }
}
