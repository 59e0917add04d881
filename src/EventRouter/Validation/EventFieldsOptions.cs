namespace EventRouter.Validation;

/// <summary>
/// Which JSON fields hold an event's id, type, creation time and object. Bound from configuration
/// section <c>EventFields</c>; the defaults are the provider's names. The names apply to every
/// topic unless <see cref="Notifications"/> or <see cref="Prices"/> overrides one of them for the
/// topic named by <c>Kafka:Topics:Notifications</c> or <c>Kafka:Topics:Prices</c>.
/// </summary>
public sealed class EventFieldsOptions
{
    public const string SectionName = "EventFields";

    /// <summary>The field holding the event id (a UUID string).</summary>
    /// <value><c>id</c></value>
    public string Id { get; set; } = EventFieldNames.Default.Id;

    /// <summary>The field holding the event type, which routing reads.</summary>
    /// <value><c>type</c></value>
    public string Type { get; set; } = EventFieldNames.Default.Type;

    /// <summary>The field holding the creation time (an RFC 3339 string).</summary>
    /// <value><c>created_at</c></value>
    public string CreatedAt { get; set; } = EventFieldNames.Default.CreatedAt;

    /// <summary>The field holding the event's object (a JSON object).</summary>
    /// <value><c>object</c></value>
    public string Object { get; set; } = EventFieldNames.Default.Object;

    /// <summary>Names that differ on the notifications topic; an unset one is the name above.</summary>
    /// <value>None.</value>
    public EventFieldOverrides Notifications { get; set; } = new();

    /// <summary>Names that differ on the prices topic; an unset one is the name above.</summary>
    /// <value>None.</value>
    public EventFieldOverrides Prices { get; set; } = new();

    /// <summary>The four names in effect for all topics, or for one topic section, each with the setting that gives it.</summary>
    internal EffectiveField[] Effective(string? topicSection = null)
    {
        var overrides = topicSection switch
        {
            null => null,
            nameof(Notifications) => Notifications,
            nameof(Prices) => Prices,
            _ => throw new ArgumentOutOfRangeException(nameof(topicSection), topicSection, null),
        };
        EffectiveField Pick(string field, string name, string? overridden) => overridden is null
            ? new($"{SectionName}:{field}", name)
            : new($"{SectionName}:{topicSection}:{field}", overridden);
        return
        [
            Pick(nameof(Id), Id, overrides?.Id),
            Pick(nameof(Type), Type, overrides?.Type),
            Pick(nameof(CreatedAt), CreatedAt, overrides?.CreatedAt),
            Pick(nameof(Object), Object, overrides?.Object),
        ];
    }

    /// <summary>The names in effect for all topics, or for one topic section.</summary>
    internal EventFieldNames ToNames(string? topicSection = null)
    {
        var fields = Effective(topicSection);
        return new EventFieldNames(fields[0].Name, fields[1].Name, fields[2].Name, fields[3].Name);
    }

    /// <summary>The topic sections that override at least one name.</summary>
    internal IEnumerable<string> OverriddenTopicSections()
    {
        if (!Notifications.IsEmpty) yield return nameof(Notifications);
        if (!Prices.IsEmpty) yield return nameof(Prices);
    }

    internal readonly record struct EffectiveField(string Setting, string Name);
}

/// <summary>Per-topic field names under <c>EventFields:Notifications</c> or <c>EventFields:Prices</c>; null keeps the all-topics name.</summary>
public sealed class EventFieldOverrides
{
    public string? Id { get; set; }
    public string? Type { get; set; }
    public string? CreatedAt { get; set; }
    public string? Object { get; set; }

    internal bool IsEmpty => Id is null && Type is null && CreatedAt is null && Object is null;
}
