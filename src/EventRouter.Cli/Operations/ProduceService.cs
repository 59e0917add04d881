using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventRouter.Kafka;
using EventRouter.Validation;

namespace EventRouter.Cli.Operations;

/// <summary>
/// <c>eventrouter produce</c>: writes events to a topic with the configured Kafka settings, with the
/// headers the provider sets (<c>event-id</c>, <c>event-type</c>, <c>content-type: application/json</c>)
/// derived from each event, keyed by the event id or a dot path into the event (<c>object.user_id</c>).
/// The id and type are read from the fields configured for the topic (<c>EventFields</c>).
/// </summary>
internal sealed class ProduceService(KafkaClientConfigFactory configs, EventFieldMapping? fields = null)
{
    /// <summary>How long each event may wait for the brokers' acknowledgement.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The lines of a <c>kcat -C</c> dump: one value per line, blank lines skipped.</summary>
    public static IEnumerable<byte[]> ReadLines(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line)) yield return Encoding.UTF8.GetBytes(line.TrimEnd('\r'));
        }
    }

    public async Task<ProduceReport> ProduceAsync(string topic, IEnumerable<byte[]?> values, string? keyTemplate, DateTimeOffset? timestamp = null,
        CancellationToken cancellationToken = default)
    {
        KafkaNativeLibrary.EnsureLoaded();
        var config = configs.CreateProducerConfig("eventrouter-produce");
        config.LingerMs = 5;
        // librdkafka waits 300 s for an acknowledgement by default: a tool must not be silent that long.
        config.MessageTimeoutMs = (int)Timeout.TotalMilliseconds;
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(config).SetLogHandler((_, _) => { }).Build();
        var pending = new List<Task<DeliveryResult<byte[]?, byte[]?>>>();
        var names = (fields ?? EventFieldMapping.Default).For(topic);
        foreach (var value in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (headers, key) = Describe(value, keyTemplate, names);
            var message = new Message<byte[]?, byte[]?> { Key = key is null ? null : Encoding.UTF8.GetBytes(key), Value = value, Headers = headers };
            if (timestamp is { } ts) message.Timestamp = new Timestamp(ts);
            pending.Add(producer.ProduceAsync(topic, message, cancellationToken));
            if (pending.Count % 10_000 == 0) await Task.WhenAll(pending.Skip(pending.Count - 10_000));
        }
        producer.Flush(cancellationToken);
        var results = await Task.WhenAll(pending);
        return new ProduceReport(topic, results.Select(r => new ProducedMessage(r.Partition.Value, r.Offset.Value,
            r.Message.Key is null ? null : Encoding.UTF8.GetString(r.Message.Key))).ToList());
    }

    /// <summary>The headers and key for one value: what can be read from it; the key falls back to the event id.</summary>
    internal static (Headers Headers, string? Key) Describe(byte[]? value, string? keyTemplate, EventFieldNames? names = null)
    {
        names ??= EventFieldNames.Default;
        var headers = new Headers();
        string? id = null, type = null, key = null;
        if (value is not null)
        {
            try
            {
                using var doc = JsonDocument.Parse(value);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    // Top-level property names, looked up as they are (a configured name may contain a dot).
                    id = doc.RootElement.TryGetProperty(names.Id, out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
                    type = doc.RootElement.TryGetProperty(names.Type, out var typeElement) && typeElement.ValueKind == JsonValueKind.String ? typeElement.GetString() : null;
                    if (keyTemplate is { Length: > 0 }) key = StringAt(doc.RootElement, keyTemplate);
                }
            }
            catch (JsonException)
            {
                // Not JSON: produced as is, without event headers (how malformed test input is made).
            }
        }
        if (id is not null) headers.Add("event-id", Encoding.UTF8.GetBytes(id));
        if (type is not null) headers.Add("event-type", Encoding.UTF8.GetBytes(type));
        headers.Add("content-type", "application/json"u8.ToArray());
        return (headers, string.IsNullOrEmpty(key) ? id : key);
    }

    /// <summary>The value at a dot path (<c>object.user_id</c>) as text: a string as is, a number or bool as written; else null.</summary>
    internal static string? StringAt(JsonElement element, string path)
    {
        foreach (var part in path.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element)) return null;
        }
        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
            _ => null,
        };
    }
}

internal sealed record ProducedMessage(int Partition, long Offset, string? Key);

internal sealed record ProduceReport(string Topic, IReadOnlyList<ProducedMessage> Messages)
{
    public IEnumerable<(int Partition, int Count)> PerPartition =>
        Messages.GroupBy(m => m.Partition).OrderBy(g => g.Key).Select(g => (g.Key, g.Count()));
}
