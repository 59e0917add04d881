using EventRouter.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EventRouter.Kafka;

/// <summary>
/// Validates <see cref="KafkaOptions"/> at host start. Each message names the setting it is about
/// (<c>Kafka:Username is required when Kafka:SecurityProtocol is SaslSsl.</c>) and never contains a
/// setting's value, so no message can leak the password.
/// </summary>
internal sealed class KafkaOptionsValidator(IHostEnvironment? environment = null) : IValidateOptions<KafkaOptions>
{
    /// <summary>
    /// The named options <c>eventrouter check</c> binds: the same rules, except that
    /// <c>Kafka:ConsumerGroup</c> is optional (without one the check has no group to report on).
    /// </summary>
    internal const string CheckOptionsName = "check";

    internal const int MaxBatchSizeLimit = 10_000;
    internal const int MaxParallelPartitionsLimit = 256;
    internal const double MaxEventsPerSecondLimit = 10_000_000;
    internal const int MinBatchBytes = 1024;
    internal const int MaxBatchBytesLimit = 64 * 1024 * 1024;
    internal static readonly TimeSpan MaxBatchLinger = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest <c>Kafka:GroupInstanceId</c>: Kafka's 249 characters for a group instance id, less
    /// the longest suffix EventRouter appends (<c>-notifications</c>).
    /// </summary>
    internal static readonly int MaxGroupInstanceIdLength = 249 - KafkaClientConfigFactory.InstanceIdSuffixes.Values.Max(s => s.Length);

    /// <summary>
    /// librdkafka properties EventRouter sets itself; <c>Kafka:Consumer</c> may not override them
    /// because they carry credentials or the at-least-once guarantee. Value: what to use instead.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> OwnedConsumerProperties =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["bootstrap.servers"] = $"use {KafkaSettingNames.BootstrapServers}",
            ["metadata.broker.list"] = $"use {KafkaSettingNames.BootstrapServers}",
            ["group.id"] = $"use {KafkaSettingNames.ConsumerGroup}",
            ["security.protocol"] = $"use {KafkaSettingNames.SecurityProtocol}",
            ["sasl.mechanism"] = $"use {KafkaSettingNames.SaslMechanism}",
            ["sasl.mechanisms"] = $"use {KafkaSettingNames.SaslMechanism}",
            ["sasl.username"] = $"use {KafkaSettingNames.Username}",
            ["sasl.password"] = $"use {KafkaSettingNames.Password}",
            ["ssl.ca.pem"] = $"use {KafkaSettingNames.SslCaPem}",
            ["enable.ssl.certificate.verification"] = "broker certificates are always verified",
            ["ssl.endpoint.identification.algorithm"] = "broker host names are always verified",
            ["enable.auto.commit"] = "EventRouter commits only records that reached storage",
            ["enable.auto.offset.store"] = "EventRouter commits only records that reached storage",
            ["auto.offset.reset"] = "EventRouter starts a new consumer group at the earliest offset so that nothing is skipped",
            ["enable.partition.eof"] = "EventRouter does not handle end-of-partition events",
            ["dotnet.consumer.consume.result.fields"] = "EventRouter needs each record's timestamp and headers",
            ["allow.auto.create.topics"] = "EventRouter never creates topics; a topic that does not exist is an error",
            ["group.protocol"] = $"use {KafkaSettingNames.GroupProtocol}",
            ["group.instance.id"] = $"use {KafkaSettingNames.GroupInstanceId}, which gives each topic consumer an id of its own",
        };

    /// <summary>librdkafka properties the broker owns under <c>Kafka:GroupProtocol</c> <c>Consumer</c> (KIP-848); librdkafka refuses them.</summary>
    internal static readonly IReadOnlyDictionary<string, string> BrokerOwnedUnderConsumerProtocol =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["session.timeout.ms"] = "the broker's group.consumer.session.timeout.ms applies",
            ["heartbeat.interval.ms"] = "the broker's group.consumer.heartbeat.interval.ms applies",
            ["partition.assignment.strategy"] = $"the broker assigns partitions; choose its assignor with {KafkaSettingNames.Consumer}:group.remote.assignor",
            ["group.protocol.type"] = "it belongs to the classic protocol",
        };

    private static readonly string ProtocolNames = string.Join(", ", Enum.GetNames<KafkaSecurityProtocol>());
    private static readonly string MechanismNames = string.Join(", ", Enum.GetNames<KafkaSaslMechanism>());
    private static readonly string GroupProtocolNames = string.Join(", ", Enum.GetNames<KafkaGroupProtocol>());

    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        ValidateConnection(options, requireGroup: name != CheckOptionsName, failures);
        ValidateSecurity(options, failures);
        ValidateTopics(options, failures);
        ValidateBatching(options, failures);
        ValidateConsumerProperties(options, failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateConnection(KafkaOptions options, bool requireGroup, List<string> failures)
    {
        if (BootstrapServersRule.Check(options.BootstrapServers) is { } badServers)
        {
            failures.Add(badServers);
        }

        if (requireGroup && string.IsNullOrWhiteSpace(options.ConsumerGroup))
        {
            failures.Add($"{KafkaSettingNames.ConsumerGroup} is required.");
        }

        if (!KafkaOptionsParsing.TryParseGroupProtocol(options.GroupProtocol, out var groupProtocol))
        {
            failures.Add($"{KafkaSettingNames.GroupProtocol} must be one of {GroupProtocolNames}.");
        }
        else
        {
            ValidateGroupInstanceId(options, groupProtocol, failures);
        }
    }

    private static void ValidateGroupInstanceId(KafkaOptions options, KafkaGroupProtocol groupProtocol, List<string> failures)
    {
        var id = options.GroupInstanceId;
        if (string.IsNullOrEmpty(id))
        {
            return; // dynamic membership
        }

        // Kafka's rule for group.instance.id (the topic-name rule: [a-zA-Z0-9._-], at most 249 characters).
        // librdkafka does not check it, and a broker would refuse the join only once the worker runs.
        if (id.Length > MaxGroupInstanceIdLength || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            failures.Add(
                $"{KafkaSettingNames.GroupInstanceId} is not a valid group instance id ({id.Length} characters): letters, digits, '.', '_' and '-' only, " +
                $"at most {MaxGroupInstanceIdLength} characters (Kafka allows 249, and EventRouter appends -notifications or -prices for each topic consumer).");
        }

        if (groupProtocol == KafkaGroupProtocol.Consumer)
        {
            // KIP-848 brokers refuse a static member whose id the crashed process still holds
            // (UNRELEASED_INSTANCE_ID, fatal to librdkafka), so a restart after a crash would stop the
            // worker until the broker's session timeout; and that protocol already moves only the
            // partitions that change owner.
            failures.Add($"{KafkaSettingNames.GroupInstanceId} can be used only with {KafkaSettingNames.GroupProtocol} Classic: under Consumer (KIP-848) a worker restarting after a crash is refused its instance id until the broker's session timeout.");
        }
    }

    private void ValidateSecurity(KafkaOptions options, List<string> failures)
    {
        if (!KafkaOptionsParsing.TryParseSecurityProtocol(options.SecurityProtocol, out var protocol))
        {
            failures.Add($"{KafkaSettingNames.SecurityProtocol} must be one of {ProtocolNames}.");
            return;
        }

        var hasMechanism = !string.IsNullOrWhiteSpace(options.SaslMechanism);
        if (hasMechanism && !KafkaOptionsParsing.TryParseSaslMechanism(options.SaslMechanism, out _))
        {
            failures.Add($"{KafkaSettingNames.SaslMechanism} must be one of {MechanismNames}.");
        }

        if (protocol.UsesSasl())
        {
            if (!hasMechanism)
            {
                failures.Add($"{KafkaSettingNames.SaslMechanism} is required when {KafkaSettingNames.SecurityProtocol} is {protocol}.");
            }

            if (string.IsNullOrWhiteSpace(options.Username))
            {
                failures.Add($"{KafkaSettingNames.Username} is required when {KafkaSettingNames.SecurityProtocol} is {protocol}.");
            }

            if (string.IsNullOrEmpty(options.Password))
            {
                failures.Add($"{KafkaSettingNames.Password} is required when {KafkaSettingNames.SecurityProtocol} is {protocol}.");
            }
        }

        if (!protocol.UsesTls())
        {
            var isDevelopment = environment?.IsDevelopment() == true;
            if (!isDevelopment && !options.AllowPlaintext)
            {
                failures.Add(
                    $"{KafkaSettingNames.SecurityProtocol} {protocol} sends data unencrypted; it is allowed only in the Development " +
                    $"environment or with {KafkaSettingNames.AllowPlaintext} set to true.");
            }

            if (!string.IsNullOrEmpty(options.SslCaPem))
            {
                failures.Add($"{KafkaSettingNames.SslCaPem} is set but {KafkaSettingNames.SecurityProtocol} {protocol} does not use TLS.");
            }
        }
        else if (!string.IsNullOrEmpty(options.SslCaPem) &&
                 !options.SslCaPem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            failures.Add($"{KafkaSettingNames.SslCaPem} must be PEM text containing at least one '-----BEGIN CERTIFICATE-----' block.");
        }
        else if (!string.IsNullOrEmpty(options.SslCaPem) && !IsCertificatePem(options.SslCaPem))
        {
            // Caught here rather than by librdkafka at the first connection, with a message naming the setting.
            failures.Add($"{KafkaSettingNames.SslCaPem} has a '-----BEGIN CERTIFICATE-----' block that is not a valid certificate.");
        }
    }

    private static bool IsCertificatePem(string pem)
    {
        var certificates = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
            return certificates.Count > 0;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
        finally
        {
            foreach (var certificate in certificates) certificate.Dispose();
        }
    }

    private static void ValidateTopics(KafkaOptions options, List<string> failures)
    {
        var notifications = options.Topics?.Notifications;
        var prices = options.Topics?.Prices;
        if (string.IsNullOrEmpty(notifications) && string.IsNullOrEmpty(prices))
        {
            failures.Add($"{KafkaSettingNames.NotificationsTopic} or {KafkaSettingNames.PricesTopic} must be set; an empty name disables that topic, and at least one is needed.");
            return;
        }

        ValidateTopicName(KafkaSettingNames.NotificationsTopic, notifications, failures);
        ValidateTopicName(KafkaSettingNames.PricesTopic, prices, failures);

        if (!string.IsNullOrEmpty(notifications) && string.Equals(notifications, prices, StringComparison.Ordinal))
        {
            failures.Add($"{KafkaSettingNames.PricesTopic} must differ from {KafkaSettingNames.NotificationsTopic}.");
        }
    }

    private static void ValidateTopicName(string setting, string? topic, List<string> failures)
    {
        if (string.IsNullOrEmpty(topic))
        {
            return; // disabled
        }

        // Kafka's own rule (org.apache.kafka.common.internals.Topic): [a-zA-Z0-9._-], 1 to 249 characters, not "." or "..".
        var legal = topic.Length <= 249 && topic is not "." and not ".." &&
                    topic.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
        if (!legal)
        {
            failures.Add($"{setting} '{topic}' is not a valid Kafka topic name (letters, digits, '.', '_' and '-', at most 249 characters).");
        }
    }

    private static void ValidateBatching(KafkaOptions options, List<string> failures)
    {
        if (options.MaxBatchSize is < 1 or > MaxBatchSizeLimit)
        {
            failures.Add($"{KafkaSettingNames.MaxBatchSize} must be between 1 and {MaxBatchSizeLimit}.");
        }

        if (options.MaxBatchBytes is < MinBatchBytes or > MaxBatchBytesLimit)
        {
            failures.Add($"{KafkaSettingNames.MaxBatchBytes} must be between {MinBatchBytes} and {MaxBatchBytesLimit}.");
        }

        if (options.BatchLinger < TimeSpan.Zero || options.BatchLinger > MaxBatchLinger)
        {
            failures.Add($"{KafkaSettingNames.BatchLinger} must be between 00:00:00 and {MaxBatchLinger}.");
        }

        if (options.MaxParallelPartitions is < 1 or > MaxParallelPartitionsLimit)
        {
            failures.Add($"{KafkaSettingNames.MaxParallelPartitions} must be between 1 and {MaxParallelPartitionsLimit}.");
        }

        if (options.MaxEventsPerSecond is { } rate && (double.IsNaN(rate) || rate < 0 || rate > MaxEventsPerSecondLimit))
        {
            failures.Add($"{KafkaSettingNames.MaxEventsPerSecond} must be empty or 0 (no limit), or a number of events per second up to {MaxEventsPerSecondLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }

        if (options.RetryDelay <= TimeSpan.Zero)
        {
            failures.Add($"{KafkaSettingNames.RetryDelay} must be greater than zero.");
        }

        if (options.RetryMaxDelay < options.RetryDelay)
        {
            failures.Add($"{KafkaSettingNames.RetryMaxDelay} must be at least {KafkaSettingNames.RetryDelay}.");
        }

        if (options.ShutdownTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{KafkaSettingNames.ShutdownTimeout} must be greater than zero.");
        }
    }

    private static void ValidateConsumerProperties(KafkaOptions options, List<string> failures)
    {
        if (options.Consumer is null)
        {
            return;
        }

        var consumerProtocol = KafkaOptionsParsing.TryParseGroupProtocol(options.GroupProtocol, out var protocol) && protocol == KafkaGroupProtocol.Consumer;
        foreach (var key in options.Consumer.Keys.Order(StringComparer.Ordinal))
        {
            if (OwnedConsumerProperties.TryGetValue(key, out var instead))
            {
                failures.Add($"{KafkaSettingNames.Consumer}:{key} cannot be set: {instead}.");
            }
            else if (consumerProtocol && BrokerOwnedUnderConsumerProtocol.TryGetValue(key, out var why))
            {
                failures.Add($"{KafkaSettingNames.Consumer}:{key} cannot be set with {KafkaSettingNames.GroupProtocol} Consumer: {why}.");
            }
        }
    }
}
