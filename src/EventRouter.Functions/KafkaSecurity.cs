using Microsoft.Azure.Functions.Worker;

namespace EventRouter.Functions;

/// <summary>
/// How the Kafka triggers connect. The extension takes protocol and SASL mechanism as enums in the
/// trigger attribute, so they are fixed at build time; everything else comes from app settings.
/// The one switch for the mechanism is the MSBuild property <c>KafkaSaslMechanism</c>
/// (<c>ScramSha512</c> by default, <c>ScramSha256</c> or <c>Plain</c>), which the project maps to a
/// compile constant: <c>dotnet build -p:KafkaSaslMechanism=Plain</c>.
/// </summary>
internal static class KafkaSecurity
{
    public const BrokerProtocol Protocol = BrokerProtocol.SaslSsl;

#if KAFKA_SASL_PLAIN
    public const BrokerAuthenticationMode Mechanism = BrokerAuthenticationMode.Plain;
#elif KAFKA_SASL_SCRAM_SHA_256
    public const BrokerAuthenticationMode Mechanism = BrokerAuthenticationMode.ScramSha256;
#else
    public const BrokerAuthenticationMode Mechanism = BrokerAuthenticationMode.ScramSha512;
#endif

    /// <summary>
    /// The CA certificate setting, given by name without <c>%</c>: the extension then uses the
    /// setting's value when it exists and nothing otherwise (a publicly trusted broker needs none),
    /// whereas a <c>%Kafka:SslCaPem%</c> expression would stop the trigger when the setting is absent.
    /// </summary>
    public const string CaPemSetting = "Kafka:SslCaPem";
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
