namespace EventRouter.Configuration;

/// <summary>
/// Every <c>Kafka:*</c> configuration key, by its key form. Both hosts, the CLI, the validators and
/// their messages take the names from here, so a renamed setting is renamed everywhere and a message
/// cannot name a setting that does not exist. The core holds them because the Functions app reads
/// the same keys without referencing the Kafka client project. In app settings and environment
/// variables <c>:</c> is written <c>__</c> (<c>Kafka__BootstrapServers</c>); Azure Functions binding
/// expressions use the key form (<c>%Kafka:BootstrapServers%</c>), which resolves through the same
/// configuration.
/// </summary>
public static class KafkaSettingNames
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Kafka";

    public const string BootstrapServers = Section + ":BootstrapServers";
    public const string SecurityProtocol = Section + ":SecurityProtocol";
    public const string SaslMechanism = Section + ":SaslMechanism";
    public const string Username = Section + ":Username";
    public const string Password = Section + ":Password";
    public const string SslCaPem = Section + ":SslCaPem";
    public const string ConsumerGroup = Section + ":ConsumerGroup";
    public const string NotificationsTopic = Section + ":Topics:Notifications";
    public const string PricesTopic = Section + ":Topics:Prices";

    // Read by the self-hosted worker only (the Functions triggers have their own settings for these).
    public const string AllowPlaintext = Section + ":AllowPlaintext";
    public const string GroupProtocol = Section + ":GroupProtocol";
    public const string GroupInstanceId = Section + ":GroupInstanceId";
    public const string MaxBatchSize = Section + ":MaxBatchSize";
    public const string MaxBatchBytes = Section + ":MaxBatchBytes";
    public const string BatchLinger = Section + ":BatchLinger";
    public const string MaxParallelPartitions = Section + ":MaxParallelPartitions";
    public const string MaxEventsPerSecond = Section + ":MaxEventsPerSecond";
    public const string RetryDelay = Section + ":RetryDelay";
    public const string RetryMaxDelay = Section + ":RetryMaxDelay";
    public const string ShutdownTimeout = Section + ":ShutdownTimeout";

    /// <summary>The pass-through section of librdkafka consumer properties; see <see cref="ConsumerProperty"/>.</summary>
    public const string Consumer = Section + ":Consumer";

    /// <summary>
    /// The keys both hosts read, in the order the documentation lists them (local.settings.sample.json
    /// and the Functions app settings carry each of them).
    /// </summary>
    public static IReadOnlyList<string> SharedByHosts { get; } =
        [BootstrapServers, SecurityProtocol, SaslMechanism, Username, Password, SslCaPem, ConsumerGroup, NotificationsTopic, PricesTopic];

    /// <summary><c>session.timeout.ms</c> → <c>Kafka:Consumer:session.timeout.ms</c>.</summary>
    public static string ConsumerProperty(string librdkafkaKey) => $"{Consumer}:{librdkafkaKey}";

    /// <summary><c>Kafka:Topics:Prices</c> → <c>Kafka__Topics__Prices</c>.</summary>
    public static string ToAppSettingName(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}
