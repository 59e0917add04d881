using Confluent.Kafka;
using EventRouter.Configuration;
using EventRouter.Kafka;

namespace EventRouter.Cli.Operations;

/// <summary>
/// What <c>produce</c> and <c>replay</c> check before they touch a topic: that the brokers answer
/// (one metadata request for all topics, which creates nothing) and that the topic exists. A typo
/// must be an error that lists the topics, never a new topic.
/// </summary>
internal static class KafkaTopicCheck
{
    /// <summary>Every topic the brokers list, in name order (internal ones such as <c>__consumer_offsets</c> left out).</summary>
    /// <exception cref="KafkaUnreachableException">No broker answered within <paramref name="timeout"/>.</exception>
    public static IReadOnlyList<string> ListTopics(KafkaClientConfigFactory configs, string bootstrapServers, TimeSpan timeout)
    {
        KafkaNativeLibrary.EnsureLoaded();
        var config = configs.CreateAdminConfig("eventrouter-topics");
        config.SocketTimeoutMs = (int)Math.Max(1000, timeout.TotalMilliseconds);
        using var admin = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
        try
        {
            return [.. admin.GetMetadata(timeout).Topics.Where(t => !t.Error.IsError && !t.Topic.StartsWith("__", StringComparison.Ordinal))
                .Select(t => t.Topic).Order(StringComparer.Ordinal)];
        }
        catch (KafkaException ex)
        {
            throw new KafkaUnreachableException(bootstrapServers, timeout, ex.Error.Reason);
        }
    }

    /// <summary>Null when <paramref name="topic"/> is one of <paramref name="known"/>; else the sentence that says so.</summary>
    public static string? Problem(string topic, IReadOnlyList<string> known)
    {
        if (known.Contains(topic, StringComparer.Ordinal)) return null;
        // Topic names are case-sensitive: "notifications" is not "Notifications", but is surely meant.
        var closest = known.FirstOrDefault(k => string.Equals(k, topic, StringComparison.OrdinalIgnoreCase)) ?? UnknownSettings.Closest(topic, known);
        return $"topic {topic} does not exist" + (closest is not null ? $"; did you mean {closest}?" : ".")
            + (known.Count > 0 ? $" Topics: {string.Join(", ", known)}." : " The brokers list no topics.")
            + " Topics are never created by EventRouter.";
    }
}

/// <summary>The brokers did not answer: names the address and the settings to check, librdkafka's words last.</summary>
internal sealed class KafkaUnreachableException(string bootstrapServers, TimeSpan timeout, string reason)
    : Exception($"cannot reach Kafka at {bootstrapServers} within {timeout.TotalSeconds:0} s; check {KafkaSettingNames.BootstrapServers}, " +
        $"{KafkaSettingNames.SecurityProtocol} (and the SASL settings) and the network (librdkafka: {reason})");
