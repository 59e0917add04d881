using System.Text;

namespace EventRouter.Validation;

/// <summary>
/// The outcome of validating one event value. A valid result carries the event id and where the
/// type sits in the value, so routing needs no second parse and no string per event.
/// </summary>
public readonly struct EventValidationResult
{
    private readonly int _typeStart;
    private readonly int _typeLength;
    private readonly string? _escapedType;

    private EventValidationResult(PoisonReason reason, string error)
    {
        Reason = reason;
        Error = error;
    }

    private EventValidationResult(Guid id, int typeStart, int typeLength, string? escapedType)
    {
        IsValid = true;
        Id = id;
        _typeStart = typeStart;
        _typeLength = typeLength;
        _escapedType = escapedType;
    }

    public bool IsValid { get; }
    public Guid Id { get; }
    /// <summary>Why the value is poison (meaningless when <see cref="IsValid"/>).</summary>
    public PoisonReason Reason { get; }
    /// <summary>A message naming the offending field; null when valid.</summary>
    public string? Error { get; }

    internal static EventValidationResult Valid(Guid id, int typeStart, int typeLength, string? escapedType)
        => new(id, typeStart, typeLength, escapedType);

    internal static EventValidationResult Invalid(PoisonReason reason, string error) => new(reason, error);

    /// <summary>The raw UTF-8 type, when it contained no JSON escapes (the usual case).</summary>
    internal bool TryGetTypeUtf8(ReadOnlySpan<byte> value, out ReadOnlySpan<byte> type)
    {
        if (_escapedType is null && IsValid)
        {
            type = value.Slice(_typeStart, _typeLength);
            return true;
        }
        type = default;
        return false;
    }

    /// <summary>The event type as a string (allocates unless it needed unescaping).</summary>
    public string GetEventType(ReadOnlySpan<byte> value)
    {
        if (!IsValid) throw new InvalidOperationException("An invalid event has no type.");
        return _escapedType ?? Encoding.UTF8.GetString(value.Slice(_typeStart, _typeLength));
    }
}
