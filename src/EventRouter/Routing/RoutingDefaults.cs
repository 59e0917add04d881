namespace EventRouter.Routing;

/// <summary>
/// The routing defaults. <see cref="KnownCategories"/> is the provider's published list of webhook
/// event categories (the webhook subscription's categories and the types its guides name; sources in
/// README "Queues and message formats"); infra/routes.json mirrors it (a test keeps the two equal).
/// </summary>
public static class RoutingDefaults
{
    public static IReadOnlyList<string> KnownCategories { get; } =
    [
        "USER", "USER_CHECK", "ACCOUNT", "ACCOUNT_GROUP", "ACCOUNT_LIQUIDATION", "ACCOUNT_TRANSFER",
        "ORDER", "ORDER_CANCELLATION", "EXECUTION", "POSITION", "CASH_BALANCE", "CASH_TRANSACTION",
        "DIRECT_DEBIT", "WITHDRAWAL", "TOPUP", "CREDIT_FUNDING", "FEE_COLLECTION", "INSTRUMENT",
        "CORPORATE_ACTION", "REPORT", "TREASURY_REPORT", "ACCOUNT_VALUATION", "INTRADAY_ACCOUNT_VALUATION",
        "ACCOUNT_RETURNS", "PORTFOLIO", "PORTFOLIO_ALLOCATION", "PORTFOLIO_ORDER",
        // Named by the provider's webhook subscriptions (event categories) and guides, checked 2026-12-03;
        // the last two are the categories of the event types its savings plan and rebalancing webhooks send.
        "SAVINGS_PLAN", "MANDATE", "SECURITIES_TRANSFER", "LIQUIDATION", "FEE", "REBALANCING",
        "SAVINGS_PLAN_EXECUTION", "REBALANCING_EXECUTION_ORDER",
    ];

    public const string CategoryQueuePrefix = "events-";
    public const string PricesQueue = "prices";
    public const string UnroutedQueue = "events-unrouted";
    public const string PoisonQueue = "events-poison";
    public const string PricesTopic = "Prices";
    public const string NotificationsTopic = "Notifications";

    /// <summary>Suffix of the queue a queue-stage message moves to after too many failed dequeues (Azure Functions' convention).</summary>
    public const string PoisonQueueSuffix = "-poison";

    /// <summary>Blob container for payloads too large for a queue message.</summary>
    public const string PayloadContainer = "event-payloads";

    /// <summary>The queue of shard <paramref name="shard"/> of a sharded route: <c>prices</c>, 2 → <c>prices-2</c> (<c>Routing:Shards</c>).</summary>
    public static string ShardQueueName(string queue, int shard) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{queue}-{shard}");

    /// <summary>The default queue of a category: <c>ACCOUNT_GROUP</c> → <c>events-account-group</c>.</summary>
    public static string CategoryQueueName(string category, string prefix = CategoryQueuePrefix)
        => prefix + category.ToLowerInvariant().Replace('_', '-');
}
