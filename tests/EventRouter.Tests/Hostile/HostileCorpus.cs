using System.Text.Json;

namespace EventRouter.Tests.Hostile;

/// <summary>
/// The hostile record corpus in <c>tests/data/hostile/cases.json</c> (written by its
/// <c>generate.py</c>): one Kafka record per case and the outcome README.md prescribes.
/// </summary>
internal static class HostileCorpus
{
    private static readonly Lazy<IReadOnlyDictionary<string, HostileCase>> Cases = new(Load);

    public static IReadOnlyDictionary<string, HostileCase> All => Cases.Value;

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in All.Keys) data.Add(name);
        return data;
    }

    private static IReadOnlyDictionary<string, HostileCase> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Hostile", "cases.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var cases = new Dictionary<string, HostileCase>(StringComparer.Ordinal);
        foreach (var element in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            var c = HostileCase.Parse(element);
            cases.Add(c.Name, c);
        }
        return cases;
    }
}

internal sealed record HostileHeader(string Name, byte[]? Value);

internal sealed record HostileCase(string Name, string Topic, byte[]? Key, byte[]? Value, IReadOnlyList<HostileHeader> Headers,
    string? ExpectedQueue, string? ExpectedPoison, string? Note)
{
    public override string ToString() => Name;

    public InboundRecord ToRecord(string topicPrefixForPrices, long offset) => new(
        Topic == "Prices" ? topicPrefixForPrices : Topic, 0, offset, null,
        Key is null ? default(ReadOnlyMemory<byte>?) : Key,
        InboundRecord.ValueOrNull(Value),
        Headers.Select(h => new RecordHeader(h.Name, h.Value is null ? default(ReadOnlyMemory<byte>?) : h.Value)).ToArray());

    public static HostileCase Parse(JsonElement e)
    {
        byte[]? value;
        if (e.TryGetProperty("valueParts", out var parts))
        {
            using var buffer = new MemoryStream();
            foreach (var part in parts.EnumerateArray())
            {
                var bytes = part.GetProperty("base64").GetBytesFromBase64();
                for (var i = part.GetProperty("repeat").GetInt32(); i > 0; i--) buffer.Write(bytes);
            }
            value = buffer.ToArray();
        }
        else
        {
            value = Bytes(e.GetProperty("value"));
        }
        var expect = e.GetProperty("expect");
        return new HostileCase(
            e.GetProperty("name").GetString()!,
            e.GetProperty("topic").GetString()!,
            Bytes(e.GetProperty("key")),
            value,
            e.GetProperty("headers").EnumerateArray().Select(h => new HostileHeader(h.GetProperty("name").GetString()!, Bytes(h.GetProperty("value")))).ToArray(),
            expect.TryGetProperty("queue", out var q) ? q.GetString() : null,
            expect.TryGetProperty("poison", out var p) ? p.GetString() : null,
            e.TryGetProperty("note", out var note) ? note.GetString() : null);
    }

    private static byte[]? Bytes(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetBytesFromBase64();
}
