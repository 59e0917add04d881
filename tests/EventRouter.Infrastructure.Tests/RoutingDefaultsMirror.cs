namespace EventRouter.Infrastructure.Tests;

/// <summary>
/// The routing defaults as the infrastructure must mirror them: this mirrors
/// EventRouter.Routing.RoutingDefaults (KnownCategories and its queue-name derivation) and is the
/// only place in this project that spells them out. When the core exposes RoutingDefaults, these
/// members become one-line forwards to it.
/// </summary>
internal static class RoutingDefaultsMirror
{
    /// <summary>The provider's event categories, the routing default.</summary>
    public static readonly IReadOnlyList<string> KnownCategories =
    [
        "USER", "USER_CHECK", "ACCOUNT", "ACCOUNT_GROUP", "ACCOUNT_LIQUIDATION", "ACCOUNT_TRANSFER",
        "ORDER", "ORDER_CANCELLATION", "EXECUTION", "POSITION", "CASH_BALANCE", "CASH_TRANSACTION",
        "DIRECT_DEBIT", "WITHDRAWAL", "TOPUP", "CREDIT_FUNDING", "FEE_COLLECTION", "INSTRUMENT",
        "CORPORATE_ACTION", "REPORT", "TREASURY_REPORT", "ACCOUNT_VALUATION", "INTRADAY_ACCOUNT_VALUATION",
        "ACCOUNT_RETURNS", "PORTFOLIO", "PORTFOLIO_ALLOCATION", "PORTFOLIO_ORDER",
    ];

    public const string PricesQueue = "prices";
    public const string UnroutedQueue = "events-unrouted";
    public const string PoisonQueue = "events-poison";
    public const string PoisonSuffix = "-poison";

    /// <summary>Blob containers: oversized payloads, archive handler, idempotency markers.</summary>
    public static readonly IReadOnlyList<string> Containers = ["event-payloads", "event-archive", "event-idempotency"];

    /// <summary><c>events-</c> + the category in lower case with <c>_</c> replaced by <c>-</c>.</summary>
    public static string QueueForCategory(string category) => "events-" + category.ToLowerInvariant().Replace('_', '-');

    /// <summary>Queues a Functions queue trigger reads: every category queue, prices and events-unrouted.</summary>
    public static IReadOnlyList<string> TriggeredQueues =>
        [.. KnownCategories.Select(QueueForCategory), PricesQueue, UnroutedQueue];

    /// <summary>Every queue the routing defaults can write to, plus the Functions poison twins.</summary>
    public static IReadOnlyList<string> AllQueues =>
        [.. TriggeredQueues, PoisonQueue, .. TriggeredQueues.Select(q => q + PoisonSuffix)];
}
