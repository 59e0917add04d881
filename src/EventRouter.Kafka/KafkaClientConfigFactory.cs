using Confluent.Kafka;
using EventRouter.Configuration;
using Microsoft.Extensions.Options;

namespace EventRouter.Kafka;

/// <summary>
/// Builds Confluent client configurations from <see cref="KafkaOptions"/>. The returned objects are
/// handed straight to librdkafka: they are the only place the password goes, so never log them.
/// </summary>
internal sealed class KafkaClientConfigFactory(IOptions<KafkaOptions> options)
{
    /// <summary>
    /// The partition assignment strategy of the classic group protocol unless
    /// <c>Kafka:Consumer:partition.assignment.strategy</c> says otherwise.
    /// </summary>
    /// <remarks>
    /// A worker runs one consumer per topic in one group, so every member that joins or leaves changes
    /// the group of both topics. <c>cooperative-sticky</c> (incremental) revokes only the partitions that
    /// move: the other topic's consumer and the partitions an instance keeps go on routing. Eager
    /// <c>range</c> revoked everything for the whole join round, which stopped the Notifications consumer
    /// whenever the Prices consumer (re)joined. Every broker since Kafka 2.4 supports it; KIP-848
    /// (<c>Kafka:GroupProtocol</c> <c>Consumer</c>) is incremental too. Measured pauses: docs/guarantees.md.
    /// </remarks>
    internal const string DefaultAssignmentStrategy = "cooperative-sticky";

    /// <summary>How often stored offsets are committed unless <c>Kafka:Consumer:auto.commit.interval.ms</c> says otherwise.</summary>
    internal const int DefaultAutoCommitIntervalMs = 1000;

    /// <summary>
    /// librdkafka's prefetch per consumer in bytes (<c>queued.max.messages.kbytes</c>) unless
    /// <c>Kafka:Consumer</c> says otherwise: librdkafka's own 64 MiB, stated here because
    /// <see cref="DefaultFetchMaxBytes"/> is chosen against it. For large events this is the bound
    /// that decides the prefetch's memory.
    /// </summary>
    internal const int DefaultQueuedMaxMessagesKbytes = 64 * 1024;

    /// <summary>
    /// The records librdkafka keeps prefetched per partition before it stops fetching it
    /// (<c>queued.min.messages</c>) unless <c>Kafka:Consumer</c> says otherwise (librdkafka: 100,000).
    /// </summary>
    /// <remarks>
    /// Each prefetched record costs its bytes plus librdkafka's own few hundred, so for small events
    /// this limit decides the prefetch's memory. With <see cref="DefaultFetchQueueBackoffMs"/> the
    /// fetcher refills soon after the application takes records, so a smaller prefetch no longer costs
    /// throughput (the Kafka and drain benchmarks in docs/performance.md).
    /// </remarks>
    internal const int DefaultQueuedMinMessages = 20_000;

    /// <summary>
    /// How long librdkafka waits before it fetches a partition again once the prefetch was full
    /// (<c>fetch.queue.backoff.ms</c>) unless <c>Kafka:Consumer</c> says otherwise (librdkafka: 1000).
    /// </summary>
    /// <remarks>
    /// A consumer that takes records faster than librdkafka's one-second default would otherwise wait
    /// for the fetcher once per prefetch: on a backlog that, not the consumer, set the rate.
    /// </remarks>
    internal const int DefaultFetchQueueBackoffMs = 10;

    /// <summary>
    /// The most a broker returns for one fetch (<c>fetch.max.bytes</c>) unless <c>Kafka:Consumer</c>
    /// says otherwise: 8 MiB. Left alone, librdkafka's is 50 MiB, capped at the prefetch.
    /// </summary>
    /// <remarks>
    /// A response stays in memory until the last of its records has been handed over, on top of the
    /// prefetch, so on a backlog over many partitions every fetch is this size; a smaller one lowers
    /// the peak at the same rate. Never below <c>message.max.bytes</c>, which librdkafka requires.
    /// </remarks>
    internal const int DefaultFetchMaxBytes = 8 * 1024 * 1024;

    private readonly KafkaOptions _options = options.Value;

    /// <summary>The stable <c>client.id</c> for the consumer of <paramref name="topic"/>.</summary>
    internal static string ClientId(string topic) => $"eventrouter-{topic}";

    /// <summary>
    /// What <c>Kafka:GroupInstanceId</c> is suffixed with for each topic consumer, by the setting that
    /// names its topic. Fixed words, not the topic names: topic names can be 249 characters long, and
    /// two ids must differ even when one deployment's topic names look like another's suffixes.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> InstanceIdSuffixes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [KafkaSettingNames.NotificationsTopic] = "-notifications",
        [KafkaSettingNames.PricesTopic] = "-prices",
    };

    /// <summary>
    /// The <c>group.instance.id</c> of the consumer of <paramref name="topic"/>: <c>Kafka:GroupInstanceId</c>
    /// plus the suffix of the setting that names the topic, or null without static membership.
    /// </summary>
    /// <remarks>
    /// A worker runs one consumer per topic, and both are members of one group, so one id for both would
    /// make the second fence the first (the broker allows one member per instance id). The suffixes are
    /// fixed per topic setting, so the same process always gets the same two ids back after a restart.
    /// </remarks>
    internal static string? GroupInstanceId(KafkaOptions options, string topic)
    {
        if (string.IsNullOrEmpty(options.GroupInstanceId))
        {
            return null;
        }

        foreach (var (setting, enabled) in options.EnabledTopics())
        {
            if (string.Equals(enabled, topic, StringComparison.Ordinal))
            {
                return options.GroupInstanceId + InstanceIdSuffixes[setting];
            }
        }

        // Only the configured topics' consumers join the group; anything else joining with an id
        // derived from ours could fence one of them.
        throw new ArgumentException($"Topic '{topic}' is neither {KafkaSettingNames.NotificationsTopic} nor {KafkaSettingNames.PricesTopic}, so it has no group instance id.", nameof(topic));
    }

    /// <summary>The consumer configuration for one topic's consumer.</summary>
    public ConsumerConfig CreateConsumerConfig(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);

        // Tuning properties first, so that everything below wins (the validator also rejects
        // Kafka:Consumer keys that would override these).
        var config = new ConsumerConfig();
        foreach (var (key, value) in _options.Consumer ?? new Dictionary<string, string?>())
        {
            if (value is not null)
            {
                config.Set(key, value);
            }
        }

        ApplyConnection(config);
        config.GroupId = _options.ConsumerGroup;
        config.ClientId ??= ClientId(topic);
        // Static membership: a restarted worker's consumers rejoin as the members they were and get
        // their partitions back without a rebalance (KIP-345). Null leaves membership dynamic.
        config.GroupInstanceId = GroupInstanceId(_options, topic);

        // At-least-once: librdkafka auto-commits (every auto.commit.interval.ms, when partitions are
        // revoked, and in Close()) only the offsets we *store*, and we store offset+1 of a partition
        // only after IRecordBatchRouter.RouteBatchAsync has returned for the batch. Storing is local
        // and never blocks the consume thread; a synchronous Commit() per batch would block it on the
        // coordinator exactly when brokers are unreachable. The
        // price is that a crash can redeliver up to auto.commit.interval.ms of routed records, which
        // at-least-once delivery allows (queued envelopes carry the event id for de-duplication). The
        // interval is 1 s instead of librdkafka's 5 s: a commit a second per consumer costs the
        // coordinator little and cuts what a crash re-delivers fivefold (Kafka:Consumer can override it).
        config.EnableAutoCommit = true;
        config.AutoCommitIntervalMs ??= DefaultAutoCommitIntervalMs;
        config.QueuedMaxMessagesKbytes ??= DefaultQueuedMaxMessagesKbytes;
        config.QueuedMinMessages ??= DefaultQueuedMinMessages;
        config.FetchQueueBackoffMs ??= DefaultFetchQueueBackoffMs;
        config.FetchMaxBytes ??= Math.Max(DefaultFetchMaxBytes, config.MessageMaxBytes ?? 0);
        config.EnableAutoOffsetStore = false;
        config.AutoOffsetReset = AutoOffsetReset.Earliest;
        config.EnablePartitionEof = false;
        // Confluent.Kafka would decode each record's topic name into a new string; each consumer reads
        // one topic, which KafkaRecordMapper fills in. Timestamps and headers are needed.
        config.ConsumeResultFields = "timestamp,headers";
        if (KafkaOptionsParsing.TryParseGroupProtocol(_options.GroupProtocol, out var groupProtocol) && groupProtocol == KafkaGroupProtocol.Consumer)
        {
            // KIP-848: the broker assigns, incrementally; librdkafka refuses a client-side strategy.
            config.Set("group.protocol", "consumer");
        }
        else
        {
            config.Set("partition.assignment.strategy", config.Get("partition.assignment.strategy") ?? DefaultAssignmentStrategy);
        }

        return config;
    }

    /// <summary>A producer configuration with the same connection and credentials (for tools such as <c>eventrouter produce</c>).</summary>
    public ProducerConfig CreateProducerConfig(string clientId = "eventrouter-producer")
    {
        var config = new ProducerConfig { ClientId = clientId };
        ApplyConnection(config);
        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        return config;
    }

    /// <summary>An admin client configuration with the same connection and credentials (for the operator commands).</summary>
    public AdminClientConfig CreateAdminConfig(string clientId = "eventrouter-admin")
    {
        var config = new AdminClientConfig { ClientId = clientId };
        ApplyConnection(config);
        return config;
    }

    private void ApplyConnection(ClientConfig config)
    {
        config.BootstrapServers = _options.BootstrapServers;
        // A topic name with a typo must fail, not create a topic (librdkafka's producer and admin
        // clients allow it by default, and brokers with auto.create.topics.enable obey).
        config.Set("allow.auto.create.topics", "false");

        if (!KafkaOptionsParsing.TryParseSecurityProtocol(_options.SecurityProtocol, out var protocol))
        {
            throw new InvalidOperationException($"{KafkaSettingNames.SecurityProtocol} is not valid; validate KafkaOptions before building clients.");
        }

        config.SecurityProtocol = protocol switch
        {
            KafkaSecurityProtocol.SaslSsl => SecurityProtocol.SaslSsl,
            KafkaSecurityProtocol.SaslPlaintext => SecurityProtocol.SaslPlaintext,
            KafkaSecurityProtocol.Ssl => SecurityProtocol.Ssl,
            _ => SecurityProtocol.Plaintext,
        };

        if (protocol.UsesSasl())
        {
            if (!KafkaOptionsParsing.TryParseSaslMechanism(_options.SaslMechanism, out var mechanism))
            {
                throw new InvalidOperationException($"{KafkaSettingNames.SaslMechanism} is not valid; validate KafkaOptions before building clients.");
            }

            config.SaslMechanism = mechanism switch
            {
                KafkaSaslMechanism.Plain => SaslMechanism.Plain,
                KafkaSaslMechanism.ScramSha256 => SaslMechanism.ScramSha256,
                _ => SaslMechanism.ScramSha512,
            };
            config.SaslUsername = _options.Username;
            config.SaslPassword = _options.Password;
        }

        if (protocol.UsesTls())
        {
            config.EnableSslCertificateVerification = true;
            config.SslEndpointIdentificationAlgorithm = SslEndpointIdentificationAlgorithm.Https;
            if (!string.IsNullOrEmpty(_options.SslCaPem))
            {
                config.SslCaPem = _options.SslCaPem;
            }
        }
    }
}
