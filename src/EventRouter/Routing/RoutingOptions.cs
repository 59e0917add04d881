namespace EventRouter.Routing;

/// <summary>
/// Where events go. Bound from configuration section <c>Routing</c>; the topic names come from
/// <c>Kafka:Topics:Notifications</c> and <c>Kafka:Topics:Prices</c>, shared with the Kafka hosts.
/// </summary>
public sealed class RoutingOptions
{
    public const string SectionName = "Routing";

    /// <summary>
    /// Routes that replace the category default. Key: an exact type (<c>ORDER.FILLED</c>) or a
    /// category pattern (<c>ORDER.*</c>); value: a queue name. An exact type beats a pattern,
    /// which beats the category default. Overrides may route categories the defaults do not know.
    /// </summary>
    /// <value>Empty.</value>
    public Dictionary<string, string> Overrides { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The same routes as <see cref="Overrides"/>, as a list, for hosts whose setting names cannot
    /// hold <c>*</c> (Azure app settings allow only letters, digits, <c>.</c> and <c>_</c>):
    /// <c>Routing__Rules__0__Match=ORDER.*</c>, <c>Routing__Rules__0__Queue=orders</c>.
    /// </summary>
    /// <value>Empty.</value>
    public List<RouteRule> Rules { get; set; } = [];

    /// <summary>
    /// Categories routed to <c>events-&lt;category&gt;</c> without an override. Null keeps the
    /// provider's list (<see cref="RoutingDefaults.KnownCategories"/>); a configured list replaces it.
    /// </summary>
    /// <value>null: the provider's published list.</value>
    public List<string>? KnownCategories { get; set; }

    /// <summary>More categories to route by default, on top of <see cref="KnownCategories"/>.</summary>
    /// <value>Empty.</value>
    public List<string> AdditionalCategories { get; set; } = [];

    /// <summary>Prefix of category queues.</summary>
    /// <value><c>events-</c></value>
    public string CategoryQueuePrefix { get; set; } = RoutingDefaults.CategoryQueuePrefix;

    /// <summary>Queue for every event of the prices topic.</summary>
    /// <value><c>prices</c></value>
    public string PricesQueue { get; set; } = RoutingDefaults.PricesQueue;

    /// <summary>Queue for valid events whose type has no route.</summary>
    /// <value><c>events-unrouted</c></value>
    public string UnroutedQueue { get; set; } = RoutingDefaults.UnroutedQueue;

    /// <summary>Queue for invalid records from either topic.</summary>
    /// <value><c>events-poison</c></value>
    public string PoisonQueue { get; set; } = RoutingDefaults.PoisonQueue;

    /// <summary>The notifications topic (from <c>Kafka:Topics:Notifications</c>).</summary>
    /// <value><c>Notifications</c></value>
    public string NotificationsTopic { get; set; } = RoutingDefaults.NotificationsTopic;

    /// <summary>The prices topic (from <c>Kafka:Topics:Prices</c>); its events all go to <see cref="PricesQueue"/>.</summary>
    /// <value><c>Prices</c></value>
    public string PricesTopic { get; set; } = RoutingDefaults.PricesTopic;

    /// <summary>
    /// Routes spread over several queues: <c>Routing:Shards:0:Queue=prices</c>,
    /// <c>Routing:Shards:0:Count=4</c> makes the route to <c>prices</c> write to <c>prices-0</c> …
    /// <c>prices-3</c>, each record to the shard its key hashes to (<see cref="ShardSelector"/>). A list,
    /// like <see cref="Rules"/>: Azure app-setting names cannot hold the queue name's hyphens.
    /// </summary>
    /// <value>Empty: every route writes to one queue.</value>
    public List<QueueShards> Shards { get; set; } = [];

    /// <summary>
    /// The storage connections the shards spread over: shard <c>i</c> of every sharded queue (and its
    /// <c>-poison</c> twin) lives in <c>ShardConnections[i % count]</c>. Each name is a connection like
    /// <c>EventStorage</c> (a connection string, or <c>&lt;Name&gt;__queueServiceUri</c> with an identity).
    /// Unsharded queues, <c>events-poison</c> and every blob stay on <c>EventStorage</c>.
    /// </summary>
    /// <value>null: <c>[EventStorage]</c>.</value>
    public List<string>? ShardConnections { get; set; }

    /// <summary>The default storage connection's name (<c>EventStorage</c>).</summary>
    public const string DefaultConnection = "EventStorage";

    /// <summary><see cref="ShardConnections"/>, or <c>[EventStorage]</c> when it is not set.</summary>
    internal IReadOnlyList<string> EffectiveShardConnections =>
        ShardConnections is { Count: > 0 } names ? names : [DefaultConnection];

    /// <summary>Every override from <see cref="Overrides"/> and <see cref="Rules"/>, with the setting that defines it.</summary>
    internal IEnumerable<(string Setting, string Match, string Queue)> EffectiveOverrides =>
        Overrides.Select(o => ($"{SectionName}:Overrides:{o.Key}", o.Key, o.Value))
            .Concat(Rules.Select((rule, i) => ($"{SectionName}:Rules:{i}", rule.Match ?? "", rule.Queue ?? "")));

    internal IEnumerable<string> EffectiveCategories
        => (KnownCategories ?? (IEnumerable<string>)RoutingDefaults.KnownCategories).Concat(AdditionalCategories).Distinct(StringComparer.Ordinal);
}

/// <summary>One sharded route in list form: the queue a route writes to, and how many queues it becomes.</summary>
public sealed class QueueShards
{
    /// <summary>A queue some route writes to (<c>prices</c>, <c>events-order</c>, ...).</summary>
    public string? Queue { get; set; }

    /// <summary>How many queues (1 to <see cref="ShardSelector.MaxShards"/>); 1 or absent: not sharded.</summary>
    public int? Count { get; set; }
}

/// <summary>One route in list form: an exact type or <c>CATEGORY.*</c>, and its queue.</summary>
public sealed class RouteRule
{
    public string? Match { get; set; }
    public string? Queue { get; set; }
}
