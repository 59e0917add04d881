namespace EventRouter;

/// <summary>Where each record of a batch ended up. Every input record has exactly one outcome.</summary>
public sealed class BatchRoutingResult
{
    internal BatchRoutingResult(IReadOnlyList<RecordOutcome> outcomes)
    {
        Outcomes = outcomes;
        foreach (var outcome in outcomes)
        {
            switch (outcome.Kind)
            {
                case OutcomeKind.Routed: Routed++; break;
                case OutcomeKind.Unrouted: Unrouted++; break;
                case OutcomeKind.Poisoned: Poisoned++; break;
                case OutcomeKind.Duplicate: Duplicates++; break;
                case OutcomeKind.Conflated: Conflated++; break;
            }
        }
    }

    /// <summary>One outcome per input record, in input order.</summary>
    public IReadOnlyList<RecordOutcome> Outcomes { get; }
    public int Routed { get; }
    public int Unrouted { get; }
    public int Poisoned { get; }
    /// <summary>Records whose event id already appeared earlier in the same batch; written once.</summary>
    public int Duplicates { get; }
    /// <summary>Prices superseded by a newer price of the same instrument in the batch (<c>PriceConflation</c>); not written.</summary>
    public int Conflated { get; }
    public int Count => Outcomes.Count;
}

/// <summary>What happened to one record.</summary>
/// <param name="Topic">Source topic.</param>
/// <param name="Partition">Source partition.</param>
/// <param name="Offset">Source offset.</param>
/// <param name="Kind">Routed, unrouted, poisoned, duplicate or conflated.</param>
/// <param name="Queue">The queue the record was written to (for a duplicate: the queue of the first copy).</param>
/// <param name="Reason">The poison reason, for poisoned records.</param>
/// <param name="Offloaded">True when the payload went to blob storage because it was too large for a queue message.</param>
public readonly record struct RecordOutcome(
    string Topic, int Partition, long Offset, OutcomeKind Kind, string Queue, PoisonReason? Reason, bool Offloaded);

public enum OutcomeKind
{
    /// <summary>Written to the route for its event type (a category queue, an override, or <c>prices</c>).</summary>
    Routed,
    /// <summary>Valid event whose type has no route; written to <c>events-unrouted</c>.</summary>
    Unrouted,
    /// <summary>Invalid record; written to <c>events-poison</c> with its original bytes and reason.</summary>
    Poisoned,
    /// <summary>Same event id as an earlier record of the batch; that copy was written, this one not again.</summary>
    Duplicate,
    /// <summary>A valid price superseded by a newer price of the same instrument in the batch (<c>PriceConflation:Enabled</c>); not written.</summary>
    Conflated,
}
