namespace EventRouter.Cli.Sandbox;

/// <summary>
/// The sandbox's tap on the routing core: passes each batch to the real pipeline and, once the
/// pipeline says the batch is in storage, writes its outcomes into the <see cref="RecordLedger"/>.
/// A batch that fails is not recorded (it is retried whole, and counted when it succeeds).
/// </summary>
internal sealed class AccountingRouter(IRecordBatchRouter inner, RecordLedger ledger) : IRecordBatchRouter
{
    public async Task<BatchRoutingResult> RouteBatchAsync(IReadOnlyList<InboundRecord> records, CancellationToken cancellationToken = default)
    {
        var result = await inner.RouteBatchAsync(records, cancellationToken).ConfigureAwait(false);
        ledger.Record(result.Outcomes);
        return result;
    }
}
