using System.Text;
using System.Text.Json;
using EventRouter.Formats;

namespace EventRouter.Tests.Formats;

public sealed class PoisonMessageTests
{
    private static readonly DateTimeOffset PoisonedAt = new(2024, 5, 1, 14, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset Timestamp = new(2024, 5, 1, 11, 59, 58, TimeSpan.Zero);

    [Fact]
    public void Create_Record_WritesReasonErrorSourceAndMetadata()
    {
        var record = new InboundRecord("Notifications", 4, 1234, Timestamp, null, "not json"u8.ToArray(), []);

        var message = PoisonMessage.Create(record, PoisonReason.InvalidJson, "value is not valid JSON: boom", PoisonedAt);

        using var document = JsonDocument.Parse(message);
        var root = document.RootElement;
        Assert.Equal("invalid-json", root.GetProperty("reason").GetString());
        Assert.Equal("value is not valid JSON: boom", root.GetProperty("error").GetString());
        var source = root.GetProperty("source");
        Assert.Equal("Notifications", source.GetProperty("topic").GetString());
        Assert.Equal(4, source.GetProperty("partition").GetInt32());
        Assert.Equal(1234, source.GetProperty("offset").GetInt64());
        Assert.Equal(Timestamp, source.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal(PoisonedAt, root.GetProperty("poisonedAt").GetDateTimeOffset());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("routerVersion").GetString()));
        Assert.False(root.TryGetProperty("valueBlob", out _));
        Assert.False(root.TryGetProperty("headersBlob", out _));
    }

    [Theory]
    [InlineData(PoisonReason.EmptyValue)]
    [InlineData(PoisonReason.NotUtf8)]
    [InlineData(PoisonReason.MissingField)]
    [InlineData(PoisonReason.InvalidCreatedAt)]
    public void Create_AnyReason_WritesItsCode(PoisonReason reason)
    {
        var message = PoisonMessage.Create(InboundRecord.Create("t", 0, 0, null), reason, "e", PoisonedAt);

        using var document = JsonDocument.Parse(message);
        Assert.Equal(reason.ToCode(), document.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public void Create_ArbitraryKeyAndValueBytes_RoundTripThroughBase64()
    {
        var random = new Random(7);
        var key = new byte[37];
        var value = new byte[1000];
        random.NextBytes(key);
        random.NextBytes(value);
        var record = new InboundRecord("t", 0, 1, null, key, value, []);

        var message = PoisonMessage.Create(record, PoisonReason.NotUtf8, "value is not valid UTF-8", PoisonedAt);

        using var document = JsonDocument.Parse(message);
        Assert.Equal(key, document.RootElement.GetProperty("key").GetBytesFromBase64());
        Assert.Equal(value, document.RootElement.GetProperty("value").GetBytesFromBase64());
    }

    [Fact]
    public void Create_NullKeyAndValue_WritesNulls()
    {
        var record = new InboundRecord("t", 0, 1, null, null, null, []);

        var message = PoisonMessage.Create(record, PoisonReason.EmptyValue, "value is null (a tombstone)", PoisonedAt);

        using var document = JsonDocument.Parse(message);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("key").ValueKind);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("value").ValueKind);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("source").GetProperty("timestamp").ValueKind);
    }

    [Fact]
    public void Create_EmptyValue_WritesEmptyStringNotNull()
    {
        var record = new InboundRecord("t", 0, 1, null, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, []);

        var message = PoisonMessage.Create(record, PoisonReason.EmptyValue, "value is empty", PoisonedAt);

        using var document = JsonDocument.Parse(message);
        Assert.Equal("", document.RootElement.GetProperty("value").GetString());
        Assert.Equal("", document.RootElement.GetProperty("key").GetString());
    }

    [Fact]
    public void Create_Headers_WritesSingleRepeatedNonUtf8AndNullValues()
    {
        byte[] binary = [0xFF, 0x00, 0xC0, 0xAF];
        var record = new InboundRecord("t", 0, 1, null, null, "x"u8.ToArray(), [
            RecordHeader.FromString("event-type", "USER.CREATED"),
            RecordHeader.FromString("trace", "a"),
            new RecordHeader("binary", binary),
            new RecordHeader("nothing", null),
            RecordHeader.FromString("trace", "b"),
            new RecordHeader("trace", null),
            new RecordHeader("trace", binary),
            RecordHeader.FromString("unicode", "é→😀"),
            RecordHeader.FromString("empty", ""),
        ]);

        var message = PoisonMessage.Create(record, PoisonReason.InvalidJson, "e", PoisonedAt);

        using var document = JsonDocument.Parse(message);
        var headers = document.RootElement.GetProperty("headers");
        Assert.Equal(["event-type", "trace", "binary", "nothing", "unicode", "empty"], headers.EnumerateObject().Select(h => h.Name));
        Assert.Equal("USER.CREATED", headers.GetProperty("event-type").GetString());
        Assert.Equal(binary, headers.GetProperty("binary").GetProperty("base64").GetBytesFromBase64());
        Assert.Equal(JsonValueKind.Null, headers.GetProperty("nothing").ValueKind);
        Assert.Equal("é→😀", headers.GetProperty("unicode").GetString());
        Assert.Equal("", headers.GetProperty("empty").GetString());

        var trace = headers.GetProperty("trace").EnumerateArray().ToArray();
        Assert.Equal(4, trace.Length);
        Assert.Equal("a", trace[0].GetString());
        Assert.Equal("b", trace[1].GetString());
        Assert.Equal(JsonValueKind.Null, trace[2].ValueKind);
        Assert.Equal(binary, trace[3].GetProperty("base64").GetBytesFromBase64());
    }

    [Fact]
    public void Create_NoHeaders_WritesEmptyObject()
    {
        var message = PoisonMessage.Create(InboundRecord.Create("t", 0, 0, null), PoisonReason.EmptyValue, "e", PoisonedAt);

        using var document = JsonDocument.Parse(message);
        Assert.Equal(JsonValueKind.Object, document.RootElement.GetProperty("headers").ValueKind);
        Assert.Empty(document.RootElement.GetProperty("headers").EnumerateObject());
    }

    [Fact]
    public void Create_HeaderNamesNeedingEscapes_AreWrittenAsValidJson()
    {
        var record = InboundRecord.Create("t", 0, 0, null, RecordHeader.FromString("we\"ird\nname", "v"), RecordHeader.FromString("", "blank"));

        var message = PoisonMessage.Create(record, PoisonReason.EmptyValue, "e", PoisonedAt);

        using var document = JsonDocument.Parse(message);
        var headers = document.RootElement.GetProperty("headers");
        Assert.Equal("v", headers.GetProperty("we\"ird\nname").GetString());
        Assert.Equal("blank", headers.GetProperty("").GetString());
    }

    [Fact]
    public void Create_WithValueBlob_ReferencesBlobInsteadOfValue()
    {
        var record = new InboundRecord("Notifications", 2, 9, null, "k"u8.ToArray(), new byte[100_000], [RecordHeader.FromString("h", "v")]);

        var message = PoisonMessage.Create(record, PoisonReason.InvalidJson, "e", PoisonedAt, valueBlob: PoisonMessage.ValueBlobName(record));

        using var document = JsonDocument.Parse(message);
        var root = document.RootElement;
        Assert.Equal("poison/Notifications/2/9.value", root.GetProperty("valueBlob").GetString());
        Assert.False(root.TryGetProperty("value", out _));
        Assert.Equal("k"u8.ToArray(), root.GetProperty("key").GetBytesFromBase64());
        Assert.Equal("v", root.GetProperty("headers").GetProperty("h").GetString());
        Assert.True(QueueMessageLimits.Fits(message.Length));
    }

    [Fact]
    public void Create_WithHeadersBlob_ReferencesBlobInsteadOfHeaders()
    {
        var record = InboundRecord.Create("Notifications", 2, 9, null, RecordHeader.FromString("h", "v"));

        var message = PoisonMessage.Create(record, PoisonReason.EmptyValue, "e", PoisonedAt, PoisonMessage.ValueBlobName(record), PoisonMessage.HeadersBlobName(record));

        using var document = JsonDocument.Parse(message);
        Assert.Equal("poison/Notifications/2/9.headers.json", document.RootElement.GetProperty("headersBlob").GetString());
        Assert.False(document.RootElement.TryGetProperty("headers", out _));
    }

    [Fact]
    public void CreateHeadersDocument_Headers_WritesSameShapeAsMessage()
    {
        RecordHeader[] headers = [RecordHeader.FromString("a", "1"), RecordHeader.FromString("a", "2"), new RecordHeader("b", new byte[] { 0xFE })];
        var record = InboundRecord.Create("t", 0, 0, null, headers);

        var document = PoisonMessage.CreateHeadersDocument(headers);
        var message = PoisonMessage.Create(record, PoisonReason.EmptyValue, "e", PoisonedAt);

        using var standalone = JsonDocument.Parse(document);
        using var embedded = JsonDocument.Parse(message);
        Assert.Equal(embedded.RootElement.GetProperty("headers").GetRawText(), standalone.RootElement.GetProperty("headers").GetRawText());
    }

    [Fact]
    public void Create_ErrorWithQuotesAndNewlines_IsEscaped()
    {
        const string error = "field 'type' \"bad\"\nsecond line";

        var message = PoisonMessage.Create(InboundRecord.Create("t", 0, 0, null), PoisonReason.WrongType, error, PoisonedAt);

        using var document = JsonDocument.Parse(message);
        Assert.Equal(error, document.RootElement.GetProperty("error").GetString());
        Assert.DoesNotContain((byte)'\n', message);
    }

    [Fact]
    public void BlobNames_SameRecord_AreStableAndDistinct()
    {
        var record = InboundRecord.Create("Prices", 1, 2, null);

        Assert.Equal("poison/Prices/1/2.value", PoisonMessage.ValueBlobName(record));
        Assert.Equal("poison/Prices/1/2.headers.json", PoisonMessage.HeadersBlobName(record));
        Assert.NotEqual(RoutedMessage.BlobName(record), PoisonMessage.ValueBlobName(record));
        Assert.Equal(Encoding.UTF8.GetByteCount(PoisonMessage.ValueBlobName(record)), PoisonMessage.ValueBlobName(record).Length);
    }
}
