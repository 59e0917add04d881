namespace EventRouter.Processing;

/// <summary>
/// The queue stage: bound from configuration section <c>Processing</c>. The defaults mirror the
/// Azure Functions queue trigger so that both hosts behave alike.
/// </summary>
public sealed class ProcessingOptions
{
    public const string SectionName = "Processing";

    /// <summary>Messages fetched per receive (Functions' <c>batchSize</c>; the service allows 1-32).</summary>
    /// <value>16</value>
    public int BatchSize { get; set; } = 16;

    /// <summary>Dequeues after which a failing message moves to <c>&lt;queue&gt;-poison</c>.</summary>
    /// <value>5</value>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How long a received message stays invisible while handlers run.</summary>
    /// <value>10 minutes</value>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Delay before a failed message becomes visible again (Functions' <c>visibilityTimeout</c>).</summary>
    /// <value>0</value>
    public TimeSpan RetryVisibilityTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>Longest wait between polls of an empty queue; the wait doubles from 100 ms up to this.</summary>
    /// <value>5 s</value>
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Wait after a batch smaller than <see cref="BatchSize"/> before the next receive, so that a
    /// queue with a trickle of messages is read a few at a time instead of one receive per message
    /// (a request each). Zero, the default, receives again at once, as the Functions trigger does.
    /// </summary>
    /// <value>0</value>
    public TimeSpan PartialBatchDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Skip handlers that already completed for an event id (blob markers in <c>event-idempotency</c>).</summary>
    /// <value>true</value>
    public bool Idempotency { get; set; } = true;

    /// <summary>How long a started-but-unfinished handler claim blocks others before it is taken over.</summary>
    /// <value>5 minutes</value>
    public TimeSpan IdempotencyClaimTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a message waits when another delivery of the same event holds a handler's claim
    /// (a duplicate being handled at the same moment): long enough for that delivery to finish.
    /// </summary>
    /// <value>30 s</value>
    public TimeSpan HeldClaimRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Write every event once to container <c>event-archive</c>.</summary>
    /// <value>true</value>
    public bool Archive { get; set; } = true;
}
