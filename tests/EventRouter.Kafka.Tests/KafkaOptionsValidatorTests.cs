using EventRouter.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Moq;

namespace EventRouter.Kafka.Tests;

public class KafkaOptionsValidatorTests
{
    internal const string Password = "Pa55-w0rd!never-show-me";

    internal static KafkaOptions ValidOptions() => new()
    {
        BootstrapServers = "broker-1.example:9092,broker-2.example:9092",
        SecurityProtocol = "SaslSsl",
        SaslMechanism = "ScramSha512",
        Username = "eventrouter",
        Password = Password,
        ConsumerGroup = "eventrouter",
    };

    private static ValidateOptionsResult Validate(KafkaOptions options, string? environment = null)
    {
        IHostEnvironment? env = null;
        if (environment is not null)
        {
            var mock = new Mock<IHostEnvironment>();
            mock.SetupGet(e => e.EnvironmentName).Returns(environment);
            env = mock.Object;
        }

        return new KafkaOptionsValidator(env).Validate(null, options);
    }

    private static void AssertSingleFailure(KafkaOptions options, string expected)
    {
        var result = Validate(options);
        Assert.True(result.Failed, "expected validation to fail");
        Assert.Equal([expected], result.Failures);
        Assert.DoesNotContain(Password, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ValidSaslSslOptions_Succeeds()
        => Assert.True(Validate(ValidOptions()).Succeeded);

    [Fact]
    public void Validate_DefaultsWithRequiredSettings_Succeeds()
    {
        // Only what has no default: SaslSsl is the default protocol, so SASL settings are needed too.
        var options = new KafkaOptions
        {
            BootstrapServers = "b:9092", ConsumerGroup = "g", SaslMechanism = "Plain", Username = "u", Password = "p",
        };
        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Validate_MissingBootstrapServers_NamesSetting(string? value)
    {
        var options = ValidOptions();
        options.BootstrapServers = value;
        AssertSingleFailure(options, "Kafka:BootstrapServers is required (a comma-separated list of host:port).");
    }

    [Theory]
    [InlineData("Classic")]
    [InlineData("consumer")]
    public void Validate_KnownGroupProtocol_Succeeds(string protocol)
    {
        var options = ValidOptions();
        options.GroupProtocol = protocol;
        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Validate_UnknownGroupProtocol_NamesSettingAndChoices()
    {
        var options = ValidOptions();
        options.GroupProtocol = "kip848";
        AssertSingleFailure(options, "Kafka:GroupProtocol must be one of Classic, Consumer.");
    }

    [Theory]
    [InlineData("session.timeout.ms", "the broker's group.consumer.session.timeout.ms applies")]
    [InlineData("partition.assignment.strategy", "the broker assigns partitions; choose its assignor with Kafka:Consumer:group.remote.assignor")]
    public void Validate_ConsumerProtocolWithClassicOnlyProperty_NamesBothSettings(string key, string why)
    {
        var options = ValidOptions();
        options.GroupProtocol = "Consumer";
        options.Consumer[key] = "6000";
        AssertSingleFailure(options, $"Kafka:Consumer:{key} cannot be set with Kafka:GroupProtocol Consumer: {why}.");
    }

    [Fact]
    public void Validate_ClassicProtocolWithSessionTimeout_Succeeds()
    {
        var options = ValidOptions();
        options.Consumer["session.timeout.ms"] = "6000";
        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData("group.protocol", "use Kafka:GroupProtocol")]
    [InlineData("allow.auto.create.topics", "EventRouter never creates topics; a topic that does not exist is an error")]
    public void Validate_OwnedGroupAndTopicProperties_Refused(string key, string instead)
    {
        var options = ValidOptions();
        options.Consumer[key] = "x";
        AssertSingleFailure(options, $"Kafka:Consumer:{key} cannot be set: {instead}.");
    }

    [Fact]
    public void Validate_BootstrapServersWithEmptyEntry_NamesSetting()
    {
        var options = ValidOptions();
        options.BootstrapServers = "a:9092,,b:9092";
        AssertSingleFailure(options, "Kafka:BootstrapServers contains an empty entry; use a comma-separated list of host:port.");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Validate_MissingConsumerGroup_NamesSetting(string? value)
    {
        var options = ValidOptions();
        options.ConsumerGroup = value;
        AssertSingleFailure(options, "Kafka:ConsumerGroup is required.");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Validate_CheckOptionsWithoutConsumerGroup_Succeed(string? value)
    {
        var options = ValidOptions();
        options.ConsumerGroup = value;

        Assert.True(new KafkaOptionsValidator().Validate(KafkaOptionsValidator.CheckOptionsName, options).Succeeded);
        Assert.True(new KafkaOptionsValidator().Validate(KafkaOptionsValidator.CheckOptionsName, ValidOptions()).Succeeded);
    }

    [Theory]
    [InlineData("SASL_SSL")]
    [InlineData("Tls")]
    [InlineData("")]
    [InlineData("0")]
    public void Validate_UnknownSecurityProtocol_NamesSettingAndAllowedValues(string value)
    {
        var options = ValidOptions();
        options.SecurityProtocol = value;
        AssertSingleFailure(options, "Kafka:SecurityProtocol must be one of SaslSsl, SaslPlaintext, Ssl, Plaintext.");
    }

    [Theory]
    [InlineData("saslssl")]
    [InlineData("SASLSSL")]
    public void Validate_SecurityProtocolInOtherCase_Succeeds(string value)
    {
        var options = ValidOptions();
        options.SecurityProtocol = value;
        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData("SCRAM-SHA-512")]
    [InlineData("Gssapi")]
    [InlineData("2")]
    public void Validate_UnknownSaslMechanism_NamesSettingAndAllowedValues(string value)
    {
        var options = ValidOptions();
        options.SaslMechanism = value;
        AssertSingleFailure(options, "Kafka:SaslMechanism must be one of Plain, ScramSha256, ScramSha512.");
    }

    [Theory]
    [InlineData("SaslSsl")]
    [InlineData("SaslPlaintext")]
    public void Validate_SaslWithoutMechanism_NamesSettingAndProtocol(string protocol)
    {
        var options = ValidOptions();
        options.SecurityProtocol = protocol;
        options.AllowPlaintext = true;
        options.SaslMechanism = null;
        AssertSingleFailure(options, $"Kafka:SaslMechanism is required when Kafka:SecurityProtocol is {protocol}.");
    }

    [Theory]
    [InlineData("SaslSsl")]
    [InlineData("SaslPlaintext")]
    public void Validate_SaslWithoutUsername_NamesSettingAndProtocol(string protocol)
    {
        var options = ValidOptions();
        options.SecurityProtocol = protocol;
        options.AllowPlaintext = true;
        options.Username = " ";
        AssertSingleFailure(options, $"Kafka:Username is required when Kafka:SecurityProtocol is {protocol}.");
    }

    [Theory]
    [InlineData("SaslSsl")]
    [InlineData("SaslPlaintext")]
    public void Validate_SaslWithoutPassword_NamesSettingAndProtocol(string protocol)
    {
        var options = ValidOptions();
        options.SecurityProtocol = protocol;
        options.AllowPlaintext = true;
        options.Password = "";
        AssertSingleFailure(options, $"Kafka:Password is required when Kafka:SecurityProtocol is {protocol}.");
    }

    [Theory]
    [InlineData("Plaintext")]
    [InlineData("SaslPlaintext")]
    public void Validate_UnencryptedProtocolInProduction_IsRejected(string protocol)
    {
        var options = ValidOptions();
        options.SecurityProtocol = protocol;
        var result = Validate(options, Environments.Production);
        Assert.Equal(
            [$"Kafka:SecurityProtocol {protocol} sends data unencrypted; it is allowed only in the Development environment or with Kafka:AllowPlaintext set to true."],
            result.Failures);
    }

    [Fact]
    public void Validate_UnencryptedProtocolWithoutHostEnvironment_IsRejected()
    {
        var options = ValidOptions();
        options.SecurityProtocol = "Plaintext";
        Assert.True(Validate(options).Failed);
    }

    [Theory]
    [InlineData("Plaintext")]
    [InlineData("SaslPlaintext")]
    public void Validate_UnencryptedProtocolInDevelopment_Succeeds(string protocol)
    {
        var options = ValidOptions();
        options.SecurityProtocol = protocol;
        Assert.True(Validate(options, Environments.Development).Succeeded);
    }

    [Fact]
    public void Validate_PlaintextWithAllowPlaintext_SucceedsWithoutCredentials()
    {
        var options = new KafkaOptions { BootstrapServers = "localhost:9092", ConsumerGroup = "g", SecurityProtocol = "Plaintext", AllowPlaintext = true };
        Assert.True(Validate(options, Environments.Production).Succeeded);
    }

    [Fact]
    public void Validate_SslWithoutCredentials_Succeeds()
    {
        var options = new KafkaOptions { BootstrapServers = "b:9093", ConsumerGroup = "g", SecurityProtocol = "Ssl" };
        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Validate_SslCaPemWithoutCertificate_NamesSetting()
    {
        var options = ValidOptions();
        options.SslCaPem = "not a certificate";
        AssertSingleFailure(options, "Kafka:SslCaPem must be PEM text containing at least one '-----BEGIN CERTIFICATE-----' block.");
    }

    [Fact]
    public void Validate_SslCaPemWithABlockThatIsNotACertificate_NamesSetting()
    {
        var options = ValidOptions();
        options.SslCaPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        AssertSingleFailure(options, "Kafka:SslCaPem has a '-----BEGIN CERTIFICATE-----' block that is not a valid certificate.");
    }

    [Fact]
    public void Validate_SslCaPemWithARealCertificate_Succeeds()
    {
        using var certificates = EventRouter.Kafka.TestBroker.TestCertificates.Create();
        var options = ValidOptions();
        options.SslCaPem = certificates.CaPem;
        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Validate_SslCaPemWithPlaintext_NamesSetting()
    {
        var options = ValidOptions();
        options.SecurityProtocol = "Plaintext";
        options.AllowPlaintext = true;
        options.SslCaPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        AssertSingleFailure(options, "Kafka:SslCaPem is set but Kafka:SecurityProtocol Plaintext does not use TLS.");
    }

    [Fact]
    public void Validate_BothTopicsEmpty_NamesBothSettings()
    {
        var options = ValidOptions();
        options.Topics = new KafkaTopicsOptions { Notifications = "", Prices = "" };
        AssertSingleFailure(options, "Kafka:Topics:Notifications or Kafka:Topics:Prices must be set; an empty name disables that topic, and at least one is needed.");
    }

    [Fact]
    public void Validate_OneTopicEmpty_Succeeds()
    {
        var options = ValidOptions();
        options.Topics.Prices = "";
        Assert.True(Validate(options).Succeeded);
        Assert.Equal([("Kafka:Topics:Notifications", "Notifications")], options.EnabledTopics());
    }

    [Theory]
    [InlineData("Notifications", "bad topic")]
    [InlineData("Prices", "prices/eu")]
    [InlineData("Prices", " ")]
    [InlineData("Notifications", "..")]
    public void Validate_IllegalTopicName_NamesSetting(string which, string name)
    {
        var options = ValidOptions();
        if (which == "Notifications") options.Topics.Notifications = name; else options.Topics.Prices = name;
        AssertSingleFailure(options, $"Kafka:Topics:{which} '{name}' is not a valid Kafka topic name (letters, digits, '.', '_' and '-', at most 249 characters).");
    }

    [Fact]
    public void Validate_SameTopicTwice_NamesSettings()
    {
        var options = ValidOptions();
        options.Topics = new KafkaTopicsOptions { Notifications = "events", Prices = "events" };
        AssertSingleFailure(options, "Kafka:Topics:Prices must differ from Kafka:Topics:Notifications.");
    }

    [Fact]
    public void Validate_TopicNamesDifferingOnlyInCase_Succeeds()
    {
        var options = ValidOptions();
        options.Topics = new KafkaTopicsOptions { Notifications = "Events", Prices = "events" };
        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData(0, "Kafka:MaxBatchSize must be between 1 and 10000.")]
    [InlineData(10_001, "Kafka:MaxBatchSize must be between 1 and 10000.")]
    public void Validate_MaxBatchSizeOutOfRange_NamesSetting(int value, string expected)
    {
        var options = ValidOptions();
        options.MaxBatchSize = value;
        AssertSingleFailure(options, expected);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(257)]
    public void Validate_MaxParallelPartitionsOutOfRange_NamesSetting(int value)
    {
        var options = ValidOptions();
        options.MaxParallelPartitions = value;
        AssertSingleFailure(options, "Kafka:MaxParallelPartitions must be between 1 and 256.");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(10_000_001)]
    public void Validate_MaxEventsPerSecondOutOfRange_NamesSetting(double value)
    {
        var options = ValidOptions();
        options.MaxEventsPerSecond = value;
        AssertSingleFailure(options, "Kafka:MaxEventsPerSecond must be empty or 0 (no limit), or a number of events per second up to 10000000.");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0d)]
    [InlineData(0.5)]
    [InlineData(1000d)]
    public void Validate_MaxEventsPerSecondUnsetZeroOrPositive_Succeeds(double? value)
    {
        var options = ValidOptions();
        options.MaxEventsPerSecond = value;
        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData(1023)]
    [InlineData(64 * 1024 * 1024 + 1)]
    public void Validate_MaxBatchBytesOutOfRange_NamesSetting(int value)
    {
        var options = ValidOptions();
        options.MaxBatchBytes = value;
        AssertSingleFailure(options, "Kafka:MaxBatchBytes must be between 1024 and 67108864.");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10_001)]
    public void Validate_BatchLingerOutOfRange_NamesSetting(int milliseconds)
    {
        var options = ValidOptions();
        options.BatchLinger = TimeSpan.FromMilliseconds(milliseconds);
        AssertSingleFailure(options, "Kafka:BatchLinger must be between 00:00:00 and 00:00:10.");
    }

    [Fact]
    public void Validate_ZeroRetryDelay_NamesSetting()
    {
        var options = ValidOptions();
        options.RetryDelay = TimeSpan.Zero;
        AssertSingleFailure(options, "Kafka:RetryDelay must be greater than zero.");
    }

    [Fact]
    public void Validate_RetryMaxDelayBelowRetryDelay_NamesBothSettings()
    {
        var options = ValidOptions();
        options.RetryDelay = TimeSpan.FromSeconds(5);
        options.RetryMaxDelay = TimeSpan.FromSeconds(1);
        AssertSingleFailure(options, "Kafka:RetryMaxDelay must be at least Kafka:RetryDelay.");
    }

    [Fact]
    public void Validate_ZeroShutdownTimeout_NamesSetting()
    {
        var options = ValidOptions();
        options.ShutdownTimeout = TimeSpan.Zero;
        AssertSingleFailure(options, "Kafka:ShutdownTimeout must be greater than zero.");
    }

    [Theory]
    [InlineData("sasl.password", "use Kafka:Password")]
    [InlineData("SASL.USERNAME", "use Kafka:Username")]
    [InlineData("bootstrap.servers", "use Kafka:BootstrapServers")]
    [InlineData("group.id", "use Kafka:ConsumerGroup")]
    [InlineData("security.protocol", "use Kafka:SecurityProtocol")]
    [InlineData("enable.auto.commit", "EventRouter commits only records that reached storage")]
    [InlineData("enable.auto.offset.store", "EventRouter commits only records that reached storage")]
    [InlineData("dotnet.consumer.consume.result.fields", "EventRouter needs each record's timestamp and headers")]
    [InlineData("enable.ssl.certificate.verification", "broker certificates are always verified")]
    [InlineData("auto.offset.reset", "EventRouter starts a new consumer group at the earliest offset so that nothing is skipped")]
    public void Validate_OwnedConsumerProperty_NamesKeyWithoutValue(string key, string instead)
    {
        var options = ValidOptions();
        options.Consumer[key] = Password; // the value must never be echoed
        AssertSingleFailure(options, $"Kafka:Consumer:{key} cannot be set: {instead}.");
    }

    [Fact]
    public void Validate_TuningConsumerProperties_Succeeds()
    {
        var options = ValidOptions();
        options.Consumer["session.timeout.ms"] = "6000";
        options.Consumer["partition.assignment.strategy"] = "cooperative-sticky";
        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Validate_EverythingWrong_ReportsEveryFailureAndNeverThePassword()
    {
        var options = new KafkaOptions
        {
            SecurityProtocol = "SaslPlaintext",
            SaslMechanism = "nope",
            Password = Password,
            Topics = new KafkaTopicsOptions { Notifications = "", Prices = "" },
            MaxBatchSize = 0,
            Consumer = { ["sasl.password"] = Password },
        };

        var result = Validate(options, Environments.Production);

        Assert.Equal(
            [
                "Kafka:BootstrapServers is required (a comma-separated list of host:port).",
                "Kafka:ConsumerGroup is required.",
                "Kafka:SaslMechanism must be one of Plain, ScramSha256, ScramSha512.",
                "Kafka:Username is required when Kafka:SecurityProtocol is SaslPlaintext.",
                "Kafka:SecurityProtocol SaslPlaintext sends data unencrypted; it is allowed only in the Development environment or with Kafka:AllowPlaintext set to true.",
                "Kafka:Topics:Notifications or Kafka:Topics:Prices must be set; an empty name disables that topic, and at least one is needed.",
                "Kafka:MaxBatchSize must be between 1 and 10000.",
                "Kafka:Consumer:sasl.password cannot be set: use Kafka:Password.",
            ],
            result.Failures);
        Assert.DoesNotContain(Password, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eventrouter-0")]
    [InlineData("EventRouter_pod.1")]
    [InlineData("")] // empty: dynamic membership, as when unset
    public void Validate_GroupInstanceIdOfKafkasCharacters_Succeeds(string id)
    {
        var options = ValidOptions();
        options.GroupInstanceId = id;
        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Validate_GroupInstanceIdAtTheLongestThatStillFitsASuffix_Succeeds()
    {
        // 249 is Kafka's limit for group.instance.id; "-notifications" (14) is appended.
        var options = ValidOptions();
        options.GroupInstanceId = new string('a', 235);
        Assert.Equal(235, KafkaOptionsValidator.MaxGroupInstanceIdLength);
        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData("eventrouter 0", 13)]
    [InlineData("pod/0", 5)]
    [InlineData("événement", 9)]
    [InlineData(" ", 1)]
    public void Validate_GroupInstanceIdWithIllegalCharacters_NamesSettingAndRule(string id, int length)
    {
        var options = ValidOptions();
        options.GroupInstanceId = id;
        AssertSingleFailure(options,
            $"Kafka:GroupInstanceId is not a valid group instance id ({length} characters): letters, digits, '.', '_' and '-' only, " +
            "at most 235 characters (Kafka allows 249, and EventRouter appends -notifications or -prices for each topic consumer).");
    }

    [Fact]
    public void Validate_GroupInstanceIdTooLongForItsSuffix_NamesSetting()
    {
        var options = ValidOptions();
        options.GroupInstanceId = new string('a', 236);
        var result = Validate(options);
        Assert.True(result.Failed);
        Assert.StartsWith("Kafka:GroupInstanceId is not a valid group instance id (236 characters)", Assert.Single(result.Failures));
    }

    [Fact]
    public void Validate_GroupInstanceIdWithConsumerGroupProtocol_IsRefused()
    {
        var options = ValidOptions();
        options.GroupProtocol = "Consumer";
        options.GroupInstanceId = "eventrouter-0";
        AssertSingleFailure(options,
            "Kafka:GroupInstanceId can be used only with Kafka:GroupProtocol Classic: under Consumer (KIP-848) a worker restarting after a crash is refused its instance id until the broker's session timeout.");
    }

    [Fact]
    public void Validate_GroupInstanceIdUnderConsumer_IsRefusedWithTheSettingToUse()
    {
        var options = ValidOptions();
        options.Consumer["group.instance.id"] = "eventrouter-0";
        AssertSingleFailure(options,
            "Kafka:Consumer:group.instance.id cannot be set: use Kafka:GroupInstanceId, which gives each topic consumer an id of its own.");
    }

    [Fact]
    public void Validate_GroupInstanceIdFromEnvironmentVariable_IsBoundAndValidated()
    {
        // How Kubernetes passes the pod name (the downward API into Kafka__GroupInstanceId).
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "b:9092", ["Kafka:ConsumerGroup"] = "g", ["Kafka:SaslMechanism"] = "Plain",
            ["Kafka:Username"] = "u", ["Kafka:Password"] = "p", ["Kafka:GroupInstanceId"] = "eventrouter/0",
        }).Build();
        var options = configuration.GetSection(KafkaOptions.SectionName).Get<KafkaOptions>()!;

        Assert.Equal("eventrouter/0", options.GroupInstanceId);
        Assert.Contains(Validate(options).Failures!, f => f.StartsWith("Kafka:GroupInstanceId ", StringComparison.Ordinal));
    }

    [Fact]
    public void ToString_WithPassword_RedactsIt()
    {
        var options = ValidOptions();
        options.Consumer["ssl.key.password"] = "another-secret";

        var text = options.ToString();

        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain("another-secret", text, StringComparison.Ordinal);
        Assert.Contains("Password = (redacted)", text, StringComparison.Ordinal);
        Assert.Contains("Username = eventrouter", text, StringComparison.Ordinal);
    }
}
