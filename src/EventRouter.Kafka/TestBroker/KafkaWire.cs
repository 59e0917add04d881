using System.Buffers.Binary;
using System.Text;

namespace EventRouter.Kafka.TestBroker;

/// <summary>
/// The few pieces of the Kafka wire protocol the <see cref="SaslSslFront"/> must read and write
/// itself before a client is authenticated: request headers, ApiVersions responses (to add the SASL
/// APIs the mock lacks), SaslHandshake and SaslAuthenticate. Everything after authentication is
/// relayed as bytes. Pure functions over byte arrays, so they are unit tested without sockets.
/// </summary>
/// <remarks>Layouts: https://kafka.apache.org/protocol (request header v1, response header v0).</remarks>
internal static class KafkaWire
{
    public const short ApiVersionsKey = 18;
    public const short SaslHandshakeKey = 17;
    public const short SaslAuthenticateKey = 36;

    public const short NoError = 0;
    public const short UnsupportedSaslMechanism = 33;
    public const short IllegalSaslState = 34;
    public const short SaslAuthenticationFailed = 58;

    /// <summary>
    /// The SaslHandshake version served: v1 only (v0 means raw SASL tokens without Kafka framing,
    /// which no current client needs). ApiVersions still advertises 0 to 1: librdkafka 2.0.2 (kcat)
    /// detects SASL support only when version 0 is listed, and then asks for v1.
    /// </summary>
    public const short SaslHandshakeVersion = 1;

    /// <summary>SaslAuthenticate v0 and v1 (v2 is the flexible encoding; librdkafka asks at most v1).</summary>
    public const short SaslAuthenticateMaxVersion = 1;

    /// <summary>The API key, version, correlation id and where the body starts in a request (size prefix removed).</summary>
    public readonly record struct RequestHeader(short ApiKey, short ApiVersion, int CorrelationId, string? ClientId, int BodyOffset);

    /// <summary>Reads a request header v1 (key, version, correlation id, nullable client id).</summary>
    /// <exception cref="FormatException">The frame is too short or the client id runs past its end.</exception>
    public static RequestHeader ParseRequestHeader(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 10) throw new FormatException("request shorter than a request header");
        var key = BinaryPrimitives.ReadInt16BigEndian(frame);
        var version = BinaryPrimitives.ReadInt16BigEndian(frame[2..]);
        var correlation = BinaryPrimitives.ReadInt32BigEndian(frame[4..]);
        var offset = 8;
        var clientId = ReadNullableString(frame, ref offset);
        return new RequestHeader(key, version, correlation, clientId, offset);
    }

    /// <summary>The mechanism name of a SaslHandshake request body.</summary>
    public static string ParseSaslHandshake(ReadOnlySpan<byte> frame, RequestHeader header)
    {
        var offset = header.BodyOffset;
        return ReadNullableString(frame, ref offset) ?? throw new FormatException("SaslHandshake without a mechanism");
    }

    /// <summary>The auth bytes of a SaslAuthenticate v0/v1 request body.</summary>
    public static byte[] ParseSaslAuthenticate(ReadOnlySpan<byte> frame, RequestHeader header)
    {
        var offset = header.BodyOffset;
        if (frame.Length < offset + 4) throw new FormatException("SaslAuthenticate without auth bytes");
        var length = BinaryPrimitives.ReadInt32BigEndian(frame[offset..]);
        offset += 4;
        if (length < 0 || frame.Length < offset + length) throw new FormatException("SaslAuthenticate auth bytes run past the request");
        return frame.Slice(offset, length).ToArray();
    }

    /// <summary>A SaslHandshake response frame (without its size prefix, as <see cref="WriteFrameAsync"/> takes it).</summary>
    public static byte[] SaslHandshakeResponse(int correlationId, short errorCode, IReadOnlyList<string> mechanisms)
    {
        var body = new List<byte>();
        AppendInt32(body, correlationId);
        AppendInt16(body, errorCode);
        AppendInt32(body, mechanisms.Count);
        foreach (var mechanism in mechanisms) AppendString(body, mechanism);
        return Frame(body);
    }

    /// <summary>A SaslAuthenticate v0/v1 response frame (without its size prefix).</summary>
    public static byte[] SaslAuthenticateResponse(int correlationId, short version, short errorCode, string? errorMessage, ReadOnlySpan<byte> authBytes)
    {
        var body = new List<byte>();
        AppendInt32(body, correlationId);
        AppendInt16(body, errorCode);
        if (errorMessage is null) AppendInt16(body, -1);
        else AppendString(body, errorMessage);
        AppendInt32(body, authBytes.Length);
        body.AddRange(authBytes.ToArray());
        if (version >= 1) AppendInt64(body, 0); // session_lifetime_ms: no re-authentication required
        return Frame(body);
    }

    /// <summary>One entry of an ApiVersions response.</summary>
    public readonly record struct ApiRange(short ApiKey, short MinVersion, short MaxVersion);

    /// <summary>
    /// Adds (or replaces) <paramref name="added"/> in an ApiVersions response frame (size prefix
    /// removed; correlation id first: ApiVersions responses always use header v0) of request version
    /// <paramref name="version"/>. A response with an error code is returned unchanged (a broker
    /// answers an unsupported version in the v0 layout).
    /// </summary>
    public static byte[] AddApiVersions(ReadOnlySpan<byte> response, short version, IReadOnlyList<ApiRange> added)
    {
        if (response.Length < 6) throw new FormatException("ApiVersions response shorter than its header");
        var error = BinaryPrimitives.ReadInt16BigEndian(response[4..]);
        if (error != NoError) return response.ToArray();

        var flexible = version >= 3;
        var offset = 6;
        int count;
        if (flexible)
        {
            count = checked((int)ReadUnsignedVarint(response, ref offset) - 1);
        }
        else
        {
            count = BinaryPrimitives.ReadInt32BigEndian(response[offset..]);
            offset += 4;
        }
        if (count < 0) throw new FormatException("ApiVersions response with a null array");

        var entries = new List<byte[]>(count + added.Count);
        for (var i = 0; i < count; i++)
        {
            var start = offset;
            var key = BinaryPrimitives.ReadInt16BigEndian(response[offset..]);
            offset += 6;
            if (flexible) SkipTaggedFields(response, ref offset);
            if (offset > response.Length) throw new FormatException("ApiVersions entry runs past the response");
            if (added.Any(a => a.ApiKey == key)) continue;
            entries.Add(response[start..offset].ToArray());
        }
        foreach (var range in added)
        {
            var entry = new List<byte>();
            AppendInt16(entry, range.ApiKey);
            AppendInt16(entry, range.MinVersion);
            AppendInt16(entry, range.MaxVersion);
            if (flexible) entry.Add(0); // no tagged fields
            entries.Add([.. entry]);
        }

        var result = new List<byte>(response.Length + 16 * added.Count);
        result.AddRange(response[..6].ToArray());
        if (flexible) AppendUnsignedVarint(result, (uint)entries.Count + 1);
        else AppendInt32(result, entries.Count);
        foreach (var entry in entries) result.AddRange(entry);
        result.AddRange(response[offset..].ToArray()); // throttle time, tagged fields: unchanged
        return [.. result];
    }

    /// <summary>The API ranges of an ApiVersions response (for tests and diagnostics).</summary>
    public static IReadOnlyList<ApiRange> ReadApiVersions(ReadOnlySpan<byte> response, short version)
    {
        var flexible = version >= 3;
        var offset = 6;
        var count = flexible ? (int)ReadUnsignedVarint(response, ref offset) - 1 : BinaryPrimitives.ReadInt32BigEndian(response[offset..]);
        if (!flexible) offset += 4;
        var ranges = new List<ApiRange>(Math.Max(0, count));
        for (var i = 0; i < count; i++)
        {
            ranges.Add(new ApiRange(BinaryPrimitives.ReadInt16BigEndian(response[offset..]),
                BinaryPrimitives.ReadInt16BigEndian(response[(offset + 2)..]), BinaryPrimitives.ReadInt16BigEndian(response[(offset + 4)..])));
            offset += 6;
            if (flexible) SkipTaggedFields(response, ref offset);
        }
        return ranges;
    }

    /// <summary>Reads one size-prefixed frame; null at a clean end of stream.</summary>
    /// <exception cref="FormatException">The size is negative or above <paramref name="maxSize"/>.</exception>
    public static async Task<byte[]?> ReadFrameAsync(Stream stream, int maxSize, CancellationToken cancellationToken)
    {
        var sizeBytes = new byte[4];
        var read = await stream.ReadAtLeastAsync(sizeBytes, 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0) return null;
        if (read < 4) throw new EndOfStreamException("connection closed inside a frame's size");
        var size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
        if (size < 0 || size > maxSize) throw new FormatException($"frame of {size} bytes (at most {maxSize} before authentication)");
        var frame = new byte[size];
        await stream.ReadExactlyAsync(frame, cancellationToken).ConfigureAwait(false);
        return frame;
    }

    /// <summary>Writes <paramref name="frame"/> (size prefix removed) with its size prefix.</summary>
    public static async Task WriteFrameAsync(Stream stream, byte[] frame, CancellationToken cancellationToken)
    {
        var sizeBytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(sizeBytes, frame.Length);
        await stream.WriteAsync(sizeBytes, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string? ReadNullableString(ReadOnlySpan<byte> frame, ref int offset)
    {
        if (frame.Length < offset + 2) throw new FormatException("string length runs past the frame");
        var length = BinaryPrimitives.ReadInt16BigEndian(frame[offset..]);
        offset += 2;
        if (length < 0) return null;
        if (frame.Length < offset + length) throw new FormatException("string runs past the frame");
        var text = Encoding.UTF8.GetString(frame.Slice(offset, length));
        offset += length;
        return text;
    }

    private static void SkipTaggedFields(ReadOnlySpan<byte> data, ref int offset)
    {
        var fields = ReadUnsignedVarint(data, ref offset);
        for (var i = 0u; i < fields; i++)
        {
            ReadUnsignedVarint(data, ref offset); // tag
            var size = ReadUnsignedVarint(data, ref offset);
            offset = checked(offset + (int)size);
        }
    }

    private static uint ReadUnsignedVarint(ReadOnlySpan<byte> data, ref int offset)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (offset >= data.Length) throw new FormatException("varint runs past the data");
            var b = data[offset++];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new FormatException("varint longer than 5 bytes");
    }

    private static void AppendUnsignedVarint(List<byte> target, uint value)
    {
        while (value >= 0x80)
        {
            target.Add((byte)(value | 0x80));
            value >>= 7;
        }
        target.Add((byte)value);
    }

    private static byte[] Frame(List<byte> body) => [.. body];

    private static void AppendInt16(List<byte> target, short value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, value);
        target.AddRange(bytes.ToArray());
    }

    private static void AppendInt32(List<byte> target, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        target.AddRange(bytes.ToArray());
    }

    private static void AppendInt64(List<byte> target, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        target.AddRange(bytes.ToArray());
    }

    private static void AppendString(List<byte> target, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        AppendInt16(target, checked((short)bytes.Length));
        target.AddRange(bytes);
    }
}
