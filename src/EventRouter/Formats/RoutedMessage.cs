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

    // The envelope's member names, written and read only here ("source" is RecordSource's).
    private static readonly JsonEncodedText EventName = JsonEncodedText.Encode("event");
    private static readonly JsonEncodedText EventBlobName = JsonEncodedText.Encode("eventBlob");
    private static readonly JsonEncodedText EventIdName = JsonEncodedText.Encode("eventId");
    private static readonly JsonEncodedText EventTypeName = JsonEncodedText.Encode("eventType");
    private static readonly JsonEncodedText RoutedAtName = JsonEncodedText.Encode("routedAt");
    private static readonly JsonEncodedText TraceParentName = JsonEncodedText.Encode("traceparent");
    private static readonly JsonEncodedText TraceStateName = JsonEncodedText.Encode("tracestate");

    // The router accepts events nested EventValidator.MaxDepth deep and the envelope adds a level;
    // JsonDocument's default (64) would turn such an event into an invalid envelope.
    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = Validation.EventValidator.MaxDepth + 1 };

    /// <summary>The prefix of every blob name an envelope's <c>eventBlob</c> may have.</summary>
    private const string BlobPrefix = "events/";

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
            writer.WritePropertyName(EventName);
            // The event is embedded unchanged (unknown fields, order and spacing preserved).
            writer.WriteRawValue(eventJson, skipInputValidation: true);
            RecordSource.Write(writer, record);
            writer.WriteString(RoutedAtName, routedAt.UtcDateTime);
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
            writer.WriteString(EventBlobName, blobName);
            writer.WriteString(EventIdName, eventId);
            writer.WriteString(EventTypeName, eventType.Length > 256 ? eventType[..256] : eventType);
            RecordSource.Write(writer, record);
            writer.WriteString(RoutedAtName, routedAt.UtcDateTime);
            WriteTraceContext(writer, traceContext);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads a routed message back: its source, routing time and either the event (inline, byte for
    /// byte as routed) or the name of the blob holding it, and the trace context of the span that
    /// wrote it. Never throws: a message that is not a routed envelope has an <see cref="RoutedEnvelope.Error"/>,
    /// and keeps the trace context it carries, if any, so that even its poisoning links to the batch.
    /// </summary>
    public static RoutedEnvelope Read(ReadOnlyMemory<byte> message)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message, ReadOptions);
        }
        catch (JsonException ex)
        {
            return RoutedEnvelope.Invalid("message is not JSON: " + ex.Message, default);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return RoutedEnvelope.Invalid("message is not a JSON object", default);
            var traceContext = ReadTraceContext(root);
            if (!RecordSource.TryRead(root, out var source)) return RoutedEnvelope.Invalid("message has no valid 'source'", traceContext);
            if (FormatReading.Time(root, RoutedAtName) is not { } routedAt) return RoutedEnvelope.Invalid("message has no valid 'routedAt'", traceContext);

            if (root.TryGetProperty(EventName.EncodedUtf8Bytes, out var inline))
            {
                // The raw bytes of the element: the original event, unchanged.
                return new RoutedEnvelope(source, routedAt, System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(inline).ToArray(), null, traceContext);
            }
            if (FormatReading.String(root, EventBlobName) is { } blobName && IsPayloadBlobName(blobName))
            {
                return new RoutedEnvelope(source, routedAt, null, blobName, traceContext);
            }
            return RoutedEnvelope.Invalid("message has neither 'event' nor a valid 'eventBlob'", traceContext);
        }
    }

    /// <summary>
    /// The event id and type a routed message names without reading the event: the offloaded form's
    /// <c>eventId</c> and <c>eventType</c>; nulls for the inline form (its event has them) or anything else.
    /// </summary>
    public static (string? Id, string? Type) ReadOffloadedIdentity(JsonElement message) =>
        (FormatReading.String(message, EventIdName), FormatReading.String(message, EventTypeName));

    /// <summary>The inline event of a routed message, when <paramref name="message"/> is one.</summary>
    public static bool TryGetInlineEvent(JsonElement message, out JsonElement eventElement)
    {
        eventElement = default;
        return message.ValueKind == JsonValueKind.Object && message.TryGetProperty(EventName.EncodedUtf8Bytes, out eventElement);
    }

    // Only names our own router writes (events/<topic>/<partition>/<offset>.json) are followed.
    private static bool IsPayloadBlobName(string name) =>
        name.StartsWith(BlobPrefix, StringComparison.Ordinal) && !name.Contains("..", StringComparison.Ordinal) && name.Length < 1024;

    /// <summary>
    /// The top-level <c>"traceparent"</c> and <c>"tracestate"</c>, as a remote context; none for a message
    /// without one (written before envelopes carried it, or with no span current) or a malformed one.
    /// </summary>
    private static ActivityContext ReadTraceContext(JsonElement root)
    {
        string? traceParent, traceState;
        try
        {
            traceParent = FormatReading.String(root, TraceParentName);
            traceState = FormatReading.String(root, TraceStateName);
        }
        catch (InvalidOperationException)
        {
            return default; // an escaped unpaired surrogate in a string we read: not a trace context we wrote
        }
        return traceParent is { Length: TraceParentLength }
            && traceParent.AsSpan(3, 32).IndexOfAnyExcept('0') >= 0 && traceParent.AsSpan(36, 16).IndexOfAnyExcept('0') >= 0 // all zeros: invalid in W3C
            && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parsed)
                ? parsed
                : default;
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
        writer.WriteString(TraceParentName, traceParent);
        if (context.TraceState is { Length: > 0 and <= MaxTraceStateLength } traceState) writer.WriteString(TraceStateName, traceState);
    }

    /// <summary>Blob name of an offloaded event: unique per record and stable across redeliveries.</summary>
    public static string BlobName(InboundRecord record) => $"{BlobPrefix}{record.Topic}/{record.Partition}/{record.Offset}.json";
}

/// <summary>
/// A routed message as <see cref="RoutedMessage.Read"/> found it: the event inline or the blob that
/// holds it, where it came from, when it was routed, and the trace context of the routing batch.
/// </summary>
public sealed class RoutedEnvelope
{
    internal RoutedEnvelope(KafkaSource source, DateTimeOffset routedAt, ReadOnlyMemory<byte>? inlineEvent, string? eventBlob, ActivityContext traceContext)
    {
        Source = source;
        RoutedAt = routedAt;
        InlineEvent = inlineEvent;
        EventBlob = eventBlob;
        TraceContext = traceContext;
    }

    internal static RoutedEnvelope Invalid(string error, ActivityContext traceContext) => new(default, default, null, null, traceContext) { Error = error };

    /// <summary>Why the message is not a routed envelope; null when it is one.</summary>
    public string? Error { get; private init; }
    public KafkaSource Source { get; }
    public DateTimeOffset RoutedAt { get; }
    /// <summary>The event, byte for byte as routed, for the inline form; null for the offloaded form.</summary>
    public ReadOnlyMemory<byte>? InlineEvent { get; }
    /// <summary>The blob in the payload container holding the event, for the offloaded form (a name the router writes).</summary>
    public string? EventBlob { get; }
    /// <summary>The W3C context of the span that wrote the message; <c>default</c> when it carries none.</summary>
    public ActivityContext TraceContext { get; }
}
