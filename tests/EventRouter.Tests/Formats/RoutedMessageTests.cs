using System.Text;
using System.Text.Json;
using EventRouter.Formats;
using EventRouter.Testing;

namespace EventRouter.Tests.Formats;

public sealed class RoutedMessageTests
{
    private static readonly DateTimeOffset RoutedAt = new(2024, 5, 1, 14, 0, 0, 123, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset Timestamp = new(2024, 5, 1, 11, 59, 58, TimeSpan.Zero);

    public static TheoryData<string> Events => new()
    {
        EventJson.Build(),
        // Field order, spacing, escapes, unknown fields and non-ASCII text must all survive untouched.
        "{ \"type\" : \"USER.CREATED\",\n\t\"object\":{\"name\":\"Zo\\u00eb \\\"Z\\\" \u00e9\u2192\ud83d\ude00\",\"n\":1.50,\"e\":1E+3,\"list\":[ ]},\"id\":\"5F0C7A36-3D0E-4F6B-9A53-2A6B0F6F1C11\",\"created_at\":\"2024-05-01t12:34:56.5+05:30\",\"x\":null }",
        "{\"id\":\"5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11\",\"created_at\":\"2024-05-01T12:34:56Z\",\"type\":\"USER\\u002ECREATED\",\"object\":{\"html\":\"<script>&amp;</script>\",\"slash\":\"a\\/b\"}}",
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void Create_AnyValidEvent_EmbedsItByteForByte(string eventJson)
    {
        var eventBytes = Encoding.UTF8.GetBytes(eventJson);
        var record = new InboundRecord("Notifications", 3, 42, Timestamp, null, eventBytes, []);

        var message = RoutedMessage.Create(eventBytes, record, RoutedAt);

        using var document = JsonDocument.Parse(message);
        Assert.Equal(eventJson, document.RootElement.GetProperty("event").GetRawText());
        Assert.True(message.AsSpan().IndexOf(eventBytes) >= 0, "the event bytes appear verbatim in the message");
    }

    [Fact]
    public void Create_ReusesItsScratchBuffer_MessagesStayIndependent()
    {
        // The writer and buffer are reused per thread: a big event, then a small one, then the big one
        // again must each give exactly the message a fresh writer would.
        var small = Encoding.UTF8.GetBytes(EventJson.Build());
        var big = Encoding.UTF8.GetBytes(EventJson.Build(obj: "{\"pad\":\"" + new string('x', 100_000) + "\"}"));
        var record = new InboundRecord("Notifications", 3, 42, Timestamp, null, small, []);

        var first = RoutedMessage.Create(big, record, RoutedAt);
        var second = RoutedMessage.Create(small, record, RoutedAt);
        var third = RoutedMessage.Create(big, record, RoutedAt);
        var fourth = RoutedMessage.Create(small, record, RoutedAt);

        Assert.Equal(first, third);
        Assert.Equal(second, fourth);
        Assert.True(first.Length > 100_000);
        using var document = JsonDocument.Parse(second);
        Assert.Equal(EventJson.Build(), document.RootElement.GetProperty("event").GetRawText());
    }

    [Fact]
    public void Create_Record_WritesSourceAndRoutedAt()
    {
        var eventBytes = EventJson.Valid();
        var record = new InboundRecord("Notifications", 3, 9_000_000_000L, Timestamp, null, eventBytes, []);

        var message = RoutedMessage.Create(eventBytes, record, RoutedAt);

        using var document = JsonDocument.Parse(message);
        var root = document.RootElement;
        Assert.Equal(["event", "source", "routedAt"], root.EnumerateObject().Select(p => p.Name));
        var source = root.GetProperty("source");
        Assert.Equal("Notifications", source.GetProperty("topic").GetString());
        Assert.Equal(3, source.GetProperty("partition").GetInt32());
        Assert.Equal(9_000_000_000L, source.GetProperty("offset").GetInt64());
        Assert.Equal(Timestamp, source.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal(RoutedAt, root.GetProperty("routedAt").GetDateTimeOffset());
        Assert.EndsWith("Z", root.GetProperty("routedAt").GetString());
    }

    [Fact]
    public void Create_RecordWithoutTimestamp_WritesNullTimestamp()
    {
        var eventBytes = EventJson.Valid();
        var record = InboundRecord.Create("Prices", 0, 0, eventBytes);

        var message = RoutedMessage.Create(eventBytes, record, RoutedAt);

        using var document = JsonDocument.Parse(message);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("source").GetProperty("timestamp").ValueKind);
    }

    [Fact]
    public void Create_NonUtcTimestamp_IsWrittenAsUtc()
    {
        var eventBytes = EventJson.Valid();
        var local = new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.FromHours(-4));
        var record = new InboundRecord("t", 0, 0, local, null, eventBytes, []);

        var message = RoutedMessage.Create(eventBytes, record, RoutedAt);

        using var document = JsonDocument.Parse(message);
        Assert.Equal("2024-05-01T12:00:00Z", document.RootElement.GetProperty("source").GetProperty("timestamp").GetString());
    }

    [Fact]
    public void CreateOffloaded_Record_WritesBlobIdTypeSourceAndRoutedAt()
    {
        var id = Guid.NewGuid();
        var record = new InboundRecord("Notifications", 1, 77, Timestamp, null, null, []);
        var blobName = RoutedMessage.BlobName(record);

        var message = RoutedMessage.CreateOffloaded(blobName, id, "ORDER.FILLED", record, RoutedAt);

        using var document = JsonDocument.Parse(message);
        var root = document.RootElement;
        Assert.False(root.TryGetProperty("event", out _));
        Assert.Equal("events/Notifications/1/77.json", root.GetProperty("eventBlob").GetString());
        Assert.Equal(id, root.GetProperty("eventId").GetGuid());
        Assert.Equal("ORDER.FILLED", root.GetProperty("eventType").GetString());
        Assert.Equal(77, root.GetProperty("source").GetProperty("offset").GetInt64());
        Assert.Equal(Timestamp, root.GetProperty("source").GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal(RoutedAt, root.GetProperty("routedAt").GetDateTimeOffset());
        Assert.True(QueueMessageLimits.Fits(message.Length));
    }

    [Fact]
    public void CreateOffloaded_VeryLongType_IsCutTo256Characters()
    {
        var type = "USER." + new string('A', 10_000);

        var message = RoutedMessage.CreateOffloaded("b", Guid.NewGuid(), type, InboundRecord.Create("t", 0, 0, null), RoutedAt);

        using var document = JsonDocument.Parse(message);
        Assert.Equal(type[..256], document.RootElement.GetProperty("eventType").GetString());
        Assert.True(QueueMessageLimits.Fits(message.Length));
    }

    [Fact]
    public void BlobName_SameRecordCoordinates_IsStable()
    {
        var first = InboundRecord.Create("Notifications", 2, 5, EventJson.Valid());
        var redelivered = InboundRecord.Create("Notifications", 2, 5, EventJson.Valid());
        var next = InboundRecord.Create("Notifications", 2, 6, EventJson.Valid());

        Assert.Equal(RoutedMessage.BlobName(first), RoutedMessage.BlobName(redelivered));
        Assert.NotEqual(RoutedMessage.BlobName(first), RoutedMessage.BlobName(next));
        Assert.Equal("events/Notifications/2/5.json", RoutedMessage.BlobName(first));
    }
}
