namespace EventRouter.Tests;

public sealed class InboundRecordTests
{
    [Fact]
    public void ValueOrNull_NullArray_StaysNull()
    {
        byte[]? tombstone = null;

        var value = InboundRecord.ValueOrNull(tombstone);

        Assert.False(value.HasValue, "a null array (tombstone) must not become empty memory");
    }

    [Fact]
    public void ValueOrNull_EmptyArray_IsEmptyNotNull()
    {
        var value = InboundRecord.ValueOrNull([]);

        Assert.True(value.HasValue);
        Assert.Equal(0, value.Value.Length);
    }

    [Fact]
    public void ValueOrNull_Bytes_KeepsThem()
    {
        byte[] bytes = [1, 2, 3];

        var value = InboundRecord.ValueOrNull(bytes);

        Assert.True(value.HasValue);
        Assert.Equal(bytes, value.Value.ToArray());
    }

    [Fact]
    public void Create_NullValue_IsTombstoneWithoutKeyTimestampOrHeaders()
    {
        var record = InboundRecord.Create("t", 1, 2, null);

        Assert.Null(record.Value);
        Assert.Null(record.Key);
        Assert.Null(record.Timestamp);
        Assert.Empty(record.Headers);
    }

    [Fact]
    public void RecordHeaderFromString_NullAndText_KeepNullAndUtf8()
    {
        Assert.Null(RecordHeader.FromString("h", null).Value);
        Assert.Equal("é"u8.ToArray(), RecordHeader.FromString("h", "é").Value!.Value.ToArray());
    }
}
