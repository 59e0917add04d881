using System.Text;
using EventRouter.Functions.Hosting;

namespace EventRouter.Functions.Hosting.Tests;

public sealed class InboundRecordFactoryTests
{
    [Fact]
    public void Create_RecordWithHeaders_KeepsCoordinatesKeyValueAndHeadersInWireOrder()
    {
        var key = Encoding.UTF8.GetBytes("user-42");
        var value = Encoding.UTF8.GetBytes("""{"id":"x"}""");
        byte[] binary = [0xC3, 0x28];

        var record = InboundRecordFactory.Create("Notifications", 3, 1234, 1_700_000_000_123, key, value,
        [
            ("event-type", Encoding.UTF8.GetBytes("USER.CREATED")),
            ("trace", binary),
            ("event-type", Encoding.UTF8.GetBytes("USER.UPDATED")),
            ("empty", null),
        ]);

        Assert.Equal("Notifications", record.Topic);
        Assert.Equal(3, record.Partition);
        Assert.Equal(1234, record.Offset);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), record.Timestamp);
        Assert.Equal(key, record.Key!.Value.ToArray());
        Assert.Equal(value, record.Value!.Value.ToArray());
        Assert.Equal(["event-type", "trace", "event-type", "empty"], record.Headers.Select(h => h.Name));
        Assert.Equal("USER.CREATED", Encoding.UTF8.GetString(record.Headers[0].Value!.Value.Span));
        Assert.Equal(binary, record.Headers[1].Value!.Value.ToArray());
        Assert.Equal("USER.UPDATED", Encoding.UTF8.GetString(record.Headers[2].Value!.Value.Span));
        Assert.Null(record.Headers[3].Value);
    }

    [Fact]
    public void Create_Tombstone_KeepsValueNullNotEmpty()
    {
        var record = InboundRecordFactory.Create("Notifications", 0, 1, null, null, null, null);

        Assert.Null(record.Value);
        Assert.Null(record.Key);
        Assert.Null(record.Timestamp);
        Assert.Empty(record.Headers);
    }

    [Fact]
    public void ValueOrNull_NullArray_IsNullNotEmpty()
    {
        Assert.Null(InboundRecord.ValueOrNull(null));
        Assert.Equal(0, InboundRecord.ValueOrNull([])!.Value.Length);
        Assert.Equal([1, 2], InboundRecord.ValueOrNull([1, 2])!.Value.ToArray());
    }

    [Fact]
    public void Create_EmptyValue_StaysEmptyNotNull()
    {
        var record = InboundRecordFactory.Create("Notifications", 0, 1, null, [], [], null);

        Assert.NotNull(record.Value);
        Assert.Equal(0, record.Value!.Value.Length);
        Assert.NotNull(record.Key);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(253_402_300_800_000)]
    public void Create_TimestampOutsideDateTimeOffset_IsTreatedAsAbsent(long unixMilliseconds)
    {
        var record = InboundRecordFactory.Create("Prices", 0, 1, unixMilliseconds, null, [1], null);

        Assert.Null(record.Timestamp);
    }

    [Fact]
    public void Create_NullHeaderName_BecomesEmpty()
    {
        var record = InboundRecordFactory.Create("Prices", 0, 1, 0, null, [1], [(null, [1])]);

        Assert.Equal("", Assert.Single(record.Headers).Name);
        Assert.Equal(DateTimeOffset.UnixEpoch, record.Timestamp);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Create_NoTopic_Throws(string? topic)
    {
        Assert.ThrowsAny<ArgumentException>(() => InboundRecordFactory.Create(topic!, 0, 1, null, null, [1], null));
    }
}
