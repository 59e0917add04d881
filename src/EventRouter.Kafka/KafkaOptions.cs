using System.Text;
using EventRouter.Configuration;

namespace EventRouter.Kafka;

/// <summary>
/// Connection, consumer-group and batching settings for the Kafka source, bound from the
/// configuration section <c>Kafka</c> (environment variables <c>Kafka__BootstrapServers</c>, ...).
/// Validated at host start by <see cref="KafkaOptionsValidator"/>; every failure message names the
/// setting it is about.
/// </summary>
/// <remarks>
/// <see cref="Password"/> is a secret: it is passed to librdkafka and nowhere else. It never appears
/// in <see cref="ToString"/>, validation messages, logs or exceptions written by EventRouter.
/// </remarks>
public sealed class KafkaOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = KafkaSettingNames.Section;

    /// <summary><c>Kafka:BootstrapServers</c>: comma-separated <c>host:port</c> list of brokers.</summary>
    /// <value>Required. No default.</value>
    public string? BootstrapServers { get; set; }

    /// <summary>
    /// <c>Kafka:SecurityProtocol</c>: <c>SaslSsl</c>, <c>SaslPlaintext</c>, <c>Ssl</c> or <c>Plaintext</c>
    /// (case-insensitive). The unencrypted ones (<c>Plaintext</c>, <c>SaslPlaintext</c>) are accepted only
    /// in the Development environment or with <see cref="AllowPlaintext"/>.
    /// </summary>
    /// <value>Default <c>SaslSsl</c>.</value>
    public string SecurityProtocol { get; set; } = nameof(KafkaSecurityProtocol.SaslSsl);

    /// <summary>
    /// <c>Kafka:SaslMechanism</c>: <c>Plain</c>, <c>ScramSha256</c> or <c>ScramSha512</c> (case-insensitive).
    /// Required when <see cref="SecurityProtocol"/> uses SASL.
    /// </summary>
    /// <value>No default.</value>
    public string? SaslMechanism { get; set; }

    /// <summary><c>Kafka:Username</c>: the SASL user name. Required when <see cref="SecurityProtocol"/> uses SASL.</summary>
    /// <value>No default.</value>
    public string? Username { get; set; }

    /// <summary>
    /// <c>Kafka:Password</c>: the SASL password. Required when <see cref="SecurityProtocol"/> uses SASL.
    /// Secret: supply it from a secret store (Key Vault reference, user secrets), never from a committed file.
    /// </summary>
    /// <value>No default.</value>
    public string? Password { get; set; }

    /// <summary>
    /// <c>Kafka:SslCaPem</c>: PEM text of the CA certificate(s) that signed the brokers' certificates
    /// (librdkafka <c>ssl.ca.pem</c>). When absent the operating system's trust store is used. Broker
    /// certificates and host names are always verified.
    /// </summary>
    /// <value>Optional. No default.</value>
    public string? SslCaPem { get; set; }

    /// <summary>
    /// <c>Kafka:AllowPlaintext</c>: allow the unencrypted protocols <c>Plaintext</c> and <c>SaslPlaintext</c>
    /// outside the Development environment (a broker on a private network, the local mock cluster).
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool AllowPlaintext { get; set; }

    /// <summary><c>Kafka:ConsumerGroup</c>: the consumer group id shared by all EventRouter instances.</summary>
    /// <value>Required. No default.</value>
    public string? ConsumerGroup { get; set; }

    /// <summary>
    /// <c>Kafka:GroupInstanceId</c>: static group membership (KIP-345, librdkafka's
    /// <c>group.instance.id</c>) under this stable name, for example the Kubernetes pod name. Each topic
    /// consumer of the process is a member of its own, so each gets its own id:
    /// <c>&lt;GroupInstanceId&gt;-notifications</c> and <c>&lt;GroupInstanceId&gt;-prices</c>. A member that
    /// restarts within the session timeout takes its partitions back without a rebalance; a member that
    /// stops for good keeps them, unread, until the session timeout ends (docs/guarantees.md). Every
    /// instance of the group needs a different value. Only with <see cref="GroupProtocol"/> <c>Classic</c>.
    /// </summary>
    /// <value>Default none (dynamic membership).</value>
    public string? GroupInstanceId { get; set; }

    /// <summary>
    /// <c>Kafka:GroupProtocol</c>: <c>Classic</c> or <c>Consumer</c> (case-insensitive), librdkafka's
    /// <c>group.protocol</c>. <c>Classic</c> is the JoinGroup/SyncGroup protocol every broker speaks,
    /// with EventRouter's assignment strategy. <c>Consumer</c> is KIP-848 (Apache Kafka 4.0 brokers and
    /// later): the broker assigns partitions and moves only those that change owner, so a member joining
    /// or leaving does not stop the others (docs/guarantees.md has the measured pauses); the session
    /// timeout, heartbeat interval and assignor are then the broker's settings.
    /// </summary>
    /// <value>Default <c>Classic</c>.</value>
    public string GroupProtocol { get; set; } = nameof(KafkaGroupProtocol.Classic);

    /// <summary><c>Kafka:Topics</c>: the topic consumed for each kind of event.</summary>
    /// <value>Notifications from <c>Notifications</c>, prices from <c>Prices</c>.</value>
    public KafkaTopicsOptions Topics { get; set; } = new();

    /// <summary><c>Kafka:MaxBatchSize</c>: the most records handed to the router in one batch (1 to 10,000).</summary>
    /// <value>Default 500.</value>
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>
    /// <c>Kafka:MaxBatchBytes</c>: the most key, value and header bytes in one batch (1 KiB to 64 MiB).
    /// A single larger record still forms a batch of its own.
    /// </summary>
    /// <value>Default 4 MiB (4194304).</value>
    public int MaxBatchBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// <c>Kafka:BatchLinger</c>: how long to wait for more records after the first one of a batch
    /// before routing a batch that is not full (0 to 10 seconds). Short by default because a longer
    /// wait saves no storage requests (a queue takes one message per request) and every event waits
    /// it out; records that arrive while a partition's batch is in flight form its next batch anyway.
    /// Raise it with <c>PriceConflation</c>, which can only conflate updates that share a batch.
    /// </summary>
    /// <value>Default 5 milliseconds (<c>00:00:00.005</c>).</value>
    public TimeSpan BatchLinger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// <c>Kafka:MaxParallelPartitions</c>: how many partitions of one topic are routed at the same time
    /// (1 to 256). Each partition has at most one batch in flight, so its records still reach the router
    /// in offset order, and each partition's offsets are stored for commit as soon as its own batch is in
    /// storage: a slow or failing partition never holds back the others. Storage writes of all batches
    /// together stay within <c>Delivery:MaxConcurrency</c>.
    /// </summary>
    /// <value>Default 16.</value>
    public int MaxParallelPartitions { get; set; } = 16;

    /// <summary>
    /// <c>Kafka:MaxEventsPerSecond</c>: the most records per second consumed from each topic (each
    /// topic consumer of each instance separately), enforced by pausing fetches, never by dropping or
    /// delaying single records, so group membership and at-least-once delivery are unaffected. Empty or
    /// 0 means no limit.
    /// </summary>
    /// <value>Default no limit.</value>
    public double? MaxEventsPerSecond { get; set; }

    /// <summary>
    /// <c>Kafka:RetryDelay</c>: the wait before retrying a batch the first time storage failed; it
    /// doubles with each further failure up to <see cref="RetryMaxDelay"/> (with ±20% jitter).
    /// </summary>
    /// <value>Default 1 second.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary><c>Kafka:RetryMaxDelay</c>: the longest wait between two attempts of the same batch.</summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>Kafka:ShutdownTimeout</c>: how long a stopping consumer (or one whose partitions are being
    /// revoked) waits for its in-flight batch to reach storage before abandoning it uncommitted. Keep
    /// it below the host's shutdown timeout (<c>HostOptions.ShutdownTimeout</c>, 30 s by default) so
    /// that closing the consumer and committing still fit.
    /// </summary>
    /// <value>Default 20 seconds.</value>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// <c>Kafka:Consumer</c>: raw librdkafka consumer properties for tuning, e.g.
    /// <c>Kafka:Consumer:session.timeout.ms</c> or <c>Kafka:Consumer:partition.assignment.strategy</c>
    /// (https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md). Properties that
    /// EventRouter owns (connection, credentials, group, offset handling) are rejected here.
    /// </summary>
    /// <value>Empty.</value>
    public IDictionary<string, string?> Consumer { get; set; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>A summary for diagnostics. The password is never included, only whether one is set.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("KafkaOptions { ");
        text.Append("BootstrapServers = ").Append(BootstrapServers)
            .Append(", SecurityProtocol = ").Append(SecurityProtocol)
            .Append(", SaslMechanism = ").Append(SaslMechanism)
            .Append(", Username = ").Append(Username)
            .Append(", Password = ").Append(string.IsNullOrEmpty(Password) ? "(not set)" : "(redacted)")
            .Append(", SslCaPem = ").Append(string.IsNullOrEmpty(SslCaPem) ? "(not set)" : "(set)")
            .Append(", AllowPlaintext = ").Append(AllowPlaintext)
            .Append(", ConsumerGroup = ").Append(ConsumerGroup)
            .Append(", GroupInstanceId = ").Append(GroupInstanceId)
            .Append(", GroupProtocol = ").Append(GroupProtocol)
            .Append(", Topics = { Notifications = ").Append(Topics?.Notifications)
            .Append(", Prices = ").Append(Topics?.Prices).Append(" }")
            .Append(", MaxBatchSize = ").Append(MaxBatchSize)
            .Append(", MaxBatchBytes = ").Append(MaxBatchBytes)
            .Append(", BatchLinger = ").Append(BatchLinger)
            .Append(", MaxParallelPartitions = ").Append(MaxParallelPartitions)
            .Append(", MaxEventsPerSecond = ").Append(MaxEventsPerSecond?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(no limit)")
            .Append(", RetryDelay = ").Append(RetryDelay)
            .Append(", RetryMaxDelay = ").Append(RetryMaxDelay)
            .Append(", ShutdownTimeout = ").Append(ShutdownTimeout)
            .Append(", Consumer = [").Append(string.Join(", ", (Consumer ?? new Dictionary<string, string?>()).Keys.Order(StringComparer.Ordinal)))
            .Append("] }");
        return text.ToString();
    }
}

/// <summary>
/// <c>Kafka:Topics</c>: topic names, used exactly as given (case and all). An empty name disables
/// that consumer; at least one must be set.
/// </summary>
public sealed class KafkaTopicsOptions
{
    /// <summary><c>Kafka:Topics:Notifications</c>: the topic carrying Upvest notification events.</summary>
    /// <value>Default <c>Notifications</c>.</value>
    public string? Notifications { get; set; } = "Notifications";

    /// <summary><c>Kafka:Topics:Prices</c>: the topic carrying Upvest price events.</summary>
    /// <value>Default <c>Prices</c>.</value>
    public string? Prices { get; set; } = "Prices";
}

/// <summary>The values of <see cref="KafkaOptions.SecurityProtocol"/>.</summary>
public enum KafkaSecurityProtocol
{
    /// <summary>SASL authentication over TLS (librdkafka <c>sasl_ssl</c>).</summary>
    SaslSsl,
    /// <summary>SASL authentication without encryption (librdkafka <c>sasl_plaintext</c>).</summary>
    SaslPlaintext,
    /// <summary>TLS without SASL (librdkafka <c>ssl</c>).</summary>
    Ssl,
    /// <summary>No authentication, no encryption (librdkafka <c>plaintext</c>).</summary>
    Plaintext,
}

/// <summary>The values of <see cref="KafkaOptions.SaslMechanism"/>.</summary>
public enum KafkaSaslMechanism
{
    /// <summary>SASL/PLAIN.</summary>
    Plain,
    /// <summary>SASL/SCRAM-SHA-256.</summary>
    ScramSha256,
    /// <summary>SASL/SCRAM-SHA-512.</summary>
    ScramSha512,
}

/// <summary>The values of <see cref="KafkaOptions.GroupProtocol"/>.</summary>
public enum KafkaGroupProtocol
{
    /// <summary>The classic group protocol (JoinGroup/SyncGroup), client-side assignment.</summary>
    Classic,
    /// <summary>KIP-848's consumer group protocol (ConsumerGroupHeartbeat), broker-side incremental assignment.</summary>
    Consumer,
}

/// <summary>Parsing of the string settings into their enums (case-insensitive, names only, no numbers).</summary>
internal static class KafkaOptionsParsing
{
    public static bool TryParseSecurityProtocol(string? value, out KafkaSecurityProtocol protocol)
        => TryParseName(value, out protocol);

    public static bool TryParseSaslMechanism(string? value, out KafkaSaslMechanism mechanism)
        => TryParseName(value, out mechanism);

    public static bool TryParseGroupProtocol(string? value, out KafkaGroupProtocol protocol)
        => TryParseName(value, out protocol);

    public static bool UsesSasl(this KafkaSecurityProtocol protocol)
        => protocol is KafkaSecurityProtocol.SaslSsl or KafkaSecurityProtocol.SaslPlaintext;

    public static bool UsesTls(this KafkaSecurityProtocol protocol)
        => protocol is KafkaSecurityProtocol.SaslSsl or KafkaSecurityProtocol.Ssl;

    /// <summary>The enabled topics with their configuration keys, in a fixed order.</summary>
    public static IReadOnlyList<(string Setting, string Topic)> EnabledTopics(this KafkaOptions options)
    {
        var topics = new List<(string, string)>(2);
        if (!string.IsNullOrEmpty(options.Topics?.Notifications))
        {
            topics.Add((KafkaSettingNames.NotificationsTopic, options.Topics.Notifications));
        }

        if (!string.IsNullOrEmpty(options.Topics?.Prices))
        {
            topics.Add((KafkaSettingNames.PricesTopic, options.Topics.Prices));
        }

        return topics;
    }

    private static bool TryParseName<TEnum>(string? value, out TEnum result)
        where TEnum : struct, Enum
    {
        foreach (var name in Enum.GetNames<TEnum>())
        {
            if (string.Equals(name, value, StringComparison.OrdinalIgnoreCase))
            {
                result = Enum.Parse<TEnum>(name);
                return true;
            }
        }

        result = default;
        return false;
    }
}
