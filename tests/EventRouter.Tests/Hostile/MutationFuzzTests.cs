using System.Text;
using System.Text.Json;
using EventRouter.Routing;
using EventRouter.Testing;
using Xunit.Abstractions;

namespace EventRouter.Tests.Hostile;

/// <summary>
/// Seeded mutation fuzzing of <see cref="RoutingPipeline"/>: valid events get random byte-level and
/// structural mutations, in batches like the Kafka source makes. No exception may escape, every
/// record is routed or poisoned (or a duplicate of an earlier record of its batch), every routed
/// message carries the input bytes unchanged, and every poison message carries the input value.
/// </summary>
/// <remarks>
/// 20,000 cases by default (a few seconds, CI). <c>EVENTROUTER_FUZZ_CASES=1000000</c> runs the
/// long mode; <c>EVENTROUTER_FUZZ_SEED</c> changes the seed. Case <c>i</c> depends only on the seed
/// and <c>i</c>, so a failure message's case number reproduces it.
/// </remarks>
public sealed class MutationFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int DefaultCases = 20_000;
    private const int DefaultSeed = 20261122;
    private const int BatchSize = 500;
    private static readonly JsonDocumentOptions EnvelopeOptions = new() { MaxDepth = 256 };

    private readonly PipelineFactory _factory = new();

    private static readonly string[] Types =
    [
        "USER.CREATED", "ORDER.FILLED", "ACCOUNT_GROUP.CREATED", "LOAN.CREATED", "USER", "PRICE.UPDATED",
        "USER.CRÉÉ", "\\u0055SER.CREATED", "POSITION.UPDATED.V2", "ÜSER.X",
    ];

    private static readonly string[] Objects =
    [
        """{"user_id":"u-1","name":"Ada"}""",
        """{}""",
        """{"a":[1,2.5e10,-0,true,false,null,"x\"y\\z\u00e9"],"b":{"c":{"d":[]}}}""",
        """{"text":"émoji 🎉 and \ud83c\udf89","n":123456789012345678901234567890}""",
    ];

    private static readonly byte[][] Interesting =
    [
        [0x00], [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xEF, 0xBB, 0xBF], [0xF4, 0x90, 0x80, 0x80], "\""u8.ToArray(), "\\"u8.ToArray(),
        "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), ","u8.ToArray(), ":"u8.ToArray(), "\\ud800"u8.ToArray(),
        "\\u0000"u8.ToArray(), "null"u8.ToArray(), "1e400"u8.ToArray(), "\"id\":"u8.ToArray(), "\"type\":"u8.ToArray(), " "u8.ToArray(),
    ];

    private static readonly string[] Fragments =
    [
        "null", "true", "false", "0", "-1", "1e400", "\"\"", "\" \"", "[]", "{}", "\"USER.CREATED\"", "\"5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11\"",
        "\"2016-12-31T23:59:60Z\"", "\"2024-05-01T12:34:56\"", "\"{5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11}\"", "\"\\ud800\"", "[[[[[[[[]]]]]]]]",
        new string('[', 70) + new string(']', 70), "\"" + new string('x', 3000) + "\"",
    ];

    private static readonly string[] Members = ["id", "created_at", "type", "object"];

    [Fact]
    public async Task RouteBatchAsync_MutatedEvents_NeverThrowAndEveryRecordIsRoutedUnchangedOrPoisoned()
    {
        var cases = int.TryParse(Environment.GetEnvironmentVariable("EVENTROUTER_FUZZ_CASES"), out var n) && n > 0 ? n : DefaultCases;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("EVENTROUTER_FUZZ_SEED"), out var s) ? s : DefaultSeed;
        var routes = new RouteTable(new RoutingOptions());
        var allowedQueues = routes.DestinationQueues.Append(routes.PoisonQueue).ToHashSet(StringComparer.Ordinal);
        var dispatcher = new RecordingQueueDispatcher();
        var pipeline = _factory.Create(dispatcher);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var start = 0; start < cases; start += BatchSize)
        {
            var records = new List<InboundRecord>(BatchSize);
            for (var i = start; i < Math.Min(cases, start + BatchSize); i++)
            {
                var (topic, value) = MakeCase(seed, i);
                records.Add(new InboundRecord(topic, 0, i, null, null, InboundRecord.ValueOrNull(value), []));
            }
            dispatcher.Clear();

            BatchRoutingResult result;
            try
            {
                result = await pipeline.RouteBatchAsync(records);
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}, cases {start}..{start + records.Count - 1}: {ex}");
            }

            CheckBatch(seed, records, result, dispatcher, allowedQueues, counts);
        }

        output.WriteLine($"seed {seed}, {cases:N0} cases: " + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value:N0}")));
        Assert.True(counts.GetValueOrDefault("routed") + counts.GetValueOrDefault("unrouted") > cases / 20, "the mutations should leave some events valid");
        Assert.True(counts.Keys.Count(k => k.StartsWith("poison:", StringComparison.Ordinal)) >= 6, "the mutations should reach most poison reasons");
    }

    private static void CheckBatch(int seed, List<InboundRecord> records, BatchRoutingResult result, RecordingQueueDispatcher dispatcher,
        HashSet<string> allowedQueues, Dictionary<string, int> counts)
    {
        Assert.Equal(records.Count, result.Count);
        var sends = new Dictionary<long, (string Queue, byte[] Message, JsonElement Root)>();
        foreach (var (queue, message) in dispatcher.Sends)
        {
            Assert.Contains(queue, allowedQueues);
            var root = JsonDocument.Parse(message, EnvelopeOptions).RootElement;
            Assert.True(sends.TryAdd(root.GetProperty("source").GetProperty("offset").GetInt64(), (queue, message, root)), "one message per record");
        }

        var routedIds = new HashSet<Guid>();
        for (var k = 0; k < records.Count; k++)
        {
            var record = records[k];
            var outcome = result.Outcomes[k];
            var value = record.Value?.ToArray();
            var where = $"seed {seed}, case {record.Offset} ({outcome.Kind} {outcome.Reason}), value {Convert.ToBase64String(value ?? [])}";
            Assert.True(outcome.Offset == record.Offset, where);
            var key = outcome.Kind switch
            {
                OutcomeKind.Poisoned => "poison:" + outcome.Reason!.Value.ToCode(),
                OutcomeKind.Unrouted => "unrouted",
                OutcomeKind.Duplicate => "duplicate",
                _ => "routed",
            };
            counts[key] = counts.GetValueOrDefault(key) + 1;

            if (outcome.Kind == OutcomeKind.Duplicate)
            {
                // Written once, under the first record of the batch with the same id.
                Assert.False(sends.ContainsKey(record.Offset), where);
                Assert.True(routedIds.Contains(IndependentId(value!)), where);
                continue;
            }

            Assert.True(sends.TryGetValue(record.Offset, out var sent), "no message for " + where);
            Assert.Equal(outcome.Queue, sent.Queue);
            if (outcome.Kind == OutcomeKind.Poisoned)
            {
                Assert.Equal(outcome.Reason!.Value.ToCode(), sent.Root.GetProperty("reason").GetString());
                var stored = sent.Root.TryGetProperty("valueBlob", out var blob)
                    ? dispatcher.Blobs[blob.GetString()!]
                    : sent.Root.GetProperty("value").ValueKind == JsonValueKind.Null ? null : sent.Root.GetProperty("value").GetBytesFromBase64();
                Assert.True(value is null ? stored is null : stored is not null && value.AsSpan().SequenceEqual(stored), where);
                continue;
            }

            // Routed: the bytes are the input's, and an independent parser agrees it is an event.
            if (sent.Root.TryGetProperty("eventBlob", out var eventBlob))
            {
                Assert.True(value.AsSpan().SequenceEqual(dispatcher.Blobs[eventBlob.GetString()!]), where);
            }
            else
            {
                var expected = "{\"event\":"u8.ToArray().Concat(value!).ToArray();
                Assert.True(sent.Message.AsSpan().StartsWith(expected), "routed bytes differ: " + where);
            }
            try
            {
                routedIds.Add(IndependentId(value!));
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                throw new Xunit.Sdk.XunitException($"independent re-parse failed ({ex.Message}): {where}");
            }
        }
    }

    /// <summary>Re-parses a routed value with JsonDocument and checks the README's event shape; returns its id.</summary>
    private static Guid IndependentId(byte[] value)
    {
        using var document = JsonDocument.Parse(value);
        var root = document.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal(JsonValueKind.Object, Member(root, "object").ValueKind);
        Assert.Equal(JsonValueKind.String, Member(root, "created_at").ValueKind);
        Assert.False(string.IsNullOrEmpty(Member(root, "type").GetString()));
        var id = Member(root, "id").GetString()!;
        Assert.True(id.Length == 36 && Guid.TryParseExact(id, "D", out _), id);
        return Guid.ParseExact(id, "D");
    }

    /// <summary>
    /// The one member named <paramref name="name"/>. Not GetProperty, which throws on any member
    /// name that is an escaped unpaired surrogate (an unknown field the router keeps).
    /// </summary>
    private static JsonElement Member(JsonElement root, string name)
    {
        var found = root.EnumerateObject().Where(p =>
        {
            try { return p.NameEquals(name); }
            catch (InvalidOperationException) { return false; }
        }).ToList();
        return Assert.Single(found).Value;
    }

    /// <summary>Case <paramref name="index"/>: a valid event and 0 to 4 mutations, from the seed and index alone.</summary>
    internal static (string Topic, byte[]? Value) MakeCase(int seed, int index)
    {
        var rng = new Random(HashCode.Combine(seed, index));
        var topic = rng.Next(8) == 0 ? RoutingDefaults.PricesTopic : RoutingDefaults.NotificationsTopic;
        if (rng.Next(200) == 0) return (topic, rng.Next(2) == 0 ? null : []);
        var idBytes = new byte[16];
        rng.NextBytes(idBytes);
        var id = new Guid(idBytes).ToString("D");
        if (rng.Next(10) == 0) id = id.ToUpperInvariant();
        var text = "{\"id\":\"" + id + "\",\"created_at\":\"2024-05-01T12:34:56." + rng.Next(1000) + "Z\",\"type\":\"" + Types[rng.Next(Types.Length)]
            + "\",\"object\":" + Objects[rng.Next(Objects.Length)] + "}";
        var mutations = rng.Next(5);
        for (var m = 0; m < mutations && rng.Next(3) != 0; m++) text = MutateStructure(rng, text);
        var bytes = Encoding.UTF8.GetBytes(text).ToList();
        for (var m = 0; m < mutations - 1; m++) MutateBytes(rng, bytes);
        return (topic, bytes.ToArray());
    }

    private static string MutateStructure(Random rng, string text)
    {
        var member = Members[rng.Next(Members.Length)];
        var at = text.IndexOf("\"" + member + "\":", StringComparison.Ordinal);
        switch (rng.Next(8))
        {
            case 0 when at >= 0: // replace the member's value (up to the next top-level comma, roughly)
                var valueStart = at + member.Length + 3;
                var valueEnd = text.IndexOf(",\"", valueStart, StringComparison.Ordinal);
                if (valueEnd < 0) valueEnd = text.Length - 1;
                return text[..valueStart] + Fragments[rng.Next(Fragments.Length)] + text[valueEnd..];
            case 1: // add a member (maybe a duplicate of a required one)
                return text[..^1] + ",\"" + (rng.Next(2) == 0 ? member : "x" + rng.Next(3)) + "\":" + Fragments[rng.Next(Fragments.Length)] + "}";
            case 2 when at >= 0: // remove a member name's quotes / rename it
                return text.Remove(at + 1, 1).Insert(at + 1, rng.Next(2) == 0 ? "\\u00" + ((int)member[0]).ToString("x2") : member[..1].ToUpperInvariant());
            case 3: return "[" + text + "]";
            case 4: return rng.Next(2) == 0 ? text + text : " \r\n\t" + text + " \n";
            case 5: return text[..^1] + ",\"deep\":" + new string('[', rng.Next(50, 80)) + new string(']', rng.Next(50, 80)) + "}";
            case 6: return text.Replace("\"object\":", "\"object\":{\"wrap\":", StringComparison.Ordinal) [..^1] + "}}";
            default: return text.Length > 2 ? text[..rng.Next(1, text.Length)] : text;
        }
    }

    private static void MutateBytes(Random rng, List<byte> bytes)
    {
        if (bytes.Count == 0) { bytes.Add((byte)rng.Next(256)); return; }
        var at = rng.Next(bytes.Count);
        switch (rng.Next(7))
        {
            case 0: bytes[at] ^= (byte)(1 << rng.Next(8)); break;
            case 1: bytes[at] = (byte)rng.Next(256); break;
            case 2: bytes.Insert(at, (byte)rng.Next(256)); break;
            case 3: bytes.RemoveRange(at, Math.Min(bytes.Count - at, rng.Next(1, 8))); break;
            case 4: bytes.InsertRange(at, Interesting[rng.Next(Interesting.Length)]); break;
            case 5:
                var length = Math.Min(bytes.Count - at, rng.Next(1, 32));
                bytes.InsertRange(rng.Next(bytes.Count), bytes.GetRange(at, length));
                break;
            default: bytes.RemoveRange(at, bytes.Count - at); break;
        }
    }

    public void Dispose() => _factory.Dispose();
}
