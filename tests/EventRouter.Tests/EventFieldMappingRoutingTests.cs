using System.Text.Json;
using Azure.Storage.Blobs;
using EventRouter.Processing;
using EventRouter.Routing;
using EventRouter.Testing;
using EventRouter.Validation;
using static EventRouter.Testing.EventJson;

namespace EventRouter.Tests;

/// <summary>
/// A stream shaped <c>{"event_id", "event_type", "timestamp", "data"}</c> through both stages:
/// routed like the provider's shape, embedded unchanged, and read back with the same names.
/// </summary>
public sealed class EventFieldMappingRoutingTests : IDisposable
{
    private const string Notifications = RoutingDefaults.NotificationsTopic;
    private const string Prices = RoutingDefaults.PricesTopic;
    private static readonly EventFieldMapping StreamMapping = new(StreamFields);

    private readonly PipelineFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData(Notifications, "USER.CREATED")]
    [InlineData(Notifications, "ACCOUNT_GROUP.CREATED")]
    [InlineData(Notifications, "ORDER.FILLED")]
    [InlineData(Notifications, "LOAN.CREATED")]
    [InlineData(Notifications, "NODOT")]
    [InlineData(Prices, "PRICE.UPDATED")]
    public async Task RouteBatchAsync_StreamShapedEvent_GoesWhereTheProviderShapedEventGoes(string topic, string type)
    {
        var routing = new RoutingOptions { Overrides = { ["ORDER.FILLED"] = "orders-filled" } };
        var provider = new RecordingQueueDispatcher();
        var stream = new RecordingQueueDispatcher();

        await _factory.Create(provider, routing).RouteBatchAsync([InboundRecord.Create(topic, 0, 1, Utf8(Build(type: Quote(type))))]);
        await _factory.Create(stream, routing, StreamMapping).RouteBatchAsync([InboundRecord.Create(topic, 0, 1, Utf8(Build(StreamFields, type: Quote(type))))]);

        var expected = Assert.Single(provider.Sends).Queue;
        Assert.NotEqual(RoutingDefaults.PoisonQueue, expected);
        Assert.Equal(expected, Assert.Single(stream.Sends).Queue);
    }

    [Fact]
    public async Task RouteBatchAsync_StreamShapedEvent_MessageEmbedsTheOriginalBytesUnchanged()
    {
        // Unknown fields, the provider's own names as unknown fields, odd spacing and an escape: all kept as they were.
        var json = "{\"event_type\" : \"USER\\u002eCREATED\",\n \"id\": 7, \"data\":{\"b\":1,\"a\":[ ]},"
            + $"\"event_id\":\"{Id}\",\"timestamp\":\"{CreatedAt}\",\"type\":null, \"extra\":\"é\"}}";
        var value = Utf8(json);
        var dispatcher = new RecordingQueueDispatcher();

        await _factory.Create(dispatcher, fields: StreamMapping).RouteBatchAsync([InboundRecord.Create(Notifications, 0, 1, value)]);

        var (queue, message) = Assert.Single(dispatcher.Sends);
        Assert.Equal("events-user", queue);
        using var document = JsonDocument.Parse(message);
        Assert.Equal(value, System.Text.Encoding.UTF8.GetBytes(document.RootElement.GetProperty("event").GetRawText()));
        // Byte for byte right after {"event": (what RoutedMessage writes), not re-serialised.
        var expectedStart = "{\"event\":"u8.ToArray().Concat(value).ToArray();
        Assert.Equal(expectedStart, message.Take(expectedStart.Length));
    }

    [Fact]
    public async Task RouteBatchAsync_ProviderShapedEventWithStreamMapping_IsPoisonedNamingTheMappedField()
    {
        var dispatcher = new RecordingQueueDispatcher();

        await _factory.Create(dispatcher, fields: StreamMapping).RouteBatchAsync([InboundRecord.Create(Notifications, 0, 1, Utf8(Build()))]);

        var (queue, message) = Assert.Single(dispatcher.Sends);
        Assert.Equal(RoutingDefaults.PoisonQueue, queue);
        using var document = JsonDocument.Parse(message);
        Assert.Equal("missing-field", document.RootElement.GetProperty("reason").GetString());
        Assert.Equal("field 'event_id' is missing", document.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task RouteBatchAsync_StreamShapedDuplicateIds_WrittenOnce()
    {
        var dispatcher = new RecordingQueueDispatcher();
        var value = Utf8(Build(StreamFields));

        var result = await _factory.Create(dispatcher, fields: StreamMapping).RouteBatchAsync(
            [InboundRecord.Create(Notifications, 0, 1, value), InboundRecord.Create(Notifications, 0, 2, value)]);

        Assert.Single(dispatcher.Sends);
        Assert.Equal(1, result.Duplicates);
    }

    [Fact]
    public async Task RouteBatchAsync_OversizedStreamShapedEvent_OffloadedMessageCarriesTheMappedIdAndType()
    {
        var value = Utf8(Build(StreamFields, type: Quote("ORDER.FILLED"), obj: $"{{\"pad\":\"{new string('x', 60_000)}\"}}"));
        var dispatcher = new RecordingQueueDispatcher();

        await _factory.Create(dispatcher, fields: StreamMapping).RouteBatchAsync([InboundRecord.Create(Notifications, 0, 1, value)]);

        var (queue, message) = Assert.Single(dispatcher.Sends);
        Assert.Equal("events-order", queue);
        using var document = JsonDocument.Parse(message);
        Assert.Equal(Id, document.RootElement.GetProperty("eventId").GetString());
        Assert.Equal("ORDER.FILLED", document.RootElement.GetProperty("eventType").GetString());
        Assert.Equal(value, dispatcher.Blobs[document.RootElement.GetProperty("eventBlob").GetString()!]);
    }

    [Fact]
    public async Task RouteBatchAsync_PricesOverride_AppliesOnlyToThePricesTopic()
    {
        var options = new EventFieldsOptions { Id = "event_id", Type = "event_type", CreatedAt = "timestamp", Object = "data" };
        options.Prices.Object = "quote";
        var mapping = new EventFieldMapping(options, Notifications, Prices);
        var pricesFields = mapping.For(Prices);
        var dispatcher = new RecordingQueueDispatcher();

        await _factory.Create(dispatcher, fields: mapping).RouteBatchAsync(
        [
            InboundRecord.Create(Notifications, 0, 1, Utf8(Build(StreamFields))),
            InboundRecord.Create(Prices, 0, 1, Utf8(Build(pricesFields, id: Quote(Guid.NewGuid().ToString())))),
            InboundRecord.Create(Prices, 0, 2, Utf8(Build(StreamFields, id: Quote(Guid.NewGuid().ToString())))),
        ]);

        Assert.Equal(["events-poison", "events-user", "prices"], dispatcher.Sends.Select(s => s.Queue).Order(StringComparer.Ordinal));
        var poison = dispatcher.Sends.Single(s => s.Queue == RoutingDefaults.PoisonQueue).Message;
        using var document = JsonDocument.Parse(poison);
        Assert.Equal("field 'quote' is missing", document.RootElement.GetProperty("error").GetString());
    }

    // ---- the queue stage reads with the same names --------------------------------------------

    [Fact]
    public async Task ReadAsync_StreamShapedEventWithTheSameMapping_ReadsIdTypeAndCreatedAtFromTheMappedFields()
    {
        var value = Utf8(Build(StreamFields, type: Quote("ORDER.FILLED")));
        var message = await RouteOneAsync(StreamMapping, Notifications, value);

        var (routed, error) = await Reader(StreamMapping).ReadAsync("events-order", Delivery(message), CancellationToken.None);

        Assert.Null(error);
        Assert.Equal(Guid.Parse(Id), routed!.Id);
        Assert.Equal("ORDER.FILLED", routed.Type);
        Assert.Equal(DateTimeOffset.Parse(CreatedAt), routed.CreatedAt);
        Assert.Same(StreamFields, routed.Fields);
        Assert.Equal(value, routed.Json.ToArray());
        using var parsed = routed.Parse();
        Assert.Equal("Ada", parsed.RootElement.GetProperty(routed.Fields.Object).GetProperty("name").GetString());
    }

    [Fact]
    public async Task ReadAsync_StreamShapedEventWithDefaultNames_IsNotAValidEvent()
    {
        var message = await RouteOneAsync(StreamMapping, Notifications, Utf8(Build(StreamFields)));

        var (routed, error) = await Reader(EventFieldMapping.Default).ReadAsync("events-user", Delivery(message), CancellationToken.None);

        Assert.Null(routed);
        Assert.Equal("event is not valid: missing-field: field 'id' is missing", error);
    }

    [Fact]
    public async Task ReadAsync_PerTopicNames_FollowTheSourceTopicOfTheMessage()
    {
        var options = new EventFieldsOptions();
        options.Prices.CreatedAt = "quoted_at";
        var mapping = new EventFieldMapping(options, Notifications, Prices);
        var value = Utf8(Build(mapping.For(Prices), type: Quote("PRICE.UPDATED"), createdAt: Quote("2024-06-01T00:00:00Z")));
        var message = await RouteOneAsync(mapping, Prices, value);

        var (routed, error) = await Reader(mapping).ReadAsync("prices", Delivery(message), CancellationToken.None);

        Assert.Null(error);
        Assert.Equal("quoted_at", routed!.Fields.CreatedAt);
        Assert.Equal(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero), routed.CreatedAt);
    }

    private async Task<byte[]> RouteOneAsync(EventFieldMapping mapping, string topic, byte[] value)
    {
        var dispatcher = new RecordingQueueDispatcher();
        await _factory.Create(dispatcher, fields: mapping).RouteBatchAsync([InboundRecord.Create(topic, 0, 7, value)]);
        var (queue, message) = Assert.Single(dispatcher.Sends);
        Assert.NotEqual(RoutingDefaults.PoisonQueue, queue);
        return message;
    }

    private static RoutedEventReader Reader(EventFieldMapping mapping) => new(new BlobServiceClient("UseDevelopmentStorage=true"), mapping);

    private static QueueDelivery Delivery(byte[] message) => new("m-1", 1, BinaryData.FromBytes(message));
}
