using System.Text;
using EventRouter.Cli.Operations;
using EventRouter.Validation;

namespace EventRouter.Cli.Tests.Operations;

public sealed class ProduceServiceTests
{
    private const string Id = "5b3f2c1e-8a4d-4e6f-9b7a-1c2d3e4f5a6b";

    [Fact]
    public void Describe_DefaultShapedEvent_SetsTheProvidersThreeHeadersAndKeysByTheTemplate()
    {
        var value = Encoding.UTF8.GetBytes($$$"""{"id":"{{{Id}}}","created_at":"2026-11-22T06:00:00Z","type":"USER.CREATED","object":{"user_id":"u-42"}}""");

        var (headers, key) = ProduceService.Describe(value, "object.user_id");

        Assert.Equal(Id, Header(headers, "event-id"));
        Assert.Equal("USER.CREATED", Header(headers, "event-type"));
        Assert.Equal("application/json", Header(headers, "content-type"));
        Assert.Equal("u-42", key);
    }

    [Fact]
    public void Describe_MappedFieldNames_ReadsIdAndTypeFromTheConfiguredFieldsAndFallsBackToThatId()
    {
        var names = new EventFieldNames("event_id", "event_type", "timestamp", "data");
        var value = Encoding.UTF8.GetBytes($$$"""{"event_id":"{{{Id}}}","timestamp":"2026-11-22T06:00:00Z","event_type":"ORDER.FILLED","data":{}}""");

        var (headers, key) = ProduceService.Describe(value, "data.user_id", names);

        Assert.Equal(Id, Header(headers, "event-id"));
        Assert.Equal("ORDER.FILLED", Header(headers, "event-type"));
        Assert.Equal(Id, key); // no data.user_id: the key falls back to the (mapped) event id
    }

    [Fact]
    public void Describe_NotJson_ProducedWithContentTypeOnlyAndNoKey()
    {
        var (headers, key) = ProduceService.Describe("{not json"u8.ToArray(), "object.user_id");

        Assert.Null(Header(headers, "event-id"));
        Assert.Null(Header(headers, "event-type"));
        Assert.Equal("application/json", Header(headers, "content-type"));
        Assert.Null(key);
    }

    private static string? Header(Confluent.Kafka.Headers headers, string name)
        => headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
}
