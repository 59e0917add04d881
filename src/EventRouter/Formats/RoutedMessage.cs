using System.Buffers;
using System.Diagnostics;
using System.Text.Json;

namespace EventRouter.Formats;

/// <summary>
/// Builds the message a routed event becomes:
/// <c>{"event": &lt;the original event, byte for byte&gt;, "source": {...}, "routedAt": "..."}</c>, or, when
/// that would not fit a queue message, <c>{"eventBlob": "&lt;blob name&gt;", "eventId", "eventType", "source", "routedAt"}</c>
/// with the event stored in the <c>event-payloads</c> container. Both forms carry the W3C
/// <c>"traceparent"</c> (and <c>"tracestate"</c>, when there is one) of the span that wrote them, so the
/// queue stage can link its span to the routing batch's; envelopes written before that have neither.
/// </summary>
public static class RoutedMessage
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    // Scratch buffer and writer reused per thread, so the message array is the only allocation per
    // event (was: buffer, writer and the copy). Create never awaits, so nothing else can use them
    // meanwhile. A buffer grown past MaxRetainedScratchBytes by a big event is dropped after use.
    private const int MaxRetainedScratchBytes = 64 * 1024;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    // W3C Trace Context: version "00", 32 hex trace id, 16 hex span id, 2 hex flags, dash-separated.
    private const int TraceParentLength = 55;
    // The W3C limit of a tracestate header; a longer one is not carried (the link keeps the ids).
    private const int MaxTraceStateLength = 512;

    /// <summary>
    /// Serialises the inline form, carrying the trace context of <see cref="Activity.Current"/> (the
    /// routing batch's span while the router writes). <paramref name="eventJson"/> must already be validated.
    /// </summary>
    public static byte[] Create(ReadOnlySpan<byte> eventJson, InboundRecord record, DateTimeOffset routedAt) =>
        Create(eventJson, record, routedAt, CurrentTraceContext());

    /// <summary>Serialises the inline form with the given trace context (<c>default</c>: none).</summary>
    public static byte[] Create(ReadOnlySpan<byte> eventJson, InboundRecord record, DateTimeOffset routedAt, ActivityContext traceContext)
    {
        var buffer = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        try
        {
            writer.WriteStartObject();
            writer.WritePropertyName("event"u8);
            // The event is embedded unchanged (unknown fields, order and spacing preserved).
            writer.WriteRawValue(eventJson, skipInputValidation: true);
            RecordSource.Write(writer, record);
            writer.WriteString("routedAt"u8, routedAt.UtcDateTime);
            WriteTraceContext(writer, traceContext);
            writer.WriteEndObject();
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity > MaxRetainedScratchBytes)
            {
                t_scratch = null;
                t_writer = null;
            }
        }
    }

    /// <summary>
    /// Serialises the offloaded form, pointing at a blob in <see cref="Routing.RoutingDefaults.PayloadContainer"/>,
    /// with the trace context of <see cref="Activity.Current"/>.
    /// </summary>
    public static byte[] CreateOffloaded(string blobName, Guid eventId, string eventType, InboundRecord record, DateTimeOffset routedAt) =>
        CreateOffloaded(blobName, eventId, eventType, record, routedAt, CurrentTraceContext());

    /// <summary>Serialises the offloaded form with the given trace context (<c>default</c>: none).</summary>
    public static byte[] CreateOffloaded(string blobName, Guid eventId, string eventType, InboundRecord record, DateTimeOffset routedAt,
        ActivityContext traceContext)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("eventBlob"u8, blobName);
            writer.WriteString("eventId"u8, eventId);
            writer.WriteString("eventType"u8, eventType.Length > 256 ? eventType[..256] : eventType);
            RecordSource.Write(writer, record);
            writer.WriteString("routedAt"u8, routedAt.UtcDateTime);
            WriteTraceContext(writer, traceContext);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The trace context a routed message carries, read without parsing the event: the top-level
    /// <c>"traceparent"</c> and <c>"tracestate"</c>, as a remote context. False for a message without
    /// one (written before envelopes carried it, or with no span current), a malformed one, or a
    /// message that is not a JSON object: the queue stage then starts its span without a link.
    /// </summary>
    public static bool TryReadTraceContext(ReadOnlySpan<byte> message, out ActivityContext traceContext)
    {
        traceContext = default;
        string? traceParent = null;
        string? traceState = null;
        try
        {
            var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isParent = reader.ValueTextEquals("traceparent"u8);
                var isState = !isParent && reader.ValueTextEquals("tracestate"u8);
                if (!reader.Read()) return false;
                if (isParent && reader.TokenType == JsonTokenType.String) traceParent = reader.GetString();
                else if (isState && reader.TokenType == JsonTokenType.String) traceState = reader.GetString();
                else reader.Skip(); // the event itself and every other member, unread
            }
        }
        catch (JsonException)
        {
            // Not an envelope the queue stage can read: it goes to <queue>-poison, unlinked.
        }
        catch (InvalidOperationException)
        {
            // An escaped unpaired surrogate in a string we read: not a trace context we wrote.
        }
        if (traceParent is { Length: TraceParentLength }
            && traceParent.AsSpan(3, 32).IndexOfAnyExcept('0') >= 0 && traceParent.AsSpan(36, 16).IndexOfAnyExcept('0') >= 0 // all zeros: invalid in W3C
            && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parsed))
        {
            traceContext = parsed;
            return true;
        }
        return false;
    }

    /// <summary>The context of the current span, when it has W3C ids (the .NET default); otherwise none.</summary>
    private static ActivityContext CurrentTraceContext() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Context : default;

    private static void WriteTraceContext(Utf8JsonWriter writer, ActivityContext context)
    {
        if (context.TraceId == default || context.SpanId == default) return;
        // ToHexString returns the id's own string (no allocation); CopyTo(Span<byte>) would give raw bytes.
        Span<char> traceParent = stackalloc char[TraceParentLength];
        "00-".CopyTo(traceParent);
        context.TraceId.ToHexString().CopyTo(traceParent[3..35]);
        traceParent[35] = '-';
        context.SpanId.ToHexString().CopyTo(traceParent[36..52]);
        traceParent[52] = '-';
        ((byte)context.TraceFlags).TryFormat(traceParent[53..], out _, "x2", System.Globalization.CultureInfo.InvariantCulture);
        writer.WriteString("traceparent"u8, traceParent);
        if (context.TraceState is { Length: > 0 and <= MaxTraceStateLength } traceState) writer.WriteString("tracestate"u8, traceState);
    }

    /// <summary>Blob name of an offloaded event: unique per record and stable across redeliveries.</summary>
    public static string BlobName(InboundRecord record) => $"events/{record.Topic}/{record.Partition}/{record.Offset}.json";
}
