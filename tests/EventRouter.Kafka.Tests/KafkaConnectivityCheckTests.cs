using Confluent.Kafka;
using EventRouter.Kafka;

namespace EventRouter.Kafka.Tests;

/// <summary>
/// How <c>eventrouter check</c> reads librdkafka's errors: by code and known phrase, answering in its
/// own words, so no text of librdkafka's (which could in principle carry anything) is passed on.
/// </summary>
public sealed class KafkaConnectivityCheckTests
{
    private static KafkaOptions Options(string mechanism = "ScramSha512", string? caPem = null) => new()
    {
        BootstrapServers = "b:9093",
        SaslMechanism = mechanism,
        Username = "eventrouter",
        Password = "p",
        SslCaPem = caPem,
    };

    private static (string Step, string Detail) Classify(KafkaSecurityProtocol protocol, params Error[] errors)
        => KafkaConnectivityCheck.ClassifyClientErrors(Options(), protocol, errors, []);

    [Fact]
    public void ClassifyClientErrors_AuthenticationFailed_SaslNamingUserAndSettingsOnly()
    {
        var found = Classify(KafkaSecurityProtocol.SaslSsl, new Error(ErrorCode.Local_Authentication,
            "sasl_ssl://b:9093/bootstrap: SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (after 5ms in state AUTH_REQ)"));

        Assert.Equal(("SASL", "the broker rejected user 'eventrouter' with SCRAM-SHA-512: check Kafka:Username and Kafka:Password"), found);
    }

    [Fact]
    public void ClassifyClientErrors_UnsupportedMechanism_ListsOnlyKnownMechanismNamesFromTheText()
    {
        var found = Classify(KafkaSecurityProtocol.SaslSsl, new Error(ErrorCode.Local_Authentication,
            "Failed to initialize SASL authentication: Unsupported SASL mechanism: broker's supported mechanisms: PLAIN,SCRAM-SHA-256,p,the"));

        Assert.Equal(("SASL", "the broker does not offer SCRAM-SHA-512 (Kafka:SaslMechanism); it offers PLAIN, SCRAM-SHA-256"), found);
    }

    [Fact]
    public void ClassifyClientErrors_BrokerWithoutSasl_SaysSoNamingTheProtocol()
    {
        var found = Classify(KafkaSecurityProtocol.SaslPlaintext, new Error(ErrorCode.Local_Transport,
            "Failed to initialize SASL authentication: SASL Handshake not supported by broker (required by mechanism SCRAM-SHA-512)"));

        Assert.Equal(("SASL", "the broker does not speak SASL (Kafka:SecurityProtocol is SaslPlaintext)"), found);
    }

    [Theory]
    [InlineData("SSL handshake failed: error:0A000086:SSL routines::certificate verify failed: broker certificate could not be verified", "it is not signed by a CA in Kafka:SslCaPem")]
    [InlineData("SSL handshake failed: error:0A000086:SSL routines::certificate verify failed (Hostname mismatch)", "does not name the host")]
    [InlineData("SSL handshake failed: error:0A00010B:SSL routines::wrong version number", "is it a plaintext listener?")]
    public void ClassifyClientErrors_TlsFailures_NamedInTheChecksWords(string text, string expected)
    {
        var found = KafkaConnectivityCheck.ClassifyClientErrors(Options(caPem: "-----BEGIN CERTIFICATE-----"), KafkaSecurityProtocol.SaslSsl,
            [new Error(ErrorCode.Local_Ssl, text)], []);

        Assert.Equal("TLS", found.Step);
        Assert.Contains(expected, found.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("error:0A", found.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ClassifyClientErrors_Timeout_MetadataNamingBootstrapServers()
    {
        var found = Classify(KafkaSecurityProtocol.SaslSsl, new Error(ErrorCode.Local_TimedOut, "Local: Timed out"));

        Assert.Equal(("Metadata", "no broker answered a metadata request in time (Kafka:BootstrapServers, Kafka:SecurityProtocol is SaslSsl)"), found);
    }

    [Theory]
    [InlineData("p")]
    [InlineData("a")]
    [InlineData("the")]
    [InlineData("group")]
    [InlineData("SASL")]
    public void ClassifyClientErrors_AnyPassword_SameAnswer(string password)
    {
        var options = Options();
        options.Password = password;
        Error[] errors = [new(ErrorCode.Local_Authentication, "SASL authentication error: Authentication failed: Invalid username or password (after 3ms in state AUTH_REQ)")];

        Assert.Equal(KafkaConnectivityCheck.ClassifyClientErrors(Options(), KafkaSecurityProtocol.SaslSsl, errors, []),
            KafkaConnectivityCheck.ClassifyClientErrors(options, KafkaSecurityProtocol.SaslSsl, errors, []));
    }
}
