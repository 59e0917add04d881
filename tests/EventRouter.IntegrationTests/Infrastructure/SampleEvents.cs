using System.Text;

namespace EventRouter.IntegrationTests.Infrastructure;

internal static class SampleEvents
{
    public static byte[] Event(string type, Guid? id = null, string objectJson = """{"id":"u1"}""") =>
        Encoding.UTF8.GetBytes($$"""{"id":"{{id ?? Guid.NewGuid()}}","created_at":"2026-11-22T10:00:00Z","type":"{{type}}","object":{{objectJson}}}""");

    public static InboundRecord Record(string topic, long offset, byte[]? value, params RecordHeader[] headers) =>
        // A null byte[] would convert to an empty (not null) ReadOnlyMemory: keep tombstones null.
        new(topic, 0, offset, DateTimeOffset.UnixEpoch.AddSeconds(offset), null, value is null ? (ReadOnlyMemory<byte>?)null : value, headers);
}
