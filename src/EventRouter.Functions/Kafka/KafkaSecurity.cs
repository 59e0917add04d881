using EventRouter.Configuration;
using EventRouter.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace EventRouter.Functions;

/// <summary>
/// How the Kafka triggers connect: binding expressions for the shared <c>Kafka:*</c> settings, and the
/// protocol, which the extension takes as an enum and so is compiled in (the provider's brokers are
/// always SASL_SSL). The SASL mechanism is an enum too: <see cref="KafkaFunctions"/> has a function per
/// mechanism, and app settings choose which run (<see cref="KafkaTriggerFunctions"/>).
/// </summary>
internal static class KafkaSecurity
{
    public const BrokerProtocol Protocol = BrokerProtocol.SaslSsl;

    public const string BootstrapServers = "%" + KafkaSettingNames.BootstrapServers + "%";
    public const string NotificationsTopic = "%" + KafkaSettingNames.NotificationsTopic + "%";
    public const string PricesTopic = "%" + KafkaSettingNames.PricesTopic + "%";
    public const string ConsumerGroup = "%" + KafkaSettingNames.ConsumerGroup + "%";
    public const string Username = "%" + KafkaSettingNames.Username + "%";
    public const string Password = "%" + KafkaSettingNames.Password + "%";

    /// <summary>
    /// The CA certificate setting, given by name without <c>%</c>: the extension then uses the
    /// setting's value when it exists and nothing otherwise (a publicly trusted broker needs none),
    /// whereas a <c>%Kafka:SslCaPem%</c> expression would stop the trigger when the setting is absent.
    /// PEM text, not a file: the only certificate form Flex Consumption supports.
    /// </summary>
    public const string CaPem = KafkaSettingNames.SslCaPem;
}

/// <summary>
/// Function-level retry of a failed Kafka batch (queue writes failed): exponential backoff within
/// one execution. When these retries are spent, host.json (<c>commitOnFailure: false</c>,
/// <c>maxRetries: -1</c>) makes the extension run the same batch again without committing, so a
/// batch is retried until storage takes it, never skipped.
/// </summary>
internal static class KafkaRetry
{
    public const int MaxRetryCount = 5;
    public const string MinimumInterval = "00:00:02";
    public const string MaximumInterval = "00:01:00";
}
