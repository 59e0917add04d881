namespace EventRouter.Testing;

/// <summary>A clock that always says <see cref="Now"/>, so message timestamps can be asserted exactly.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
