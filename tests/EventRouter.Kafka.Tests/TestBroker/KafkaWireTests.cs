using System.Buffers.Binary;
using System.Text;
using EventRouter.Kafka.TestBroker;

namespace EventRouter.Kafka.Tests.TestBroker;

/// <summary>The Kafka frames the test broker's front reads and writes itself, byte by byte against the protocol's layouts.</summary>
public sealed class KafkaWireTests
{
    private static readonly KafkaWire.ApiRange[] SaslApis = [new(17, 1, 1), new(36, 0, 1)];

    [Fact]
    public void ParseRequestHeader_SaslHandshakeV1_ReadsHeaderAndMechanism()
    {
        // api key 17, version 1, correlation 7, client id "rdkafka", mechanism "SCRAM-SHA-512"
        var frame = Concat(Int16(17), Int16(1), Int32(7), String("rdkafka"), String("SCRAM-SHA-512"));

        var header = KafkaWire.ParseRequestHeader(frame);

        Assert.Equal(new KafkaWire.RequestHeader(17, 1, 7, "rdkafka", 8 + 2 + 7), header);
        Assert.Equal("SCRAM-SHA-512", KafkaWire.ParseSaslHandshake(frame, header));
    }

    [Fact]
    public void ParseRequestHeader_NullClientId_IsNull()
    {
        var header = KafkaWire.ParseRequestHeader(Concat(Int16(18), Int16(3), Int32(1), Int16(-1)));

        Assert.Null(header.ClientId);
        Assert.Equal(10, header.BodyOffset);
    }

    [Theory]
    [InlineData(new byte[] { 0, 17, 0, 1, 0, 0, 0, 7 })]              // shorter than a header
    [InlineData(new byte[] { 0, 17, 0, 1, 0, 0, 0, 7, 0, 9, 65 })]    // client id runs past the frame
    public void ParseRequestHeader_Truncated_Throws(byte[] frame)
        => Assert.Throws<FormatException>(() => KafkaWire.ParseRequestHeader(frame));

    [Fact]
    public void ParseSaslAuthenticate_AuthBytes_AreReturned()
    {
        var frame = Concat(Int16(36), Int16(1), Int32(9), String("c"), Int32(3), "abc"u8.ToArray());

        Assert.Equal("abc"u8.ToArray(), KafkaWire.ParseSaslAuthenticate(frame, KafkaWire.ParseRequestHeader(frame)));
    }

    [Fact]
    public void ParseSaslAuthenticate_LengthPastTheFrame_Throws()
    {
        var frame = Concat(Int16(36), Int16(1), Int32(9), String("c"), Int32(30), "abc"u8.ToArray());

        Assert.Throws<FormatException>(() => KafkaWire.ParseSaslAuthenticate(frame, KafkaWire.ParseRequestHeader(frame)));
    }

    [Fact]
    public void SaslAuthenticateResponse_V1Failure_HasErrorMessageEmptyBytesAndSessionLifetime()
    {
        var frame = KafkaWire.SaslAuthenticateResponse(9, 1, 58, "no", []);

        Assert.Equal(Concat(Int32(9), Int16(58), String("no"), Int32(0), new byte[8]), frame);
    }

    [Fact]
    public void SaslAuthenticateResponse_V0Success_HasNullMessageAndTheBytes()
    {
        var frame = KafkaWire.SaslAuthenticateResponse(9, 0, 0, null, "v=x"u8);

        Assert.Equal(Concat(Int32(9), Int16(0), Int16(-1), Int32(3), "v=x"u8.ToArray()), frame);
    }

    [Fact]
    public void SaslHandshakeResponse_ListsTheMechanisms()
    {
        var frame = KafkaWire.SaslHandshakeResponse(4, 33, ["PLAIN", "SCRAM-SHA-256"]);

        Assert.Equal(Concat(Int32(4), Int16(33), Int32(2), String("PLAIN"), String("SCRAM-SHA-256")), frame);
    }

    [Fact]
    public void AddApiVersions_V3FlexibleResponse_AddsSaslApisAndKeepsTheRest()
    {
        // correlation 5, error 0, compact array of 2 (+1), each key/min/max + empty tags, throttle 0, tags 0
        var response = Concat(Int32(5), Int16(0), [3], Int16(0), Int16(0), Int16(9), [0], Int16(18), Int16(0), Int16(3), [0], Int32(0), [0]);

        var patched = KafkaWire.AddApiVersions(response, 3, SaslApis);

        var expected = Concat(Int32(5), Int16(0), [5], Int16(0), Int16(0), Int16(9), [0], Int16(18), Int16(0), Int16(3), [0],
            Int16(17), Int16(1), Int16(1), [0], Int16(36), Int16(0), Int16(1), [0], Int32(0), [0]);
        Assert.Equal(expected, patched);
        Assert.Equal([new(0, 0, 9), new(18, 0, 3), .. SaslApis], KafkaWire.ReadApiVersions(patched, 3));
    }

    [Fact]
    public void AddApiVersions_V1Response_ReplacesAnExistingEntryAndKeepsThrottleTime()
    {
        var response = Concat(Int32(5), Int16(0), Int32(2), Int16(17), Int16(0), Int16(0), Int16(18), Int16(0), Int16(2), Int32(100));

        var patched = KafkaWire.AddApiVersions(response, 1, SaslApis);

        Assert.Equal(Concat(Int32(5), Int16(0), Int32(3), Int16(18), Int16(0), Int16(2), Int16(17), Int16(1), Int16(1), Int16(36), Int16(0), Int16(1), Int32(100)), patched);
    }

    [Fact]
    public void AddApiVersions_ErrorResponse_IsUnchanged()
    {
        // UNSUPPORTED_VERSION (35) answered in the v0 layout whatever version was asked.
        var response = Concat(Int32(5), Int16(35), Int32(1), Int16(18), Int16(0), Int16(3));

        Assert.Equal(response, KafkaWire.AddApiVersions(response, 4, SaslApis));
    }

    [Fact]
    public async Task ReadFrameAsync_FrameLargerThanAllowed_ThrowsWithoutReadingIt()
    {
        using var stream = new MemoryStream(Concat(Int32(600_000), new byte[16]));

        await Assert.ThrowsAsync<FormatException>(() => KafkaWire.ReadFrameAsync(stream, 512 * 1024, CancellationToken.None));
    }

    [Fact]
    public async Task WriteFrameAsyncThenReadFrameAsync_RoundTrip()
    {
        using var stream = new MemoryStream();
        await KafkaWire.WriteFrameAsync(stream, [1, 2, 3], CancellationToken.None);
        stream.Position = 0;

        Assert.Equal(Concat(Int32(3), [1, 2, 3]), stream.ToArray());
        Assert.Equal([1, 2, 3], await KafkaWire.ReadFrameAsync(stream, 10, CancellationToken.None));
        Assert.Null(await KafkaWire.ReadFrameAsync(stream, 10, CancellationToken.None));
    }

    private static byte[] Int16(short value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] String(string value) => Concat(Int16((short)value.Length), Encoding.UTF8.GetBytes(value));

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
