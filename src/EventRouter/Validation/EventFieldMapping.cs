namespace EventRouter.Validation;

/// <summary>
/// The <see cref="EventFieldNames"/> of each topic: the all-topics names, or those of the
/// notifications or prices topic when <see cref="EventFieldsOptions"/> overrides them. Both stages
/// use it: the router by the record's topic, the queue stage by the topic in the routed message's
/// <c>source</c>, so a stream validates with the same names in both.
/// </summary>
public sealed class EventFieldMapping
{
    private readonly EventFieldNames _allTopics;
    private readonly string? _notificationsTopic;
    private readonly EventFieldNames? _notifications;
    private readonly string? _pricesTopic;
    private readonly EventFieldNames? _prices;

    /// <summary>The provider's names on every topic.</summary>
    public static EventFieldMapping Default { get; } = new(EventFieldNames.Default);

    /// <summary>The same names on every topic.</summary>
    public EventFieldMapping(EventFieldNames allTopics)
    {
        ArgumentNullException.ThrowIfNull(allTopics);
        _allTopics = allTopics;
    }

    /// <summary>The names <paramref name="options"/> gives, with its per-topic overrides for the two topics named.</summary>
    /// <exception cref="ArgumentException">The options give an invalid name (start-up validation reports it first, naming the setting).</exception>
    public EventFieldMapping(EventFieldsOptions options, string? notificationsTopic, string? pricesTopic)
        : this(options.ToNames())
    {
        if (!options.Notifications.IsEmpty && !string.IsNullOrEmpty(notificationsTopic))
        {
            _notificationsTopic = notificationsTopic;
            _notifications = options.ToNames(nameof(EventFieldsOptions.Notifications));
        }
        if (!options.Prices.IsEmpty && !string.IsNullOrEmpty(pricesTopic))
        {
            _pricesTopic = pricesTopic;
            _prices = options.ToNames(nameof(EventFieldsOptions.Prices));
        }
    }

    /// <summary>The names for every topic without an override.</summary>
    public EventFieldNames AllTopics => _allTopics;

    /// <summary>The names of events read from <paramref name="topic"/>.</summary>
    public EventFieldNames For(string topic)
    {
        // Without overrides (the usual case) no topic comparison at all.
        if (_notifications is not null && string.Equals(topic, _notificationsTopic, StringComparison.Ordinal)) return _notifications;
        if (_prices is not null && string.Equals(topic, _pricesTopic, StringComparison.Ordinal)) return _prices;
        return _allTopics;
    }
}
