namespace EventRouter;

/// <summary>
/// A batch could not be fully written to storage. Hosts must not commit any offset of the batch
/// and should retry it (after a pause when <see cref="IsTransient"/> is true). The message never
/// contains connection strings or payloads.
/// </summary>
public sealed class EventDeliveryException : Exception
{
    public EventDeliveryException(string message, bool isTransient, Exception? innerException = null)
        : base(message, innerException) => IsTransient = isTransient;

    /// <summary>True when the failure looks temporary (throttling, 5xx, timeouts, refused connections).</summary>
    public bool IsTransient { get; }
}
