using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace EventRouter.Validation;

/// <summary>
/// Checks that a record value is one provider event: a JSON object with <c>id</c> (UUID string),
/// <c>created_at</c> (RFC 3339 string), <c>type</c> (non-empty string) and <c>object</c> (object),
/// or the fields an <see cref="EventFieldNames"/> names instead; errors name the field as configured.
/// Unknown fields are accepted. One forward pass with <see cref="Utf8JsonReader"/>, no DOM, and no
/// allocation for a valid event; never throws for bad input.
/// </summary>
public static class EventValidator
{
    /// <summary>Deeper nesting than this is rejected as invalid JSON (bounds stack and time on hostile input).</summary>
    public const int MaxDepth = 64;

    // A UUID is 36 ASCII characters; escaped, each is at most a 6-byte \uXXXX.
    private const int MaxEscapedUuidBytes = Uuid.Length * 6;
    private const int MaxStackScalarBytes = 256;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    [Flags]
    private enum Seen { None = 0, Id = 1, CreatedAt = 2, Type = 4, Object = 8, All = Id | CreatedAt | Type | Object }

    /// <summary>What is wrong with one field's value, if anything; <see cref="Failure"/> makes the message.</summary>
    private enum Problem : byte { None, WrongType, NotUuid, NotRfc3339, TypeEmpty, TypeNotUnicode }

    /// <summary>Validates with the provider's field names (<see cref="EventFieldNames.Default"/>).</summary>
    public static EventValidationResult Validate(ReadOnlySpan<byte> value) => Validate(value, EventFieldNames.Default);

    /// <summary>Validates with the field names of <paramref name="fields"/>.</summary>
    public static EventValidationResult Validate(ReadOnlySpan<byte> value, EventFieldNames fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (value.IsEmpty) return EventValidationResult.Invalid(PoisonReason.EmptyValue, "value is empty");
        // ASCII is valid UTF-8, and checking for it alone is cheaper than the full UTF-8 check (figures in
        // docs/performance.md, "Limits and costs the code is sized by"): most events are ASCII.
        if (!Ascii.IsValid(value) && !Utf8.IsValid(value)) return EventValidationResult.Invalid(PoisonReason.NotUtf8, "value is not valid UTF-8");
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
        if (reader.TokenType != JsonTokenType.StartObject) return NotAnObject(ref reader);

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
                SkipValue(ref reader);
                continue;
            }
            if ((seen & field) != 0)
            {
                failure = Duplicate(field, fields);
                reader.Skip();
                continue;
            }
            seen |= field;
            var problem = field switch
            {
                Seen.Id => ReadId(ref reader, out id),
                Seen.CreatedAt => ReadCreatedAt(ref reader),
                Seen.Type => ReadType(ref reader, out typeStart, out typeLength, out escapedType),
                _ => ReadObject(ref reader),
            };
            if (problem != Problem.None) failure = Failure(ref reader, field, problem, fields);
        }
        EnsureEnd(ref reader);

        if (failure is { } f) return f;
        if (seen != Seen.All) return Missing(seen, fields);
        return EventValidationResult.Valid(id, typeStart, typeLength, escapedType);
    }

    /// <summary>After the root value only whitespace may follow; the reader throws on anything else.</summary>
    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        if (reader.Read()) throw new JsonException("data follows the end of the JSON value");
    }

    /// <summary>
    /// <see cref="Utf8JsonReader.Skip"/> reads to the end of an object or array and does nothing for
    /// any other value, so it is called only for those two.
    /// </summary>
    private static void SkipValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
    }

    private static Seen Identify(ref Utf8JsonReader reader, EventFieldNames fields)
    {
        // A name without escapes is its own bytes: compared directly, as ValueTextEquals would after
        // checking the token type and the escapes again for each of the four names.
        return reader.ValueIsEscaped ? IdentifyEscaped(ref reader, fields) : IdentifyName(reader.ValueSpan, fields);
    }

    // The names are distinct (EventFieldNames guarantees it), so at most one comparison matches.
    private static Seen IdentifyName(ReadOnlySpan<byte> name, EventFieldNames fields)
    {
        if (name.SequenceEqual(fields.IdUtf8)) return Seen.Id;
        if (name.SequenceEqual(fields.CreatedAtUtf8)) return Seen.CreatedAt;
        if (name.SequenceEqual(fields.TypeUtf8)) return Seen.Type;
        if (name.SequenceEqual(fields.ObjectUtf8)) return Seen.Object;
        return Seen.None;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Seen IdentifyEscaped(ref Utf8JsonReader reader, EventFieldNames fields)
    {
        try
        {
            if (reader.ValueTextEquals(fields.IdUtf8)) return Seen.Id;
            if (reader.ValueTextEquals(fields.CreatedAtUtf8)) return Seen.CreatedAt;
            if (reader.ValueTextEquals(fields.TypeUtf8)) return Seen.Type;
            if (reader.ValueTextEquals(fields.ObjectUtf8)) return Seen.Object;
            return Seen.None;
        }
        catch (InvalidOperationException)
        {
            // An escaped unpaired surrogate in a member name ("\uD800"): none of ours, so an unknown field.
            return Seen.None;
        }
    }

    // The Read* checks below only find the problem; Failure turns it into the poison result, out of
    // line, so the per-event loop carries no message building and keeps a small stack frame.

    private static Problem ReadId(ref Utf8JsonReader reader, out Guid id)
    {
        id = default;
        if (reader.TokenType != JsonTokenType.String) return Problem.WrongType;
        var ok = reader.ValueIsEscaped ? IsEscapedUuid(ref reader, out id) : Uuid.TryParse(reader.ValueSpan, out id);
        return ok ? Problem.None : Problem.NotUuid;
    }

    private static Problem ReadCreatedAt(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String) return Problem.WrongType;
        var ok = reader.ValueIsEscaped ? IsEscapedRfc3339(ref reader) : Rfc3339.IsValid(reader.ValueSpan);
        return ok ? Problem.None : Problem.NotRfc3339;
    }

    // Escaped scalars are rare (a client wrote "\u0030..."). Unescaping never lengthens a string,
    // so a buffer as long as the escaped form always holds the text.
    private static bool IsEscapedUuid(ref Utf8JsonReader reader, out Guid id)
    {
        id = default;
        if (reader.ValueSpan.Length > MaxEscapedUuidBytes) return false;
        Span<byte> buffer = stackalloc byte[MaxEscapedUuidBytes];
        if (!TryCopyString(ref reader, buffer, out var written)) return false;
        return Uuid.TryParse(buffer[..written], out id);
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
            return TryCopyString(ref reader, buffer, out var written) && Rfc3339.IsValid(buffer[..written]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static Problem ReadType(ref Utf8JsonReader reader, out int start, out int length, out string? escaped)
    {
        start = length = 0;
        escaped = null;
        if (reader.TokenType != JsonTokenType.String) return Problem.WrongType;
        if (reader.ValueIsEscaped) return ReadEscapedType(ref reader, out escaped);
        if (reader.ValueSpan.IsEmpty) return Problem.TypeEmpty;
        // For a span-backed reader the value sits right after the opening quote.
        start = checked((int)reader.TokenStartIndex + 1);
        length = reader.ValueSpan.Length;
        return Problem.None;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Problem ReadEscapedType(ref Utf8JsonReader reader, out string? escaped)
    {
        try
        {
            escaped = reader.GetString();
        }
        catch (InvalidOperationException)
        {
            // "\uD800" without its pair: well-formed JSON grammar, but not Unicode text, so no
            // route (and no handler's JSON parser) could read the type.
            escaped = null;
            return Problem.TypeNotUnicode;
        }
        return string.IsNullOrEmpty(escaped) ? Problem.TypeEmpty : Problem.None;
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

    private static Problem ReadObject(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return Problem.WrongType;
        reader.Skip();
        return Problem.None;
    }

    /// <summary>The poison result for <paramref name="problem"/>, found in <paramref name="field"/>'s value (the reader still on it).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static EventValidationResult Failure(ref Utf8JsonReader reader, Seen field, Problem problem, EventFieldNames fields) => problem switch
    {
        Problem.WrongType => WrongType(ref reader, Name(field, fields), field == Seen.Object ? "an object" : "a string"),
        Problem.NotUuid => EventValidationResult.Invalid(PoisonReason.InvalidId, fields.Errors.IdNotUuid),
        Problem.NotRfc3339 => EventValidationResult.Invalid(PoisonReason.InvalidCreatedAt, fields.Errors.CreatedAtNotRfc3339),
        Problem.TypeNotUnicode => EventValidationResult.Invalid(PoisonReason.InvalidJson, fields.Errors.TypeNotUnicode),
        _ => EventValidationResult.Invalid(PoisonReason.EmptyType, fields.Errors.TypeEmpty),
    };

    private static EventValidationResult WrongType(ref Utf8JsonReader reader, string fieldName, string expected)
    {
        var found = reader.TokenType;
        reader.Skip();
        return EventValidationResult.Invalid(PoisonReason.WrongType, $"field '{fieldName}' must be {expected}, found {Describe(found)}");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static EventValidationResult NotAnObject(ref Utf8JsonReader reader)
    {
        var kind = reader.TokenType;
        reader.Skip();
        EnsureEnd(ref reader);
        return EventValidationResult.Invalid(PoisonReason.NotAnObject, $"value is a JSON {Describe(kind)}, not an object");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static EventValidationResult Duplicate(Seen field, EventFieldNames fields)
        => EventValidationResult.Invalid(PoisonReason.DuplicateField, $"field '{Name(field, fields)}' appears more than once");

    /// <summary>The first of the four fields, in the order id, created_at, type, object, that <paramref name="seen"/> lacks.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static EventValidationResult Missing(Seen seen, EventFieldNames fields)
    {
        foreach (var required in (ReadOnlySpan<Seen>)[Seen.Id, Seen.CreatedAt, Seen.Type, Seen.Object])
        {
            if ((seen & required) == 0)
            {
                return EventValidationResult.Invalid(PoisonReason.MissingField, $"field '{Name(required, fields)}' is missing");
            }
        }
        throw new UnreachableException("every field was seen");
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
