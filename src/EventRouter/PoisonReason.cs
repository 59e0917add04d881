namespace EventRouter;

/// <summary>
/// Why a record or queue message was poisoned. The codes (<see cref="PoisonReasonCodes"/>) are part
/// of the message format and of metric tags: never rename one.
/// </summary>
public enum PoisonReason
{
    /// <summary>Null (tombstone) or zero-length value.</summary>
    EmptyValue,
    /// <summary>The value is not valid UTF-8.</summary>
    NotUtf8,
    /// <summary>The value is not well-formed JSON (including trailing data, a byte order mark, or nesting too deep).</summary>
    InvalidJson,
    /// <summary>The JSON is not an object.</summary>
    NotAnObject,
    /// <summary>A required field (id, created_at, type, object, or their configured names) is missing.</summary>
    MissingField,
    /// <summary>A required field has the wrong JSON type.</summary>
    WrongType,
    /// <summary>A required field appears more than once.</summary>
    DuplicateField,
    /// <summary>The id field is not a UUID.</summary>
    InvalidId,
    /// <summary>The created_at field is not an RFC 3339 date-time.</summary>
    InvalidCreatedAt,
    /// <summary>The type field is an empty string.</summary>
    EmptyType,
    /// <summary>Queue stage: a handler kept failing until the message reached the maximum dequeue count.</summary>
    MaxDequeueCountExceeded,
    /// <summary>Queue stage: the queue message is not an EventRouter envelope.</summary>
    InvalidEnvelope,
}

/// <summary>The stable, kebab-case wire codes of <see cref="PoisonReason"/>.</summary>
public static class PoisonReasonCodes
{
    public static string ToCode(this PoisonReason reason) => reason switch
    {
        PoisonReason.EmptyValue => "empty-value",
        PoisonReason.NotUtf8 => "not-utf8",
        PoisonReason.InvalidJson => "invalid-json",
        PoisonReason.NotAnObject => "not-an-object",
        PoisonReason.MissingField => "missing-field",
        PoisonReason.WrongType => "wrong-type",
        PoisonReason.DuplicateField => "duplicate-field",
        PoisonReason.InvalidId => "invalid-id",
        PoisonReason.InvalidCreatedAt => "invalid-created-at",
        PoisonReason.EmptyType => "empty-type",
        PoisonReason.MaxDequeueCountExceeded => "max-dequeue-count-exceeded",
        PoisonReason.InvalidEnvelope => "invalid-envelope",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    public static bool TryParse(string code, out PoisonReason reason)
    {
        foreach (var candidate in Enum.GetValues<PoisonReason>())
        {
            if (candidate.ToCode() == code) { reason = candidate; return true; }
        }
        reason = default;
        return false;
    }
}
