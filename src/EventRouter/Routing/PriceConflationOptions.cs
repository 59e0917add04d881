namespace EventRouter.Routing;

/// <summary>
/// Optional conflation of the prices topic, bound from section <c>PriceConflation</c>: within one
/// batch (one partition's records), only the newest price of each instrument is written; older
/// prices of the same instrument are counted as conflated and committed without a queue write.
/// </summary>
/// <remarks>
/// For consumers that want the latest price, not every tick. Off by default, because it drops
/// messages on purpose: every conflated record still gets an outcome (<see cref="OutcomeKind.Conflated"/>)
/// and a metric, and only valid events are ever conflated, so poison always reaches the poison queue.
/// </remarks>
public sealed class PriceConflationOptions
{
    public const string SectionName = "PriceConflation";

    /// <summary><c>PriceConflation:Enabled</c>: conflate the prices topic.</summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool Enabled { get; set; }

    /// <summary>
    /// <c>PriceConflation:InstrumentField</c>: a dot path into the event naming the instrument, e.g.
    /// <c>object.instrument_id</c>. Empty means the Kafka message key, which is how a provider that
    /// keys prices by instrument (so that each instrument's prices stay in order) identifies it.
    /// Records without a value there are never conflated.
    /// </summary>
    /// <value>Default empty: the message key.</value>
    public string? InstrumentField { get; set; }
}
