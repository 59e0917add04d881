using Azure.Storage.Queues.Models;
using EventRouter.Delivery;
using EventRouter.Functions.Hosting;
using EventRouter.Processing;
using Microsoft.Azure.Functions.Worker;

namespace EventRouter.Functions;

/// <summary>
/// One queue-triggered function per routed queue: a category queue (<c>events-&lt;category&gt;</c>) for each of
/// <see cref="EventRouter.Routing.RoutingDefaults.KnownCategories"/>,
/// <c>prices</c> and <c>events-unrouted</c>, the list <see cref="QueueTriggerCoverage.DefaultQueues"/>
/// holds (a test keeps this file and that list equal). Each hands its message to
/// <see cref="QueueDeliveryHandler"/>: a message that is not a routed envelope goes to
/// <c>&lt;queue&gt;-poison</c> at once and completes; a failing handler throws, so the host makes the
/// message visible again and, after host.json's <c>maxDequeueCount</c>, moves it to
/// <c>&lt;queue&gt;-poison</c> itself. The shards of a sharded route get theirs from infra/shards.json,
/// written before compile into obj/ (ShardTriggers.targets; docs/functions.md, "Sharded routes").
/// </summary>
public sealed partial class QueueFunctions(QueueDeliveryHandler handler)
{
    /// <summary>The storage connection of the event queues (a connection string, or <c>EventStorage__queueServiceUri</c> with an identity).</summary>
    private const string Storage = EventStorageOptions.ConnectionName;

    [Function(nameof(EventsUserQueue))]
    public Task EventsUserQueue([QueueTrigger("events-user", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-user", message, cancellationToken);

    [Function(nameof(EventsUserCheckQueue))]
    public Task EventsUserCheckQueue([QueueTrigger("events-user-check", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-user-check", message, cancellationToken);

    [Function(nameof(EventsAccountQueue))]
    public Task EventsAccountQueue([QueueTrigger("events-account", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-account", message, cancellationToken);

    [Function(nameof(EventsAccountGroupQueue))]
    public Task EventsAccountGroupQueue([QueueTrigger("events-account-group", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-account-group", message, cancellationToken);

    [Function(nameof(EventsAccountLiquidationQueue))]
    public Task EventsAccountLiquidationQueue([QueueTrigger("events-account-liquidation", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-account-liquidation", message, cancellationToken);

    [Function(nameof(EventsAccountTransferQueue))]
    public Task EventsAccountTransferQueue([QueueTrigger("events-account-transfer", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-account-transfer", message, cancellationToken);

    [Function(nameof(EventsOrderQueue))]
    public Task EventsOrderQueue([QueueTrigger("events-order", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-order", message, cancellationToken);

    [Function(nameof(EventsOrderCancellationQueue))]
    public Task EventsOrderCancellationQueue([QueueTrigger("events-order-cancellation", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-order-cancellation", message, cancellationToken);

    [Function(nameof(EventsExecutionQueue))]
    public Task EventsExecutionQueue([QueueTrigger("events-execution", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-execution", message, cancellationToken);

    [Function(nameof(EventsPositionQueue))]
    public Task EventsPositionQueue([QueueTrigger("events-position", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-position", message, cancellationToken);

    [Function(nameof(EventsCashBalanceQueue))]
    public Task EventsCashBalanceQueue([QueueTrigger("events-cash-balance", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-cash-balance", message, cancellationToken);

    [Function(nameof(EventsCashTransactionQueue))]
    public Task EventsCashTransactionQueue([QueueTrigger("events-cash-transaction", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-cash-transaction", message, cancellationToken);

    [Function(nameof(EventsDirectDebitQueue))]
    public Task EventsDirectDebitQueue([QueueTrigger("events-direct-debit", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-direct-debit", message, cancellationToken);

    [Function(nameof(EventsWithdrawalQueue))]
    public Task EventsWithdrawalQueue([QueueTrigger("events-withdrawal", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-withdrawal", message, cancellationToken);

    [Function(nameof(EventsTopupQueue))]
    public Task EventsTopupQueue([QueueTrigger("events-topup", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-topup", message, cancellationToken);

    [Function(nameof(EventsCreditFundingQueue))]
    public Task EventsCreditFundingQueue([QueueTrigger("events-credit-funding", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-credit-funding", message, cancellationToken);

    [Function(nameof(EventsFeeCollectionQueue))]
    public Task EventsFeeCollectionQueue([QueueTrigger("events-fee-collection", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-fee-collection", message, cancellationToken);

    [Function(nameof(EventsInstrumentQueue))]
    public Task EventsInstrumentQueue([QueueTrigger("events-instrument", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-instrument", message, cancellationToken);

    [Function(nameof(EventsCorporateActionQueue))]
    public Task EventsCorporateActionQueue([QueueTrigger("events-corporate-action", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-corporate-action", message, cancellationToken);

    [Function(nameof(EventsReportQueue))]
    public Task EventsReportQueue([QueueTrigger("events-report", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-report", message, cancellationToken);

    [Function(nameof(EventsTreasuryReportQueue))]
    public Task EventsTreasuryReportQueue([QueueTrigger("events-treasury-report", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-treasury-report", message, cancellationToken);

    [Function(nameof(EventsAccountValuationQueue))]
    public Task EventsAccountValuationQueue([QueueTrigger("events-account-valuation", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-account-valuation", message, cancellationToken);

    [Function(nameof(EventsIntradayAccountValuationQueue))]
    public Task EventsIntradayAccountValuationQueue([QueueTrigger("events-intraday-account-valuation", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-intraday-account-valuation", message, cancellationToken);

    [Function(nameof(EventsAccountReturnsQueue))]
    public Task EventsAccountReturnsQueue([QueueTrigger("events-account-returns", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-account-returns", message, cancellationToken);

    [Function(nameof(EventsPortfolioQueue))]
    public Task EventsPortfolioQueue([QueueTrigger("events-portfolio", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-portfolio", message, cancellationToken);

    [Function(nameof(EventsPortfolioAllocationQueue))]
    public Task EventsPortfolioAllocationQueue([QueueTrigger("events-portfolio-allocation", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-portfolio-allocation", message, cancellationToken);

    [Function(nameof(EventsPortfolioOrderQueue))]
    public Task EventsPortfolioOrderQueue([QueueTrigger("events-portfolio-order", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-portfolio-order", message, cancellationToken);

    [Function(nameof(EventsSavingsPlanQueue))]
    public Task EventsSavingsPlanQueue([QueueTrigger("events-savings-plan", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-savings-plan", message, cancellationToken);

    [Function(nameof(EventsMandateQueue))]
    public Task EventsMandateQueue([QueueTrigger("events-mandate", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-mandate", message, cancellationToken);

    [Function(nameof(EventsSecuritiesTransferQueue))]
    public Task EventsSecuritiesTransferQueue([QueueTrigger("events-securities-transfer", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-securities-transfer", message, cancellationToken);

    [Function(nameof(EventsLiquidationQueue))]
    public Task EventsLiquidationQueue([QueueTrigger("events-liquidation", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-liquidation", message, cancellationToken);

    [Function(nameof(EventsFeeQueue))]
    public Task EventsFeeQueue([QueueTrigger("events-fee", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-fee", message, cancellationToken);

    [Function(nameof(EventsRebalancingQueue))]
    public Task EventsRebalancingQueue([QueueTrigger("events-rebalancing", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-rebalancing", message, cancellationToken);

    [Function(nameof(EventsSavingsPlanExecutionQueue))]
    public Task EventsSavingsPlanExecutionQueue([QueueTrigger("events-savings-plan-execution", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-savings-plan-execution", message, cancellationToken);

    [Function(nameof(EventsRebalancingExecutionOrderQueue))]
    public Task EventsRebalancingExecutionOrderQueue([QueueTrigger("events-rebalancing-execution-order", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-rebalancing-execution-order", message, cancellationToken);

    [Function(nameof(PricesQueue))]
    public Task PricesQueue([QueueTrigger("prices", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("prices", message, cancellationToken);

    [Function(nameof(EventsUnroutedQueue))]
    public Task EventsUnroutedQueue([QueueTrigger("events-unrouted", Connection = Storage)] QueueMessage message, CancellationToken cancellationToken)
        => Handle("events-unrouted", message, cancellationToken);

    private Task Handle(string queueName, QueueMessage message, CancellationToken cancellationToken)
        => handler.HandleAsync(queueName, QueueDeliveryFactory.FromQueueMessage(message), cancellationToken);
}
