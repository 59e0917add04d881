namespace EventRouter.Processing;

/// <summary>
/// What users implement to act on routed events: register with
/// <c>services.AddEventHandler&lt;T&gt;()</c>. Both hosts call every handler whose
/// <see cref="CanHandle"/> accepts the queue, for each message of that queue. Throwing makes the
/// message visible again for a retry; after the maximum dequeue count it moves to
/// <c>&lt;queue&gt;-poison</c>. Delivery is at-least-once: with idempotency on (the default), a handler
/// that completed for an event id is not called again for it.
/// </summary>
public interface IEventHandler
{
    /// <summary>A stable name (lowercase letters, digits, hyphens): the idempotency key includes it.</summary>
    string Name { get; }

    /// <summary>
    /// Whether this handler wants messages of <paramref name="queueName"/>: the route's queue, also
    /// when the route is sharded (<c>prices</c> for messages of <c>prices-0</c> … <c>prices-3</c>;
    /// <see cref="RoutedEvent.Queue"/> names the shard).
    /// </summary>
    bool CanHandle(string queueName);

    Task HandleAsync(RoutedEvent routedEvent, CancellationToken cancellationToken);
}
