using System.ComponentModel.DataAnnotations;

namespace EventRouter.Delivery;

/// <summary>How the core writes to storage. Bound from configuration section <c>Delivery</c>.</summary>
public sealed class DeliveryOptions
{
    public const string SectionName = "Delivery";

    /// <summary>Storage writes in flight at once, across every batch being routed (the Kafka source routes several partitions at once).</summary>
    /// <value>32</value>
    [Range(1, 1024)]
    public int MaxConcurrency { get; set; } = 32;

    /// <summary>Retries of one storage request on a transient failure (throttling, 5xx, timeouts, refused connections) before the batch fails.</summary>
    /// <value>4</value>
    [Range(0, 20)]
    public int MaxRetries { get; set; } = 4;

    /// <summary>First retry delay; it grows exponentially with jitter.</summary>
    /// <value>200 ms</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between retries.</summary>
    /// <value>5 s</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time limit of one storage request attempt.</summary>
    /// <value>30 s</value>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
