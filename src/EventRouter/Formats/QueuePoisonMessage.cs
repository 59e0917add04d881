using System.Buffers;
using System.Text.Json;
using EventRouter.Processing;

namespace EventRouter.Formats;

/// <summary>
/// The message a queue-stage failure becomes in <c>&lt;queue&gt;-poison</c>:
/// <c>{"reason", "error", "source": {"queue", "messageId", "dequeueCount", "insertedOn"}, "value", "poisonedAt", "routerVersion"}</c>,
/// <c>value</c> being the original message body in Base64 (or <c>valueBlob</c> naming a blob in
/// <c>event-payloads</c> when it would not fit). Azure Functions' own poison handling, by contrast,
/// copies the body unchanged; tools accept both shapes.
/// </summary>
public static class QueuePoisonMessage
{
    public static byte[] Create(string queueName, QueueDelivery delivery, PoisonReason reason, string error, DateTimeOffset poisonedAt, string? valueBlob = null)
    {
        var buffer = new ArrayBufferWriter<byte>(delivery.Body.ToMemory().Length * 4 / 3 + 512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("reason"u8, reason.ToCode());
            writer.WriteString("error"u8, error.Length > 2048 ? error[..2048] : error);
            writer.WriteStartObject("source"u8);
            writer.WriteString("queue"u8, queueName);
            writer.WriteString("messageId"u8, delivery.MessageId);
            writer.WriteNumber("dequeueCount"u8, delivery.DequeueCount);
            if (delivery.InsertedOn is { } inserted) writer.WriteString("insertedOn"u8, inserted.UtcDateTime);
            writer.WriteEndObject();
            if (valueBlob is not null) writer.WriteString("valueBlob"u8, valueBlob);
            else writer.WriteBase64String("value"u8, delivery.Body.ToMemory().Span);
            writer.WriteString("poisonedAt"u8, poisonedAt.UtcDateTime);
            writer.WriteString("routerVersion"u8, Diagnostics.EventRouterTelemetry.Version);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static string ValueBlobName(string queueName, QueueDelivery delivery) => $"poison/queues/{queueName}/{delivery.MessageId}.value";
}
