using System.Text;

namespace EventRouter.Validation;

/// <summary>
/// Which JSON fields of an event hold its id, type, creation time and object. The provider's
/// events use <c>id</c>, <c>type</c>, <c>created_at</c> and <c>object</c> (<see cref="Default"/>);
/// another stream may call them <c>event_id</c>, <c>event_type</c>, <c>timestamp</c> and <c>data</c>.
/// The UTF-8 forms are computed once here, so comparing a member name costs the validator what a
/// literal did. Names are matched exactly (ordinal, case-sensitive) against the unescaped member name.
/// </summary>
public sealed class EventFieldNames
{
    /// <summary>Longest accepted name; a longer one is a configuration mistake, not a field.</summary>
    public const int MaxNameLength = 128;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _idUtf8;
    private readonly byte[] _typeUtf8;
    private readonly byte[] _createdAtUtf8;
    private readonly byte[] _objectUtf8;

    /// <summary>The provider's names: <c>id</c>, <c>type</c>, <c>created_at</c>, <c>object</c>.</summary>
    public static EventFieldNames Default { get; } = new("id", "type", "created_at", "object");

    /// <exception cref="ArgumentException">A name is empty, too long, not text, or used twice.</exception>
    public EventFieldNames(string id, string type, string createdAt, string @object)
    {
        foreach (var (parameter, name) in new[] { (nameof(id), id), (nameof(type), type), (nameof(createdAt), createdAt), (nameof(@object), @object) })
        {
            if (Problem(name) is { } problem) throw new ArgumentException($"The field name {problem}.", parameter);
        }
        if (new HashSet<string>([id, type, createdAt, @object], StringComparer.Ordinal).Count != 4)
        {
            throw new ArgumentException($"Each field needs its own name (got id '{id}', type '{type}', created_at '{createdAt}', object '{@object}').");
        }
        Id = id;
        Type = type;
        CreatedAt = createdAt;
        Object = @object;
        _idUtf8 = Encoding.UTF8.GetBytes(id);
        _typeUtf8 = Encoding.UTF8.GetBytes(type);
        _createdAtUtf8 = Encoding.UTF8.GetBytes(createdAt);
        _objectUtf8 = Encoding.UTF8.GetBytes(@object);
        Errors = new EventFieldErrors(this);
    }

    /// <summary>The field holding the event id (a UUID string).</summary>
    public string Id { get; }
    /// <summary>The field holding the event type (<c>CATEGORY.ACTION</c>, the routing key).</summary>
    public string Type { get; }
    /// <summary>The field holding the creation time (an RFC 3339 string).</summary>
    public string CreatedAt { get; }
    /// <summary>The field holding the event's object (its business data, a JSON object).</summary>
    public string Object { get; }

    internal ReadOnlySpan<byte> IdUtf8 => _idUtf8;
    internal ReadOnlySpan<byte> TypeUtf8 => _typeUtf8;
    internal ReadOnlySpan<byte> CreatedAtUtf8 => _createdAtUtf8;
    internal ReadOnlySpan<byte> ObjectUtf8 => _objectUtf8;
    internal EventFieldErrors Errors { get; }

    public override string ToString() => $"id '{Id}', type '{Type}', created_at '{CreatedAt}', object '{Object}'";

    /// <summary>
    /// Why <paramref name="name"/> cannot name a field (completing "the field name …"), or null.
    /// Shared with the start-up check, which adds the setting.
    /// </summary>
    internal static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "is empty";
        if (string.IsNullOrWhiteSpace(name)) return "is only whitespace";
        if (name.Length > MaxNameLength) return $"is {name.Length} characters long (at most {MaxNameLength})";
        // Surrounding spaces and control characters are near-certainly a pasting mistake, and
        // would make the name unreadable in the messages that quote it.
        if (char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1])) return $"'{name}' starts or ends with whitespace";
        if (name.Any(char.IsControl)) return "contains a control character";
        try
        {
            StrictUtf8.GetByteCount(name);
        }
        catch (EncoderFallbackException)
        {
            // An unpaired surrogate: no JSON member name unescapes to it, so the field could never match.
            return "is not Unicode text (unpaired surrogate)";
        }
        return null;
    }
}
