using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using EventRouter.Routing;
using EventRouter.Testing;

namespace EventRouter.Tests.Hostile;

/// <summary>
/// Every hostile record of <c>tests/data/hostile/cases.json</c> goes through the real
/// <see cref="RoutingPipeline"/> and must end exactly where README.md says: its route with the
/// original bytes, or <c>events-poison</c> with the reason, the original value, key and headers.
/// </summary>
public sealed class HostileCorpusTests : IDisposable
{
    private static readonly JsonDocumentOptions EnvelopeOptions = new() { MaxDepth = 256 };
    private readonly PipelineFactory _factory = new();
    private readonly RecordingQueueDispatcher _dispatcher = new();

    public static TheoryData<string> Cases() => HostileCorpus.Names();

    [Fact]
    public void Corpus_HasAtLeast60CasesCoveringEveryRecordPoisonReason()
    {
        var cases = HostileCorpus.All.Values.ToList();
        Assert.True(cases.Count >= 60, $"only {cases.Count} cases");
        var reasons = cases.Select(c => c.ExpectedPoison).OfType<string>().ToHashSet();
        foreach (var reason in Enum.GetValues<PoisonReason>().Where(r => r is not (PoisonReason.MaxDequeueCountExceeded or PoisonReason.InvalidEnvelope)))
        {
            Assert.Contains(reason.ToCode(), reasons);
        }
        Assert.All(cases, c => Assert.True(c.ExpectedQueue is null != (c.ExpectedPoison is null), c.Name));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task RouteBatchAsync_HostileRecord_EndsWhereTheReadmeSays(string name)
    {
        var c = HostileCorpus.All[name];
        var record = c.ToRecord(RoutingDefaults.PricesTopic, offset: 42);

        var result = await _factory.Create(_dispatcher).RouteBatchAsync([record]);

        var outcome = Assert.Single(result.Outcomes);
        var (queue, message) = Assert.Single(_dispatcher.Sends);
        if (c.ExpectedPoison is { } reason)
        {
            Assert.Equal((OutcomeKind.Poisoned, "events-poison", reason), (outcome.Kind, outcome.Queue, outcome.Reason?.ToCode()));
            Assert.Equal("events-poison", queue);
            AssertPoisonMessage(c, message);
        }
        else
        {
            var expectedKind = c.ExpectedQueue == "events-unrouted" ? OutcomeKind.Unrouted : OutcomeKind.Routed;
            Assert.Equal((expectedKind, c.ExpectedQueue, (PoisonReason?)null), (outcome.Kind, outcome.Queue, outcome.Reason));
            Assert.Equal(c.ExpectedQueue, queue);
            AssertRoutedMessage(c, message);
        }
    }

    /// <summary>The routed message carries the event byte for byte (inline, or in the payload blob it names).</summary>
    private void AssertRoutedMessage(HostileCase c, byte[] message)
    {
        using var envelope = JsonDocument.Parse(message, EnvelopeOptions);
        var root = envelope.RootElement;
        Assert.Equal(42, root.GetProperty("source").GetProperty("offset").GetInt64());
        if (root.TryGetProperty("eventBlob", out var blob))
        {
            Assert.Equal(c.Value, _dispatcher.Blobs[blob.GetString()!]);
            Assert.True(message.Length <= 49_152);
            return;
        }
        var prefix = "{\"event\":"u8.ToArray();
        Assert.Equal(prefix.Concat(c.Value!).ToArray(), message.Take(prefix.Length + c.Value!.Length).ToArray());
        Assert.Equal(Encoding.UTF8.GetString(c.Value!).Trim(' ', '\t', '\r', '\n'), root.GetProperty("event").GetRawText());
    }

    /// <summary>The poison message keeps the reason, the original value and key, and the headers as README.md describes.</summary>
    private void AssertPoisonMessage(HostileCase c, byte[] message)
    {
        Assert.True(message.Length <= 49_152, "a poison message always fits a queue message");
        using var envelope = JsonDocument.Parse(message);
        var root = envelope.RootElement;
        Assert.Equal(c.ExpectedPoison, root.GetProperty("reason").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("error").GetString()));

        if (root.TryGetProperty("valueBlob", out var valueBlob)) Assert.Equal(c.Value, _dispatcher.Blobs[valueBlob.GetString()!]);
        else if (c.Value is null) Assert.Equal(JsonValueKind.Null, root.GetProperty("value").ValueKind);
        else Assert.Equal(c.Value, root.GetProperty("value").GetBytesFromBase64());

        if (c.Key is null) Assert.Equal(JsonValueKind.Null, root.GetProperty("key").ValueKind);
        else Assert.Equal(c.Key, root.GetProperty("key").GetBytesFromBase64());

        JsonDocument? headersBlob = null;
        try
        {
            var headers = root.TryGetProperty("headersBlob", out var hb)
                ? (headersBlob = JsonDocument.Parse(_dispatcher.Blobs[hb.GetString()!])).RootElement.GetProperty("headers")
                : root.GetProperty("headers");
            var byName = c.Headers.GroupBy(h => h.Name).ToList();
            Assert.Equal(byName.Count, headers.EnumerateObject().Count());
            foreach (var group in byName)
            {
                var written = headers.GetProperty(group.Key);
                if (group.Count() == 1) AssertHeaderValue(group.Single().Value, written);
                else
                {
                    Assert.Equal(JsonValueKind.Array, written.ValueKind);
                    Assert.Equal(group.Count(), written.GetArrayLength());
                    foreach (var (expected, actual) in group.Zip(written.EnumerateArray())) AssertHeaderValue(expected.Value, actual);
                }
            }
        }
        finally
        {
            headersBlob?.Dispose();
        }
    }

    private static void AssertHeaderValue(byte[]? expected, JsonElement actual)
    {
        if (expected is null) Assert.Equal(JsonValueKind.Null, actual.ValueKind);
        else if (Utf8.IsValid(expected)) Assert.Equal(Encoding.UTF8.GetString(expected), actual.GetString());
        else Assert.Equal(expected, actual.GetProperty("base64").GetBytesFromBase64());
    }

    public void Dispose() => _factory.Dispose();
}
