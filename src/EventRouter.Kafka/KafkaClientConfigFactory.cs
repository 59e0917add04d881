using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace EventRouter.Kafka;

/// <summary>
/// Builds Confluent client configurations from <see cref="KafkaOptions"/>. The returned objects are
/// handed straight to librdkafka: they are the only place the password goes, so never log them.
/// </summary>
internal sealed class KafkaClientConfigFactory(IOptions<KafkaOptions> options)
{
    /// <summary>
    /// The partition assignment strategy unless <c>Kafka:Consumer:partition.assignment.strategy</c> says otherwise.
    /// </summary>
    /// <remarks>
    /// <c>range</c> (eager rebalancing): every rebalance revokes the whole assignment, so the consumer
    /// finishes or abandons its in-flight batch as a whole and librdkafka commits the stored offsets
    /// while unassigning. Each EventRouter consumer reads one topic, so range gives a balanced spread.
    /// <c>cooperative-sticky</c> also works with <see cref="KafkaSourceService"/> (it only stops
    /// committing the revoked partitions), but it needs two rebalance rounds per membership change,
    /// and librdkafka's mock cluster (our sandbox and tests) runs each round on a timer of
    /// session.timeout.ms minus 1 s and always picks the group leader's first strategy, so it
    /// roughly doubles join times there.
    /// </remarks>
    internal const string DefaultAssignmentStrategy = "range";

    /// <summary>How often stored offsets are committed unless <c>Kafka:Consumer:auto.commit.interval.ms</c> says otherwise.</summary>
    internal const int DefaultAutoCommitIntervalMs = 1000;

    /// <summary>
    /// librdkafka's prefetch per consumer (<c>queued.max.messages.kbytes</c>) unless
    /// <c>Kafka:Consumer</c> says otherwise: librdkafka's own 64 MiB, stated here because
    /// <see cref="DefaultFetchMaxBytes"/> is chosen against it.
    /// </summary>
    /// <remarks>
    /// Bytes, not records, decide how much of large events a backlog delivers per fetch back-off (see
    /// <see cref="DefaultQueuedMinMessages"/>): 16 MiB (tried 2026-11-22) would hold only about 3,300
    /// events of 5 KB, so the records limit is the one lowered to save memory.
    /// </remarks>
    internal const int DefaultQueuedMaxMessagesKbytes = 64 * 1024;

    /// <summary>
    /// The most records librdkafka prefetches per consumer (<c>queued.min.messages</c>) unless
    /// <c>Kafka:Consumer</c> says otherwise: 50,000, half librdkafka's 100,000.
    /// </summary>
    /// <remarks>
    /// Each prefetched record costs its bytes plus about 370 bytes of librdkafka's own, so for small
    /// events this limit, not <see cref="DefaultQueuedMaxMessagesKbytes"/>, decides the prefetch's
    /// memory: the drain benchmark's worker (1,000,000 events of 300 bytes) peaked at 148-161 MiB with
    /// 50,000 and at 179-206 MiB with 100,000 (2026-12-02), against a 200 MB target. The price is
    /// the drain rate on a backlog, 60,000/s instead of about 90,000/s (storage takes far fewer):
    /// librdkafka 2.0.2 stops fetching when either limit is reached and looks again only when its
    /// broker thread next wakes, up to a second later, so a consumer faster than the fetcher gets
    /// about one prefetch per second (librdkafka 2.2 added <c>fetch.queue.backoff.ms</c> for this).
    /// </remarks>
    internal const int DefaultQueuedMinMessages = 50_000;

    /// <summary>
    /// The most a broker returns for one fetch (<c>fetch.max.bytes</c>) unless <c>Kafka:Consumer</c>
    /// says otherwise: 8 MiB. Left alone, librdkafka's is 50 MiB, capped at the prefetch.
    /// </summary>
    /// <remarks>
    /// A response stays in memory until the last of its records has been handed over, on top of the
    /// prefetch, so on a backlog over many partitions every fetch is this size. 8 MiB is still about
    /// 28,000 events of 300 bytes per round trip, far more than storage takes in one; the drain
    /// benchmark peaked about 20 MiB lower with it at the same rate. Never below
    /// <c>message.max.bytes</c>, which librdkafka requires.
    /// </remarks>
    internal const int DefaultFetchMaxBytes = 8 * 1024 * 1024;

    private readonly KafkaOptions _options = options.Value;

    /// <summary>The stable <c>client.id</c> for the consumer of <paramref name="topic"/>.</summary>
    internal static string ClientId(string topic) => $"eventrouter-{topic}";

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

        // At-least-once: librdkafka auto-commits (every auto.commit.interval.ms, when partitions are
        // revoked, and in Close()) only the offsets we *store*, and we store offset+1 of a partition
        // only after IRecordBatchRouter.RouteBatchAsync has returned for the batch. Storing is local
        // and never blocks the consume thread; a synchronous Commit() per batch would block it on the
        // coordinator (with no timeout in Confluent 1.9.3) exactly when brokers are unreachable. The
        // price is that a crash can redeliver up to auto.commit.interval.ms of routed records, which
        // at-least-once delivery allows (queued envelopes carry the event id for de-duplication). The
        // interval is 1 s instead of librdkafka's 5 s: a commit a second per consumer costs the
        // coordinator little and cuts what a crash re-delivers fivefold (Kafka:Consumer can override it).
        config.EnableAutoCommit = true;
        config.AutoCommitIntervalMs ??= DefaultAutoCommitIntervalMs;
        config.QueuedMaxMessagesKbytes ??= DefaultQueuedMaxMessagesKbytes;
        config.QueuedMinMessages ??= DefaultQueuedMinMessages;
        config.FetchMaxBytes ??= Math.Max(DefaultFetchMaxBytes, config.MessageMaxBytes ?? 0);
        config.EnableAutoOffsetStore = false;
        config.AutoOffsetReset = AutoOffsetReset.Earliest;
        config.EnablePartitionEof = false;
        // Confluent.Kafka 1.9.3 decodes each record's topic name into a new string, with a
        // byte-at-a-time strlen: 14% of the consume thread on a backlog. Each consumer reads one
        // topic, which KafkaRecordMapper fills in; timestamps and headers are still needed.
        config.ConsumeResultFields = "timestamp,headers";
        config.Set("partition.assignment.strategy", config.Get("partition.assignment.strategy") ?? DefaultAssignmentStrategy);
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

    private void ApplyConnection(ClientConfig config)
    {
        config.BootstrapServers = _options.BootstrapServers;

        if (!KafkaOptionsParsing.TryParseSecurityProtocol(_options.SecurityProtocol, out var protocol))
        {
            throw new InvalidOperationException("Kafka:SecurityProtocol is not valid; validate KafkaOptions before building clients.");
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
                throw new InvalidOperationException("Kafka:SaslMechanism is not valid; validate KafkaOptions before building clients.");
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
