using EventRouter.Configuration;
using EventRouter.Routing;
using Microsoft.Extensions.Options;

namespace EventRouter.Tests.Configuration;

public sealed class RoutingOptionsValidatorTests
{
    private static readonly string Long57 = new('q', 57);

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = Validate(new RoutingOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("PricesQueue")]
    [InlineData("UnroutedQueue")]
    [InlineData("Overrides:ORDER.*")]
    public void Validate_RouteTargetsThePoisonQueue_NamesSetting(string setting)
    {
        var options = new RoutingOptions();
        if (setting == "PricesQueue") options.PricesQueue = "events-poison";
        else if (setting == "UnroutedQueue") options.UnroutedQueue = "events-poison";
        else options.Overrides["ORDER.*"] = "events-poison";

        var result = Validate(options);

        Assert.False(result.Succeeded);
        Assert.Contains($"Routing:{setting}: 'events-poison' is the poison queue", result.FailureMessage);
    }

    [Fact]
    public void Validate_RuleConflictsWithOverride_NamesBothSettings()
    {
        var options = new RoutingOptions();
        options.Overrides["ORDER.*"] = "orders";
        options.Rules.Add(new RouteRule { Match = "ORDER.*", Queue = "other-orders" });

        var result = Validate(options);

        Assert.False(result.Succeeded);
        Assert.Contains("Routing:Rules:0: 'ORDER.*' is already routed to 'orders' by Routing:Overrides:ORDER.*.", result.FailureMessage);
    }

    [Fact]
    public void Validate_RuleWithBadQueue_NamesRuleIndex()
    {
        var options = new RoutingOptions();
        options.Rules.Add(new RouteRule { Match = "USER.*", Queue = "ok-queue" });
        options.Rules.Add(new RouteRule { Match = "ORDER.*", Queue = "Bad_Queue" });

        var result = Validate(options);

        Assert.False(result.Succeeded);
        Assert.Contains("Routing:Rules:1", result.FailureMessage);
    }

    [Fact]
    public void Validate_OverrideTargetsAPoisonTwin_Fails()
    {
        var options = new RoutingOptions();
        options.Overrides["USER.CREATED"] = "events-user-poison";

        var result = Validate(options);

        Assert.False(result.Succeeded);
        Assert.Contains("Routing:Overrides:USER.CREATED: 'events-user-poison' ends with '-poison'", result.FailureMessage);
    }

    [Fact]
    public void Validate_ValidCustomisation_Succeeds()
    {
        var options = new RoutingOptions
        {
            KnownCategories = ["ORDER", "USER"],
            AdditionalCategories = ["LOAN"],
            CategoryQueuePrefix = "prod-",
            PricesQueue = "prod-prices",
            UnroutedQueue = new string('u', 56),
            PoisonQueue = new string('p', 63),
            NotificationsTopic = "provider.notifications_v1",
            PricesTopic = "provider.prices-v1",
        };
        options.Overrides["ORDER.*"] = "orders";
        options.Overrides["ORDER.FILLED"] = "orders-filled";
        options.Overrides["HEARTBEAT"] = "heartbeats";

        var result = Validate(options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("Bad_Name", "may contain only lowercase")]
    [InlineData("", "is empty")]
    [InlineData("pr", "shorter than 3")]
    [InlineData("-prices", "start and end")]
    public void Validate_BadPricesQueue_NamesSetting(string queue, string problem)
    {
        var result = Validate(new RoutingOptions { PricesQueue = queue });

        AssertSingleFailure(result, "Routing:PricesQueue", problem);
    }

    [Fact]
    public void Validate_PricesQueueOf57_FailsForPoisonTwin()
    {
        var result = Validate(new RoutingOptions { PricesQueue = Long57 });

        AssertSingleFailure(result, "Routing:PricesQueue", "longer than 56");
    }

    [Fact]
    public void Validate_UnroutedQueueOf57_FailsNamingSetting()
    {
        var result = Validate(new RoutingOptions { UnroutedQueue = Long57 });

        AssertSingleFailure(result, "Routing:UnroutedQueue", "longer than 56");
    }

    [Fact]
    public void Validate_UnroutedQueueOf56_Succeeds()
    {
        Assert.True(Validate(new RoutingOptions { UnroutedQueue = new string('u', 56) }).Succeeded);
    }

    [Fact]
    public void Validate_PoisonQueue_Allows63ButNot64()
    {
        // The poison queue has no poison twin of its own, so the plain Azure limit applies.
        Assert.True(Validate(new RoutingOptions { PoisonQueue = new string('p', 63) }).Succeeded);

        var result = Validate(new RoutingOptions { PoisonQueue = new string('p', 64) });

        AssertSingleFailure(result, "Routing:PoisonQueue", "longer than 63");
    }

    [Fact]
    public void Validate_BadPoisonQueueName_NamesSetting()
    {
        AssertSingleFailure(Validate(new RoutingOptions { PoisonQueue = "Events-Poison" }), "Routing:PoisonQueue", "lowercase");
    }

    [Theory]
    [InlineData("ORDER.*", "Bad_Queue", "may contain only lowercase")]
    [InlineData("ORDER.FILLED", "Bad_Queue", "may contain only lowercase")]
    [InlineData("ORDER.*", "", "is empty")]
    [InlineData("ORDER.*", "orders--all", "consecutive hyphens")]
    public void Validate_OverrideToBadQueue_NamesOverrideKey(string pattern, string queue, string problem)
    {
        var options = new RoutingOptions();
        options.Overrides[pattern] = queue;

        var result = Validate(options);

        AssertSingleFailure(result, $"Routing:Overrides:{pattern}", problem);
    }

    [Fact]
    public void Validate_OverrideQueueOf57_FailsNamingOverride()
    {
        var options = new RoutingOptions();
        options.Overrides["ORDER.*"] = Long57;

        AssertSingleFailure(Validate(options), "Routing:Overrides:ORDER.*", "longer than 56");
    }

    [Theory]
    [InlineData("*")]
    [InlineData(".*")]
    [InlineData("ORD*")]
    [InlineData("ORDER*")]
    [InlineData("*.FILLED")]
    [InlineData("ORDER.*.X")]
    [InlineData("ORDER.**")]
    [InlineData(" ")]
    public void Validate_MalformedOverrideKey_NamesIt(string pattern)
    {
        var options = new RoutingOptions();
        options.Overrides[pattern] = "orders";

        var result = Validate(options);

        AssertSingleFailure(result, $"Routing:Overrides:{pattern}", "exact type");
    }

    [Theory]
    [InlineData("ORDER.X")]
    [InlineData("ORDER*")]
    [InlineData("")]
    [InlineData(" ")]
    public void Validate_MalformedKnownCategory_NamesKnownCategories(string category)
    {
        var result = Validate(new RoutingOptions { KnownCategories = ["USER", category] });

        AssertSingleFailure(result, "Routing:KnownCategories", "is not a category");
    }

    [Fact]
    public void Validate_KnownCategoryWithBadQueueName_NamesKnownCategories()
    {
        var result = Validate(new RoutingOptions { KnownCategories = ["ORDER", "OR DER"] });

        AssertSingleFailure(result, "Routing:KnownCategories", "'events-or der'");
    }

    [Fact]
    public void Validate_KnownCategoryTooLongForQueue_NamesItAndLimit()
    {
        var category = new string('C', 50);   // "events-" + 50 = 57

        var result = Validate(new RoutingOptions { KnownCategories = [category] });

        AssertSingleFailure(result, $"Routing:KnownCategories ({category})", "longer than 56");
    }

    [Theory]
    [InlineData("LOAN.X", "is not a category")]
    [InlineData("LO AN", "may contain only lowercase")]
    public void Validate_BadAdditionalCategory_NamesAdditionalCategories(string category, string problem)
    {
        var result = Validate(new RoutingOptions { AdditionalCategories = [category] });

        AssertSingleFailure(result, "Routing:AdditionalCategories", problem);
        Assert.DoesNotContain("Routing:KnownCategories", result.FailureMessage);
    }

    [Theory]
    [InlineData("Events_", "may contain only lowercase")]
    [InlineData("-events-", "must start with a letter or digit")]
    [InlineData("events--", "consecutive hyphens")]
    public void Validate_BadCategoryQueuePrefix_NamesPrefixOnce(string prefix, string problem)
    {
        var result = Validate(new RoutingOptions { CategoryQueuePrefix = prefix });

        AssertSingleFailure(result, "Routing:CategoryQueuePrefix", problem);
    }

    [Fact]
    public void Validate_LongPrefixWithLongCategory_NamesTheCategoryThatDoesNotFit()
    {
        // 29 + "rebalancing-execution-order" (27) = 56 fits; one more character does not.
        Assert.True(Validate(new RoutingOptions { CategoryQueuePrefix = new string('p', 28) + "-" }).Succeeded);

        var result = Validate(new RoutingOptions { CategoryQueuePrefix = new string('p', 29) + "-" });

        AssertSingleFailure(result, "(REBALANCING_EXECUTION_ORDER)", "longer than 56");
    }

    [Theory]
    [InlineData("Notifications", "bad topic!", "Kafka:Topics:Prices")]
    [InlineData("bad/topic", "Prices", "Kafka:Topics:Notifications")]
    public void Validate_BadTopicName_NamesKafkaSetting(string notifications, string prices, string setting)
    {
        var result = Validate(new RoutingOptions { NotificationsTopic = notifications, PricesTopic = prices });

        AssertSingleFailure(result, setting, "is not a Kafka topic name");
    }

    [Fact]
    public void Validate_TopicOf250Characters_Fails()
    {
        Assert.True(Validate(new RoutingOptions { PricesTopic = new string('p', 249) }).Succeeded);

        AssertSingleFailure(Validate(new RoutingOptions { PricesTopic = new string('p', 250) }), "Kafka:Topics:Prices", "at most 249");
    }

    [Fact]
    public void Validate_SameTopicForPricesAndNotifications_Fails()
    {
        var result = Validate(new RoutingOptions { NotificationsTopic = "events", PricesTopic = "events" });

        AssertSingleFailure(result, "Kafka:Topics:Prices", "must differ from Kafka:Topics:Notifications");
    }

    [Fact]
    public void Validate_EmptyTopics_AreAllowed()
    {
        // An empty topic name disables that consumer.
        Assert.True(Validate(new RoutingOptions { NotificationsTopic = "", PricesTopic = "" }).Succeeded);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEachSetting()
    {
        var options = new RoutingOptions { PricesQueue = "Bad_Name", UnroutedQueue = Long57 };
        options.Overrides["ORDER.*"] = "X";

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains("Routing:PricesQueue", result.FailureMessage);
        Assert.Contains("Routing:UnroutedQueue", result.FailureMessage);
        Assert.Contains("Routing:Overrides:ORDER.*", result.FailureMessage);
    }

    private static ValidateOptionsResult Validate(RoutingOptions options) => new RoutingOptionsValidator().Validate(null, options);

    private static void AssertSingleFailure(ValidateOptionsResult result, string setting, string problem)
    {
        Assert.True(result.Failed, "expected a failure naming " + setting);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains(setting, failure, StringComparison.Ordinal);
        Assert.Contains(problem, failure, StringComparison.Ordinal);
    }
}
