namespace EventRouter.Processing;

/// <summary>How a queue message ended; in every case the caller deletes the message it received.</summary>
public enum QueueHandlingResult
{
    Handled,
    /// <summary>Moved to <c>&lt;queue&gt;-poison</c>.</summary>
    Poisoned,
    /// <summary>
    /// Another delivery of the same event holds a handler's claim: not a failure. A fresh copy of the
    /// message was written to the same queue, visible after <see cref="ProcessingOptions.HeldClaimRetryDelay"/>
    /// (its dequeue count starts again, so waiting never counts towards poisoning).
    /// </summary>
    Deferred,
}

/// <summary>A handler failed for a message; the host makes it visible again (or poisons it after the maximum dequeue count).</summary>
public sealed class EventHandlerException(string handlerName, Guid eventId, Exception innerException)
    : Exception($"Handler '{handlerName}' failed for event {eventId}: {innerException.GetType().Name}: {innerException.Message}", innerException)
{
    public string HandlerName { get; } = handlerName;
    public Guid EventId { get; } = eventId;
}
