using Confluent.Kafka;
using EventRouter.Kafka;
using Microsoft.Extensions.Options;

namespace EventRouter.Kafka.Tests;

public class KafkaClientConfigFactoryTests
{
    private const string Password = KafkaOptionsValidatorTests.Password;
    private const string CaPem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";

    private static Dictionary<string, string> ConsumerConfigFor(KafkaOptions options, string topic = "Notifications")
        => new KafkaClientConfigFactory(Options.Create(options)).CreateConsumerConfig(topic)
            .ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public void CreateConsumerConfig_SaslSsl_MapsEverySettingToItsLibrdkafkaKey()
    {
        var options = KafkaOptionsValidatorTests.ValidOptions();
        options.SslCaPem = CaPem;

        var config = ConsumerConfigFor(options, "upvest.Notifications");

        Assert.Equal("broker-1.example:9092,broker-2.example:9092", config["bootstrap.servers"]);
        Assert.Equal("eventrouter", config["group.id"]);
        Assert.Equal("eventrouter-upvest.Notifications", config["client.id"]);
        Assert.Equal("sasl_ssl", config["security.protocol"]);
        Assert.Equal("SCRAM-SHA-512", config["sasl.mechanism"]);
        Assert.Equal("eventrouter", config["sasl.username"]);
        Assert.Equal(Password, config["sasl.password"]);
        Assert.Equal(CaPem, config["ssl.ca.pem"]);
        Assert.Equal("true", config["enable.ssl.certificate.verification"], ignoreCase: true);
        Assert.Equal("https", config["ssl.endpoint.identification.algorithm"]);
        Assert.Equal("true", config["enable.auto.commit"], ignoreCase: true);
        Assert.Equal("false", config["enable.auto.offset.store"], ignoreCase: true);
        Assert.Equal("false", config["enable.partition.eof"], ignoreCase: true);
        Assert.Equal("timestamp,headers", config["dotnet.consumer.consume.result.fields"]);
        Assert.Equal("earliest", config["auto.offset.reset"]);
        Assert.Equal("cooperative-sticky", config["partition.assignment.strategy"]);
        Assert.Equal("1000", config["auto.commit.interval.ms"]);
        Assert.Equal("65536", config["queued.max.messages.kbytes"]);
        Assert.Equal("20000", config["queued.min.messages"]);
        Assert.Equal("10", config["fetch.queue.backoff.ms"]);
        Assert.Equal("8388608", config["fetch.max.bytes"]);
    }

    [Fact]
    public void CreateConsumerConfig_ConsumerGroupProtocol_Kip848WithoutClientSideAssignor()
    {
        var options = KafkaOptionsValidatorTests.ValidOptions();
        options.GroupProtocol = "Consumer";

        var config = ConsumerConfigFor(options);

        Assert.Equal("consumer", config["group.protocol"]);
        Assert.False(config.ContainsKey("partition.assignment.strategy"));
    }

    [Fact]
    public void EveryClientConfig_NeverAutoCreatesTopics()
    {
        var options = KafkaOptionsValidatorTests.ValidOptions();
        options.Consumer["allow.auto.create.topics"] = "true";
        var factory = new KafkaClientConfigFactory(Options.Create(options));

        var configs = new ClientConfig[] { factory.CreateConsumerConfig("Notifications"), factory.CreateProducerConfig(), factory.CreateAdminConfig() };

        Assert.All(configs, config => Assert.Equal("false", config.Get("allow.auto.create.topics")));
    }

    [Fact]
    public void CreateAdminConfig_SameConnectionAndCredentialsAsTheConsumer()
    {
        var options = KafkaOptionsValidatorTests.ValidOptions();
        var factory = new KafkaClientConfigFactory(Options.Create(options));

        var admin = factory.CreateAdminConfig("eventrouter-stats").ToDictionary(kv => kv.Key, kv => kv.Value);
        var consumer = ConsumerConfigFor(options);

        Assert.Equal("eventrouter-stats", admin["client.id"]);
        foreach (var key in new[] { "bootstrap.servers", "security.protocol", "sasl.mechanism", "sasl.username", "sasl.password", "ssl.endpoint.identification.algorithm" })
        {
            Assert.Equal(consumer[key], admin[key]);
        }
    }

    [Fact]
    public void CreateConsumerConfig_QueuedMinMessagesGivenUnderConsumer_IsKept()
    {
        var options = KafkaOptionsValidatorTests.ValidOptions();
        options.Consumer["queued.min.messages"] = "100000";
        Assert.Equal("100000", ConsumerConfigFor(options)["queued.min.messages"]);
    }

    [Fact]
    public void CreateConsumerConfig_FetchQueueBackoffGivenUnderConsumer_IsKept()
    {
        var options = KafkaOptionsValidatorTests.ValidOptions();
        options.Consumer["fetch.queue.backoff.ms"] = "1000";
        Assert.Equal("1000", ConsumerConfigFor(options)["fetch.queue.backoff.ms"]);
    }

    [Fact]
    public void CreateConsumerConfig_FetchMaxBytesGivenUnderConsumer_IsKept()
    {
        var options = KafkaOptionsValidatorTests.ValidOptions();
        options.Consumer["fetch.max.bytes"] = "52428800";
        Assert.Equal("52428800", ConsumerConfigFor(options)["fetch.max.bytes"]);
    }

    [Fact]
    public void CreateConsumerConfig_MessageMaxBytesAboveTheFetchDefault_RaisesFetchMaxBytesToIt()
    {
        // librdkafka refuses fetch.max.bytes below message.max.bytes.
        var options = KafkaOptionsValidatorTests.ValidOptions();
        options.Consumer["message.max.bytes"] = "20000000";
        Assert.Equal("20000000", ConsumerConfigFor(options)["fetch.max.bytes"]);
    }

    [Fact]
    public void CreateConsumerConfig_PrefetchGivenUnderConsumer_IsKept()
    {
        var options = KafkaOptionsValidatorTests.ValidOptions();
        options.Consumer["queued.max.messages.kbytes"] = "16384";
        Assert.Equal("16384", ConsumerConfigFor(options)["queued.max.messages.kbytes"]);
    }

    [Fact]
    public void CreateConsumerConfig_AutoCommitIntervalGivenUnderConsumer_IsKept()
    {
        var options = KafkaOptionsValidatorTests.ValidOptions();
        options.Consumer["auto.commit.interval.ms"] = "250";
        Assert.Equal("250", ConsumerConfigFor(options)["auto.commit.interval.ms"]);
    }

    [Theory]
    [InlineData("SaslSsl", "sasl_ssl")]
    [InlineData("saslplaintext", "sasl_plaintext")]
    [InlineData("Ssl", "ssl")]
    [InlineData("Plaintext", "plaintext")]
    public void CreateConsumerConfig_SecurityProtocol_MapsToLibrdkafkaValue(string protocol, string expected)
    {
        var options = KafkaOptionsValidatorTests.ValidOptions();
        options.SecurityProtocol = protocol;
        Assert.Equal(expected, ConsumerConfigFor(options)["security.protocol"]);
    }

    [Theory]
    [InlineData("Plain", "PLAIN")]
    [InlineData("ScramSha256", "SCRAM-SHA-256")]
    [InlineData("scramsha512", "SCRAM-SHA-512")]
    public void CreateConsumerConfig_SaslMechanism_MapsToLibrdkafkaValue(string mechanism, string expected)
    {
        var options = KafkaOptionsValidatorTests.ValidOptions();
        options.SaslMechanism = mechanism;
        Assert.Equal(expected, ConsumerConfigFor(options)["sasl.mechanism"]);
    }

    [Fact]
    public void CreateConsumerConfig_SaslSslWithoutCaPem_UsesSystemTrustStoreAndStillVerifies()
    {
        var config = ConsumerConfigFor(KafkaOptionsValidatorTests.ValidOptions());

        Assert.False(config.ContainsKey("ssl.ca.pem"));
        Assert.Equal("true", config["enable.ssl.certificate.verification"], ignoreCase: true);
    }

    [Theory]
    [InlineData("Ssl")]
    [InlineData("Plaintext")]
    public void CreateConsumerConfig_ProtocolWithoutSasl_PassesNoCredentials(string protocol)
    {
        var options = KafkaOptionsValidatorTests.ValidOptions();
        options.SecurityProtocol = protocol;

        var config = ConsumerConfigFor(options);

        Assert.DoesNotContain(config.Keys, key => key.StartsWith("sasl.", StringComparison.Ordinal));
        Assert.DoesNotContain(config.Values, value => value.Contains(Password, StringComparison.Ordinal));
    }

    [Fact]
    public void CreateConsumerConfig_Plaintext_SetsNoTlsSettings()
    {
        var options = new KafkaOptions { BootstrapServers = "127.0.0.1:9092", ConsumerGroup = "g", SecurityProtocol = "Plaintext" };

        var config = ConsumerConfigFor(options);

        Assert.DoesNotContain(config.Keys, key => key.StartsWith("ssl.", StringComparison.Ordinal) || key.StartsWith("enable.ssl", StringComparison.Ordinal));
    }

    [Fact]
    public void CreateConsumerConfig_PasswordAppearsOnlyAsSaslPassword()
    {
        var options = KafkaOptionsValidatorTests.ValidOptions();

        var config = ConsumerConfigFor(options);

        Assert.Equal(["sasl.password"], config.Where(kv => kv.Value.Contains(Password, StringComparison.Ordinal)).Select(kv => kv.Key));
        Assert.DoesNotContain(Password, options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateConsumerConfig_TuningProperties_ArePassedThrough()
    {
        var options = KafkaOptionsValidatorTests.ValidOptions();
        options.Consumer["session.timeout.ms"] = "6000";
        options.Consumer["partition.assignment.strategy"] = "range";
        options.Consumer["client.id"] = "custom";
        options.Consumer["fetch.min.bytes"] = null; // unset values are skipped

        var config = ConsumerConfigFor(options);

        Assert.Equal("6000", config["session.timeout.ms"]);
        Assert.Equal("range", config["partition.assignment.strategy"]);
        Assert.Equal("custom", config["client.id"]);
        Assert.False(config.ContainsKey("fetch.min.bytes"));
    }

    [Fact]
    public void CreateConsumerConfig_OwnedPropertyInPassThrough_IsOverridden()
    {
        // The validator rejects these; should one slip through, the owned value still wins.
        var options = KafkaOptionsValidatorTests.ValidOptions();
        options.Consumer["enable.auto.offset.store"] = "true";
        options.Consumer["group.id"] = "other";

        var config = ConsumerConfigFor(options);

        Assert.Equal("false", config["enable.auto.offset.store"], ignoreCase: true);
        Assert.Equal("eventrouter", config["group.id"]);
    }

    [Fact]
    public void CreateConsumerConfig_WithoutGroupInstanceId_IsADynamicMember()
        => Assert.False(ConsumerConfigFor(KafkaOptionsValidatorTests.ValidOptions()).ContainsKey("group.instance.id"));

    [Fact]
    public void CreateConsumerConfig_GroupInstanceId_EachTopicConsumerGetsItsOwnId()
    {
        var options = KafkaOptionsValidatorTests.ValidOptions();
        options.GroupInstanceId = "eventrouter-2";
        options.Topics = new KafkaTopicsOptions { Notifications = "upvest.notifications", Prices = "upvest.prices" };

        var notifications = ConsumerConfigFor(options, "upvest.notifications");
        var prices = ConsumerConfigFor(options, "upvest.prices");

        Assert.Equal("eventrouter-2-notifications", notifications["group.instance.id"]);
        Assert.Equal("eventrouter-2-prices", prices["group.instance.id"]);
        Assert.Equal(notifications["group.id"], prices["group.id"]); // one group, two static members
    }

    [Fact]
    public void GroupInstanceId_TopicNamesThatLookLikeSuffixes_StillGiveDifferentIds()
    {
        // Fixed suffixes by setting, not topic names: the ids cannot collide whatever the topics are called.
        var options = new KafkaOptions
        {
            GroupInstanceId = "a",
            Topics = new KafkaTopicsOptions { Notifications = "prices", Prices = "notifications" },
        };

        Assert.Equal("a-notifications", KafkaClientConfigFactory.GroupInstanceId(options, "prices"));
        Assert.Equal("a-prices", KafkaClientConfigFactory.GroupInstanceId(options, "notifications"));
    }

    [Fact]
    public void GroupInstanceId_OneTopicDisabled_TheOtherKeepsItsSuffix()
    {
        var options = new KafkaOptions { GroupInstanceId = "w", Topics = new KafkaTopicsOptions { Notifications = "", Prices = "Prices" } };
        Assert.Equal("w-prices", KafkaClientConfigFactory.GroupInstanceId(options, "Prices"));
    }

    [Fact]
    public void GroupInstanceId_ATopicThatIsNotConfigured_Throws()
    {
        var options = new KafkaOptions { GroupInstanceId = "w" };
        Assert.Throws<ArgumentException>(() => KafkaClientConfigFactory.GroupInstanceId(options, "Other"));
    }

    [Fact]
    public void GroupInstanceId_LongestValidSetting_FitsKafkasLimitWithEitherSuffix()
    {
        var options = new KafkaOptions { GroupInstanceId = new string('x', KafkaOptionsValidator.MaxGroupInstanceIdLength) };
        Assert.Equal(249, KafkaClientConfigFactory.GroupInstanceId(options, "Notifications")!.Length);
        Assert.True(KafkaClientConfigFactory.GroupInstanceId(options, "Prices")!.Length <= 249);
    }

    [Fact]
    public void CreateProducerConfig_SaslSsl_UsesSameConnectionAndCredentials()
    {
        var config = new KafkaClientConfigFactory(Options.Create(KafkaOptionsValidatorTests.ValidOptions()))
            .CreateProducerConfig().ToDictionary(kv => kv.Key, kv => kv.Value);

        Assert.Equal("broker-1.example:9092,broker-2.example:9092", config["bootstrap.servers"]);
        Assert.Equal("sasl_ssl", config["security.protocol"]);
        Assert.Equal(Password, config["sasl.password"]);
        Assert.Equal("true", config["enable.idempotence"], ignoreCase: true);
        Assert.Equal("-1", config["acks"]); // Confluent writes Acks.All as -1
    }
}
