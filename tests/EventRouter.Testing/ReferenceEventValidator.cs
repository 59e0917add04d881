using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;
using EventRouter.Validation;

namespace EventRouter.Testing;

/// <summary>
/// The oracle for <see cref="EventValidator"/>: the validator exactly as it was before its
/// performance work (commit bc793ba), with the RFC 3339 check of that time (<see cref="ReferenceRfc3339"/>),
/// kept only so that tests can require the fast one to give the same result, message and id for
/// every input. A deliberate change of behaviour must be made here too. It is the simple form of the
/// same rules: one forward pass with <see cref="Utf8JsonReader"/>, each field name compared with
/// <see cref="Utf8JsonReader.ValueTextEquals(ReadOnlySpan{byte})"/>, the id parsed by
/// <see cref="Utf8Parser"/>, and each failure built where it is found.
/// </summary>
internal static class ReferenceEventValidator
{
    /// <summary>Deeper nesting than this is rejected as invalid JSON (bounds stack and time on hostile input).</summary>
    public const int MaxDepth = 64;

    // A UUID is 36 ASCII characters; escaped, each is at most a 6-byte \uXXXX.
    private const int MaxEscapedUuidBytes = 36 * 6;
    private const int MaxStackScalarBytes = 256;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    [Flags]
    private enum Seen { None = 0, Id = 1, CreatedAt = 2, Type = 4, Object = 8 }

    /// <summary>Validates with the provider's field names (<see cref="EventFieldNames.Default"/>).</summary>
    public static EventValidationResult Validate(ReadOnlySpan<byte> value) => Validate(value, EventFieldNames.Default);

    /// <summary>Validates with the field names of <paramref name="fields"/>.</summary>
    public static EventValidationResult Validate(ReadOnlySpan<byte> value, EventFieldNames fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (value.IsEmpty) return EventValidationResult.Invalid(PoisonReason.EmptyValue, "value is empty");
        if (!Utf8.IsValid(value)) return EventValidationResult.Invalid(PoisonReason.NotUtf8, "value is not valid UTF-8");
        if (value.StartsWith("\uFEFF"u8))
        {
            return EventValidationResult.Invalid(PoisonReason.InvalidJson, "value starts with a UTF-8 byte order mark, which JSON on the wire must not carry");
        }

        var reader = new Utf8JsonReader(value, ReaderOptions);
        try
        {
            return ReadEvent(ref reader, fields);
        }
        catch (JsonException ex)
        {
            return EventValidationResult.Invalid(PoisonReason.InvalidJson, "value is not valid JSON: " + ex.Message);
        }
    }

    private static EventValidationResult ReadEvent(ref Utf8JsonReader reader, EventFieldNames fields)
    {
        if (!reader.Read()) return EventValidationResult.Invalid(PoisonReason.InvalidJson, "value is not valid JSON: it holds no value");
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            var kind = reader.TokenType;
            reader.Skip();
            EnsureEnd(ref reader);
            return EventValidationResult.Invalid(PoisonReason.NotAnObject, $"value is a JSON {Describe(kind)}, not an object");
        }

        var seen = Seen.None;
        EventValidationResult? failure = null;
        Guid id = default;
        int typeStart = 0, typeLength = 0;
        string? escapedType = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Identify(ref reader, fields);
            reader.Read();
            if (field == Seen.None || failure is not null)
            {
                reader.Skip();
                continue;
            }
            if ((seen & field) != 0)
            {
                failure = EventValidationResult.Invalid(PoisonReason.DuplicateField, $"field '{Name(field, fields)}' appears more than once");
                reader.Skip();
                continue;
            }
            seen |= field;
            failure = field switch
            {
                Seen.Id => ReadId(ref reader, fields, out id),
                Seen.CreatedAt => ReadCreatedAt(ref reader, fields),
                Seen.Type => ReadType(ref reader, fields, out typeStart, out typeLength, out escapedType),
                _ => ReadObject(ref reader, fields),
            };
        }
        EnsureEnd(ref reader);

        if (failure is { } f) return f;
        foreach (var required in (ReadOnlySpan<Seen>)[Seen.Id, Seen.CreatedAt, Seen.Type, Seen.Object])
        {
            if ((seen & required) == 0)
            {
                return EventValidationResult.Invalid(PoisonReason.MissingField, $"field '{Name(required, fields)}' is missing");
            }
        }
        return EventValidationResult.Valid(id, typeStart, typeLength, escapedType);
    }

    /// <summary>After the root value only whitespace may follow; the reader throws on anything else.</summary>
    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        if (reader.Read()) throw new JsonException("data follows the end of the JSON value");
    }

    private static Seen Identify(ref Utf8JsonReader reader, EventFieldNames fields)
    {
        try
        {
            return IdentifyName(ref reader, fields);
        }
        catch (InvalidOperationException)
        {
            // An escaped unpaired surrogate in a member name ("\uD800"): none of ours, so an unknown field.
            return Seen.None;
        }
    }

    // The names are distinct (EventFieldNames guarantees it), so at most one comparison matches.
    private static Seen IdentifyName(ref Utf8JsonReader reader, EventFieldNames fields)
    {
        if (reader.ValueTextEquals(fields.IdUtf8)) return Seen.Id;
        if (reader.ValueTextEquals(fields.CreatedAtUtf8)) return Seen.CreatedAt;
        if (reader.ValueTextEquals(fields.TypeUtf8)) return Seen.Type;
        if (reader.ValueTextEquals(fields.ObjectUtf8)) return Seen.Object;
        return Seen.None;
    }

    private static EventValidationResult? ReadId(ref Utf8JsonReader reader, EventFieldNames fields, out Guid id)
    {
        id = default;
        if (reader.TokenType != JsonTokenType.String) return WrongType(ref reader, fields.Id, "a string");
        var ok = reader.ValueIsEscaped ? IsEscapedUuid(ref reader, out id) : IsUuid(reader.ValueSpan, out id);
        return ok ? null : EventValidationResult.Invalid(PoisonReason.InvalidId, fields.Errors.IdNotUuid);
    }

    private static EventValidationResult? ReadCreatedAt(ref Utf8JsonReader reader, EventFieldNames fields)
    {
        if (reader.TokenType != JsonTokenType.String) return WrongType(ref reader, fields.CreatedAt, "a string");
        var ok = reader.ValueIsEscaped ? IsEscapedRfc3339(ref reader) : ReferenceRfc3339.IsValid(reader.ValueSpan);
        return ok ? null : EventValidationResult.Invalid(PoisonReason.InvalidCreatedAt, fields.Errors.CreatedAtNotRfc3339);
    }

    private static bool IsUuid(ReadOnlySpan<byte> text, out Guid id)
    {
        id = default;
        return text.Length == 36 && Utf8Parser.TryParse(text, out id, out var consumed, 'D') && consumed == 36;
    }

    // Escaped scalars are rare (a client wrote "\u0030..."). Unescaping never lengthens a string,
    // so a buffer as long as the escaped form always holds the text.
    private static bool IsEscapedUuid(ref Utf8JsonReader reader, out Guid id)
    {
        id = default;
        if (reader.ValueSpan.Length > MaxEscapedUuidBytes) return false;
        Span<byte> buffer = stackalloc byte[MaxEscapedUuidBytes];
        if (!TryCopyString(ref reader, buffer, out var written)) return false;
        return IsUuid(buffer[..written], out id);
    }

    private static bool IsEscapedRfc3339(ref Utf8JsonReader reader)
    {
        // No length cap: the unescaped form accepts any number of fraction digits, so the escaped form must too.
        var length = reader.ValueSpan.Length;
        byte[]? rented = null;
        var buffer = length <= MaxStackScalarBytes
            ? stackalloc byte[MaxStackScalarBytes]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            return TryCopyString(ref reader, buffer, out var written) && ReferenceRfc3339.IsValid(buffer[..written]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static EventValidationResult? ReadType(ref Utf8JsonReader reader, EventFieldNames fields, out int start, out int length, out string? escaped)
    {
        start = length = 0;
        escaped = null;
        if (reader.TokenType != JsonTokenType.String) return WrongType(ref reader, fields.Type, "a string");
        if (reader.ValueIsEscaped)
        {
            try
            {
                escaped = reader.GetString();
            }
            catch (InvalidOperationException)
            {
                // "\uD800" without its pair: well-formed JSON grammar, but not Unicode text, so no
                // route (and no handler's JSON parser) could read the type.
                return EventValidationResult.Invalid(PoisonReason.InvalidJson, fields.Errors.TypeNotUnicode);
            }
            if (string.IsNullOrEmpty(escaped)) return EventValidationResult.Invalid(PoisonReason.EmptyType, fields.Errors.TypeEmpty);
            return null;
        }
        if (reader.ValueSpan.IsEmpty) return EventValidationResult.Invalid(PoisonReason.EmptyType, fields.Errors.TypeEmpty);
        // For a span-backed reader the value sits right after the opening quote.
        start = checked((int)reader.TokenStartIndex + 1);
        length = reader.ValueSpan.Length;
        return null;
    }

    /// <summary>
    /// Unescapes the current string; false for an escaped unpaired surrogate (<c>"\uD800"</c>), which
    /// is not Unicode text and on which <see cref="Utf8JsonReader.CopyString(Span{byte})"/> throws
    /// <see cref="InvalidOperationException"/>, not <see cref="JsonException"/>.
    /// </summary>
    private static bool TryCopyString(ref Utf8JsonReader reader, scoped Span<byte> buffer, out int written)
    {
        try
        {
            written = reader.CopyString(buffer);
            return true;
        }
        catch (InvalidOperationException)
        {
            written = 0;
            return false;
        }
    }

    private static EventValidationResult? ReadObject(ref Utf8JsonReader reader, EventFieldNames fields)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return WrongType(ref reader, fields.Object, "an object");
        reader.Skip();
        return null;
    }

    private static EventValidationResult WrongType(ref Utf8JsonReader reader, string fieldName, string expected)
    {
        var found = reader.TokenType;
        reader.Skip();
        return EventValidationResult.Invalid(PoisonReason.WrongType, $"field '{fieldName}' must be {expected}, found {Describe(found)}");
    }

    private static string Name(Seen field, EventFieldNames fields) => field switch
    {
        Seen.Id => fields.Id,
        Seen.CreatedAt => fields.CreatedAt,
        Seen.Type => fields.Type,
        _ => fields.Object,
    };

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
