using EventRouter.Formats;

namespace EventRouter.Tests.Formats;

public sealed class QueueMessageLimitsTests
{
    [Fact]
    public void MaxMessageBytes_Is49152RawBytes()
    {
        Assert.Equal(64 * 1024, QueueMessageLimits.MaxEncodedBytes);
        Assert.Equal(49_152, QueueMessageLimits.MaxMessageBytes);
    }

    [Fact]
    public void MaxMessageBytes_Base64Encoded_FillsExactlyTheQueueLimit()
    {
        var encoded = Convert.ToBase64String(new byte[QueueMessageLimits.MaxMessageBytes]);
        var oneMore = Convert.ToBase64String(new byte[QueueMessageLimits.MaxMessageBytes + 1]);

        Assert.Equal(QueueMessageLimits.MaxEncodedBytes, encoded.Length);
        Assert.True(oneMore.Length > QueueMessageLimits.MaxEncodedBytes);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(49_151, true)]
    [InlineData(49_152, true)]
    [InlineData(49_153, false)]
    [InlineData(65_536, false)]
    public void Fits_Size_TrueUpTo49152(int bytes, bool fits)
    {
        Assert.Equal(fits, QueueMessageLimits.Fits(bytes));
    }
}
