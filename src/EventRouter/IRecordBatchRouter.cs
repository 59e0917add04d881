namespace EventRouter;

/// <summary>
/// The one entry point every Kafka-side host calls. Implemented by <see cref="RoutingPipeline"/>;
/// hosts depend on this interface so their commit logic can be tested without storage.
/// </summary>
public interface IRecordBatchRouter
{
    /// <summary>
    /// Puts every record of <paramref name="records"/> into exactly one queue (its route,
    /// <c>events-unrouted</c> or <c>events-poison</c>). Completes only when every write succeeded.
    /// </summary>
    /// <exception cref="EventDeliveryException">
    /// A write failed after retries. Nothing about the batch may be committed; retry it whole.
    /// </exception>
    Task<BatchRoutingResult> RouteBatchAsync(IReadOnlyList<InboundRecord> records, CancellationToken cancellationToken = default);
}
