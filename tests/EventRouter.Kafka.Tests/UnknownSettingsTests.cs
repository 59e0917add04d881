using EventRouter.Configuration;
using EventRouter.Delivery;
using EventRouter.Kafka;
using EventRouter.Processing;
using EventRouter.Routing;
using EventRouter.Validation;
using Microsoft.Extensions.Configuration;

namespace EventRouter.Kafka.Tests;

public sealed class UnknownSettingsTests
{
    private static readonly (string, Type)[] Sections =
    [
        ("Kafka", typeof(KafkaOptions)), ("Routing", typeof(RoutingOptions)), ("Delivery", typeof(DeliveryOptions)),
        ("Processing", typeof(ProcessingOptions)), ("EventFields", typeof(EventFieldsOptions)),
    ];

    private static IReadOnlyList<UnknownSetting> Find(params (string Key, string Value)[] settings) =>
        UnknownSettings.Find(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build(), Sections);

    [Fact]
    public void Find_EveryKeyAnOptionBinds_NothingReported() =>
        Assert.Empty(Find(
            ("Kafka:BootstrapServers", "b:9092"), ("kafka:consumergroup", "g"), ("Kafka:Topics:Notifications", "N"),
            ("Kafka:Consumer:session.timeout.ms", "6000"), ("Kafka:Consumer:fetch.wait.max.ms", "10"),
            ("Routing:Overrides:ORDER.*", "orders"), ("Routing:Rules:0:Match", "USER.*"), ("Routing:Rules:0:Queue", "users"),
            ("Routing:KnownCategories:0", "USER"), ("Routing:AdditionalCategories:3", "X"),
            ("Delivery:MaxRetries", "3"), ("Processing:BatchSize", "8"), ("EventFields:Notifications:Type", "event_type"),
            ("Logging:LogLevel:Default", "Debug"), ("Other:Anything", "x")));

    [Fact]
    public void Find_LibrdkafkaKeyWrittenAsAnOption_SuggestsThePassThrough()
    {
        var found = Assert.Single(Find(("Kafka:SessionTimeoutMs", "6000")));
        Assert.Equal("Kafka:SessionTimeoutMs", found.Key);
        Assert.Equal("Kafka:Consumer:session.timeout.ms", found.Suggestion);
    }

    [Theory]
    [InlineData("Kafka:BootstrapServer", "Kafka:BootstrapServers")]
    [InlineData("Kafka:ConsumerGoup", "Kafka:ConsumerGroup")]
    [InlineData("Kafka:Topics:Notification", "Kafka:Topics:Notifications")]
    [InlineData("Routing:Override:ORDER.*", "Routing:Overrides")]
    [InlineData("Routing:Rules:0:Mach", "Routing:Rules:0:Match")]
    [InlineData("Delivery:MaxRetry", "Delivery:MaxRetries")]
    [InlineData("Processing:MaxDequeCount", "Processing:MaxDequeueCount")]
    [InlineData("EventFields:Prices:CreatedAt2", "EventFields:Prices:CreatedAt")]
    public void Find_Typo_NamesTheClosestKnownKey(string key, string expected)
    {
        var found = Assert.Single(Find((key, "x")));
        Assert.Equal(key.Split(':').Take(key.StartsWith("Routing:Override:", StringComparison.Ordinal) ? 2 : 99).Aggregate((a, b) => a + ":" + b), found.Key);
        Assert.Equal(expected, found.Suggestion);
    }

    [Fact]
    public void Find_NothingClose_NoSuggestion()
    {
        var found = Assert.Single(Find(("Delivery:Colour", "blue")));
        Assert.Equal("Delivery:Colour", found.Key);
        Assert.Null(found.Suggestion);
    }

    [Fact]
    public void Find_ValueIsNeverPartOfTheReport()
    {
        var found = Assert.Single(Find(("Kafka:Pasword", "s3cret-value")));
        Assert.Equal("Kafka:Password", found.Suggestion);
        Assert.DoesNotContain("s3cret", found.ToString());
    }

    [Fact]
    public void Find_ChildrenUnderAValueOrANonIndexUnderAList_AreUnknown()
    {
        var found = Find(("Kafka:BootstrapServers:0", "b:9092"), ("Routing:KnownCategories:first", "USER"));
        Assert.Equal(["Kafka:BootstrapServers:0", "Routing:KnownCategories:first"], found.Select(f => f.Key));
    }

    [Theory]
    [InlineData("Kafka:ConsumerGrop", new[] { "Kafka:ConsumerGroup", "Kafka:BootstrapServers" }, "Kafka:ConsumerGroup")]
    [InlineData("kafka:consumergroup", new[] { "Kafka:ConsumerGroup" }, "Kafka:ConsumerGroup")]
    [InlineData("Kafka:Zzzzzzzz", new[] { "Kafka:ConsumerGroup" }, null)]
    [InlineData("Kafka:X", new string[0], null)]
    public void Closest_PicksTheNearestWithinAFewLetters(string key, string[] known, string? expected) =>
        Assert.Equal(expected, UnknownSettings.Closest(key, known));

    [Theory]
    [InlineData("SessionTimeoutMs", "session.timeout.ms")]
    [InlineData("MaxPollIntervalMs", "max.poll.interval.ms")]
    [InlineData("fetch_wait_max_ms", "fetch.wait.max.ms")]
    [InlineData("debug", "debug")]
    public void ToLibrdkafkaKey_DotsTheWords(string name, string expected) => Assert.Equal(expected, UnknownSettings.ToLibrdkafkaKey(name));
}
