namespace EventRouter.Processing;

/// <summary>How a queue message ended: handled (delete it) or moved to <c>&lt;queue&gt;-poison</c> (delete it too).</summary>
public enum QueueHandlingResult
{
    Handled,
    Poisoned,
}

/// <summary>A handler failed for a message; the host makes it visible again (or poisons it after the maximum dequeue count).</summary>
public sealed class EventHandlerException(string handlerName, Guid eventId, Exception innerException)
    : Exception($"Handler '{handlerName}' failed for event {eventId}: {innerException.GetType().Name}: {innerException.Message}", innerException)
{
    public string HandlerName { get; } = handlerName;
    public Guid EventId { get; } = eventId;
}
