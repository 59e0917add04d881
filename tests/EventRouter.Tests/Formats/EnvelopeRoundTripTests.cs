using System.Text;
using System.Text.Json;
using EventRouter.Formats;
using EventRouter.Testing;

namespace EventRouter.Tests.Formats;

/// <summary>Each envelope read back by the one type that writes it gives what was written.</summary>
public sealed class EnvelopeRoundTripTests
{
    private static readonly DateTimeOffset At = new(2024, 5, 1, 14, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Timestamp = new(2024, 5, 1, 13, 59, 58, 500, TimeSpan.Zero);

    private static readonly RecordHeader[] Headers =
    [
        RecordHeader.FromString("event-type", "USER.CREATED"),
        new("binary", new byte[] { 0xff, 0x00, 0xfe }),
        RecordHeader.FromString("repeated", "one"),
        new("empty", null),
        RecordHeader.FromString("repeated", "two"),
    ];

    private static InboundRecord Record(byte[]? value) =>
        new("Notifications", 4, 1234, Timestamp, Encoding.UTF8.GetBytes("key-1"), InboundRecord.ValueOrNull(value), Headers);

    [Fact]
    public void RoutedMessage_Inline_ReadsBackTheEventByteForByte_AndItsSource()
    {
        var value = EventJson.Valid();
        var record = Record(value);

        var envelope = RoutedMessage.Read(RoutedMessage.Create(value, record, At, default));

        Assert.Null(envelope.Error);
        Assert.Equal(new KafkaSource("Notifications", 4, 1234, Timestamp), envelope.Source);
        Assert.Equal(At, envelope.RoutedAt);
        Assert.Equal(value, envelope.InlineEvent!.Value.ToArray());
        Assert.Null(envelope.EventBlob);
    }

    [Fact]
    public void RoutedMessage_Offloaded_ReadsBackTheBlobNameIdAndType()
    {
        var record = Record(EventJson.Valid());
        var id = Guid.NewGuid();
        var message = RoutedMessage.CreateOffloaded(RoutedMessage.BlobName(record), id, "USER.CREATED", record, At, default);

        var envelope = RoutedMessage.Read(message);

        Assert.Null(envelope.Error);
        Assert.Equal((RoutedMessage.BlobName(record), (ReadOnlyMemory<byte>?)null), (envelope.EventBlob, envelope.InlineEvent));
        Assert.Equal(new KafkaSource("Notifications", 4, 1234, Timestamp), envelope.Source);
        using var document = JsonDocument.Parse(message);
        Assert.Equal((id.ToString(), "USER.CREATED"), RoutedMessage.ReadOffloadedIdentity(document.RootElement));
    }

    [Theory]
    [InlineData("{\"source\":{\"topic\":\"t\",\"partition\":0,\"offset\":1},\"routedAt\":\"2024-05-01T14:00:00Z\",\"eventBlob\":\"../secrets\"}", "neither 'event' nor a valid 'eventBlob'")]
    [InlineData("{\"event\":{},\"routedAt\":\"2024-05-01T14:00:00Z\"}", "no valid 'source'")]
    [InlineData("{\"event\":{},\"source\":{\"topic\":\"t\",\"partition\":0,\"offset\":1}}", "no valid 'routedAt'")]
    [InlineData("[1]", "not a JSON object")]
    [InlineData("{", "not JSON")]
    public void RoutedMessage_NotAnEnvelope_SaysWhy(string message, string error)
        => Assert.Contains(error, RoutedMessage.Read(Encoding.UTF8.GetBytes(message)).Error, StringComparison.Ordinal);

    [Fact]
    public void PoisonMessage_ReadsBackReasonSourceHeadersKeyAndValue()
    {
        var value = Encoding.UTF8.GetBytes("{not json");
        var record = Record(value);

        using var document = JsonDocument.Parse(PoisonMessage.Create(record, PoisonReason.InvalidJson, "bad", At));

        Assert.True(PoisonMessage.TryRead(document.RootElement, out var poison));
        Assert.False(QueuePoisonMessage.TryRead(document.RootElement, out _));
        Assert.Equal(("invalid-json", "bad", At), (poison.Reason, poison.Error, poison.PoisonedAt));
        Assert.Equal(new KafkaSource("Notifications", 4, 1234, Timestamp), poison.Source);
        Assert.Equal(value, poison.Value);
        Assert.Equal("key-1"u8.ToArray(), poison.Key);
        AssertHeaders(poison.Headers);
        Assert.Equal("USER.CREATED", poison.HeaderText("event-type"));
        Assert.Equal((null, null, null), (poison.ValueBlob, poison.KeyBlob, poison.HeadersBlob));
    }

    [Fact]
    public void PoisonMessage_Tombstone_AndOffloadedParts_ReadBackAsNullsAndBlobNames()
    {
        var record = Record(null);

        using var document = JsonDocument.Parse(PoisonMessage.Create(record, PoisonReason.EmptyValue, "tombstone", At,
            valueBlob: null, headersBlob: PoisonMessage.HeadersBlobName(record), keyBlob: PoisonMessage.KeyBlobName(record)));

        Assert.True(PoisonMessage.TryRead(document.RootElement, out var poison));
        Assert.Equal((null, null), (poison.Value, poison.Key));
        Assert.Empty(poison.Headers);
        Assert.Equal((PoisonMessage.HeadersBlobName(record), PoisonMessage.KeyBlobName(record)), (poison.HeadersBlob, poison.KeyBlob));
        AssertHeaders(PoisonMessage.ReadHeadersDocument(PoisonMessage.CreateHeadersDocument(Headers)).Headers);
    }

    [Fact]
    public void QueuePoisonMessage_ReadsBackSourceReasonAndBody()
    {
        var body = Encoding.UTF8.GetBytes("{\"event\":{}}");
        var source = new QueueMessageSource("events-user", "m-1", 5, At.AddMinutes(-3));

        using var document = JsonDocument.Parse(QueuePoisonMessage.Create(source, body, PoisonReason.MaxDequeueCountExceeded, new string('e', 3000), At));

        Assert.True(QueuePoisonMessage.TryRead(document.RootElement, out var poison));
        Assert.False(PoisonMessage.TryRead(document.RootElement, out _));
        Assert.Equal(source, poison.Source);
        Assert.Equal(("max-dequeue-count-exceeded", At), (poison.Reason, poison.PoisonedAt));
        Assert.Equal(QueuePoisonMessage.MaxErrorLength, poison.Error!.Length);
        Assert.Equal(body, poison.Value);
        Assert.Null(poison.ValueBlob);
    }

    [Fact]
    public void QueuePoisonMessage_Offloaded_NamesItsBlob()
    {
        var source = new QueueMessageSource("events-user", "m-2", 5);

        using var document = JsonDocument.Parse(QueuePoisonMessage.Create(source, "{}"u8.ToArray(), PoisonReason.InvalidEnvelope, "x", At,
            QueuePoisonMessage.ValueBlobName(source)));

        Assert.True(QueuePoisonMessage.TryRead(document.RootElement, out var poison));
        Assert.Equal(("poison/queues/events-user/m-2.value", (byte[]?)null), (poison.ValueBlob, poison.Value));
    }

    private static void AssertHeaders(IReadOnlyList<RecordHeader> read)
    {
        // Repeated names come back together, in their order (the message groups them under one name).
        var expected = new[] { Headers[0], Headers[1], Headers[2], Headers[4], Headers[3] };
        Assert.Equal(expected.Select(h => (h.Name, h.Value?.ToArray())), read.Select(h => (h.Name, h.Value?.ToArray())));
    }
}
