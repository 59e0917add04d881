using System.Text;
using EventRouter.Routing;

namespace EventRouter.Tests.Routing;

public sealed class RouteTableTests
{
    private const string Notifications = RoutingDefaults.NotificationsTopic;

    [Theory]
    [InlineData("USER.CREATED", "events-user")]
    [InlineData("ACCOUNT_GROUP.CREATED", "events-account-group")]
    [InlineData("INTRADAY_ACCOUNT_VALUATION.UPDATED", "events-intraday-account-valuation")]
    [InlineData("ORDER.FILLED.PARTIALLY", "events-order")]
    [InlineData("USER.X", "events-user")]
    public void Resolve_KnownCategory_RoutesToCategoryQueue(string type, string queue)
    {
        var table = new RouteTable(new RoutingOptions());

        var route = table.Resolve(Notifications, type);

        Assert.Equal((queue, RouteKind.Category), route);
    }

    [Theory]
    [InlineData("UNKNOWN.CREATED")]
    [InlineData("USERCREATED")]
    [InlineData("USER")]
    [InlineData(".CREATED")]
    [InlineData("USER.")]
    [InlineData(".")]
    [InlineData("user.created")]
    [InlineData("User.Created")]
    [InlineData("USER_.CREATED")]
    [InlineData(" USER.CREATED")]
    [InlineData("USER .CREATED")]
    public void Resolve_NoCategoryRoute_RoutesToUnrouted(string type)
    {
        var table = new RouteTable(new RoutingOptions());

        var route = table.Resolve(Notifications, type);

        Assert.Equal((RoutingDefaults.UnroutedQueue, RouteKind.Unrouted), route);
    }

    [Fact]
    public void Resolve_EveryKnownCategory_RoutesToItsDefaultQueue()
    {
        var table = new RouteTable(new RoutingOptions());

        foreach (var category in RoutingDefaults.KnownCategories)
        {
            var expected = "events-" + category.ToLowerInvariant().Replace('_', '-');

            Assert.Equal((expected, RouteKind.Category), table.Resolve(Notifications, category + ".SOMETHING"));
        }
    }

    [Fact]
    public void Resolve_RulesListForm_RoutesLikeOverrides()
    {
        var options = new RoutingOptions();
        options.Rules.Add(new RouteRule { Match = "ORDER.*", Queue = "orders" });
        options.Rules.Add(new RouteRule { Match = "ORDER.FILLED", Queue = "orders-filled" });
        var table = new RouteTable(options);

        Assert.Equal(("orders", RouteKind.CategoryOverride), table.Resolve("Notifications", "ORDER.CREATED".AsSpan()));
        Assert.Equal(("orders-filled", RouteKind.ExactOverride), table.Resolve("Notifications", "ORDER.FILLED".AsSpan()));
        Assert.Contains("orders", table.DestinationQueues);
    }

    [Fact]
    public void Resolve_ExactOverride_BeatsCategoryPatternAndDefault()
    {
        var table = new RouteTable(Options(("ORDER.FILLED", "orders-filled"), ("ORDER.*", "orders-all")));

        Assert.Equal(("orders-filled", RouteKind.ExactOverride), table.Resolve(Notifications, "ORDER.FILLED"));
        Assert.Equal(("orders-all", RouteKind.CategoryOverride), table.Resolve(Notifications, "ORDER.CREATED"));
        Assert.Equal(("events-order-cancellation", RouteKind.Category), table.Resolve(Notifications, "ORDER_CANCELLATION.CREATED"));
    }

    [Fact]
    public void Resolve_CategoryOverride_BeatsDefault()
    {
        var table = new RouteTable(Options(("USER.*", "users")));

        Assert.Equal(("users", RouteKind.CategoryOverride), table.Resolve(Notifications, "USER.CREATED"));
        Assert.Equal(("events-account", RouteKind.Category), table.Resolve(Notifications, "ACCOUNT.CREATED"));
    }

    [Fact]
    public void Resolve_OverridesForUnknownCategory_RouteIt()
    {
        var table = new RouteTable(Options(("LOAN.*", "loans"), ("WIDGET.SPUN", "widgets")));

        Assert.Equal(("loans", RouteKind.CategoryOverride), table.Resolve(Notifications, "LOAN.GRANTED"));
        Assert.Equal(("widgets", RouteKind.ExactOverride), table.Resolve(Notifications, "WIDGET.SPUN"));
        Assert.Equal((RoutingDefaults.UnroutedQueue, RouteKind.Unrouted), table.Resolve(Notifications, "WIDGET.STOPPED"));
    }

    [Fact]
    public void Resolve_ExactOverrideOfTypeWithoutDot_RoutesIt()
    {
        var table = new RouteTable(Options(("HEARTBEAT", "heartbeats")));

        Assert.Equal(("heartbeats", RouteKind.ExactOverride), table.Resolve(Notifications, "HEARTBEAT"));
    }

    [Theory]
    [InlineData("USER.CREATED")]
    [InlineData("ORDER.FILLED")]
    [InlineData("PRICE.UPDATED")]
    [InlineData("anything at all")]
    [InlineData("")]
    public void Resolve_PricesTopic_RoutesToPricesRegardlessOfType(string type)
    {
        var table = new RouteTable(Options(("ORDER.FILLED", "orders-filled"), ("USER.*", "users")));

        Assert.Equal((RoutingDefaults.PricesQueue, RouteKind.Prices), table.Resolve(RoutingDefaults.PricesTopic, type));
        Assert.Equal((RoutingDefaults.PricesQueue, RouteKind.Prices), table.Resolve(RoutingDefaults.PricesTopic, Encoding.UTF8.GetBytes(type)));
    }

    [Fact]
    public void Resolve_ConfiguredPricesTopicAndQueue_AreUsed()
    {
        var table = new RouteTable(new RoutingOptions { PricesTopic = "market-prices", PricesQueue = "market-prices-q" });

        Assert.Equal(("market-prices-q", RouteKind.Prices), table.Resolve("market-prices", "USER.CREATED"));
        // The default topic name is then just another topic.
        Assert.Equal(("events-user", RouteKind.Category), table.Resolve(RoutingDefaults.PricesTopic, "USER.CREATED"));
        // Topic names are compared exactly.
        Assert.Equal(("events-user", RouteKind.Category), table.Resolve("MARKET-PRICES", "USER.CREATED"));
    }

    [Fact]
    public void Resolve_KnownCategoriesReplaced_OnlyConfiguredCategoriesRoute()
    {
        var table = new RouteTable(new RoutingOptions { KnownCategories = ["ORDER", "LOAN"] });

        Assert.Equal(("events-order", RouteKind.Category), table.Resolve(Notifications, "ORDER.CREATED"));
        Assert.Equal(("events-loan", RouteKind.Category), table.Resolve(Notifications, "LOAN.CREATED"));
        Assert.Equal((RoutingDefaults.UnroutedQueue, RouteKind.Unrouted), table.Resolve(Notifications, "USER.CREATED"));
    }

    [Fact]
    public void Resolve_EmptyKnownCategories_RoutesNothingByCategory()
    {
        var table = new RouteTable(new RoutingOptions { KnownCategories = [] });

        Assert.Equal((RoutingDefaults.UnroutedQueue, RouteKind.Unrouted), table.Resolve(Notifications, "USER.CREATED"));
    }

    [Fact]
    public void Resolve_AdditionalCategories_AddToDefaults()
    {
        var table = new RouteTable(new RoutingOptions { AdditionalCategories = ["LOAN", "CARD_PAYMENT"] });

        Assert.Equal(("events-loan", RouteKind.Category), table.Resolve(Notifications, "LOAN.CREATED"));
        Assert.Equal(("events-card-payment", RouteKind.Category), table.Resolve(Notifications, "CARD_PAYMENT.SETTLED"));
        Assert.Equal(("events-user", RouteKind.Category), table.Resolve(Notifications, "USER.CREATED"));
    }

    [Fact]
    public void Resolve_AdditionalCategoriesWithReplacedKnown_AddToReplacement()
    {
        var table = new RouteTable(new RoutingOptions { KnownCategories = ["ORDER"], AdditionalCategories = ["LOAN"] });

        Assert.Equal(("events-order", RouteKind.Category), table.Resolve(Notifications, "ORDER.CREATED"));
        Assert.Equal(("events-loan", RouteKind.Category), table.Resolve(Notifications, "LOAN.CREATED"));
        Assert.Equal((RoutingDefaults.UnroutedQueue, RouteKind.Unrouted), table.Resolve(Notifications, "USER.CREATED"));
    }

    [Fact]
    public void Resolve_CategoryQueuePrefix_PrefixesCategoryQueues()
    {
        var table = new RouteTable(new RoutingOptions { CategoryQueuePrefix = "prod-" });

        Assert.Equal(("prod-account-group", RouteKind.Category), table.Resolve(Notifications, "ACCOUNT_GROUP.CREATED"));
    }

    [Fact]
    public void Resolve_ConfiguredUnroutedQueue_IsUsed()
    {
        var table = new RouteTable(new RoutingOptions { UnroutedQueue = "leftovers" });

        Assert.Equal(("leftovers", RouteKind.Unrouted), table.Resolve(Notifications, "NOPE.NOPE"));
        Assert.Equal("leftovers", table.UnroutedQueue);
    }

    public static TheoryData<string> TypesForByteCharAgreement()
    {
        var data = new TheoryData<string>
        {
            "USER.CREATED", "ACCOUNT_GROUP.CREATED", "ORDER.FILLED", "ORDER.CREATED", "LOAN.GRANTED", "HEARTBEAT",
            "UNKNOWN.X", "USER", ".X", "X.", "user.created", "", ".", "USÉR.CRÉATED", "USER.😀", "ORDER.FILLÉ",
            "USER." + new string('A', 59),       // 64 ASCII characters: the longest widened without decoding
            "USER." + new string('A', 60),       // 65: decoded
            "LOAN." + new string('B', 59),       // the same two lengths for a category override
            "LOAN." + new string('B', 60),
            "HEARTBEAT\u007F", "USER.\u0000",   // ASCII control characters are ASCII too
            "USER." + new string('A', 251),      // 256 characters: the longest that fits the stack buffer
            "USER." + new string('A', 252),      // 257 characters
            "USER." + new string('A', 300),      // longer than 256
            "ORDER." + new string('É', 200),     // 206 characters but 406 UTF-8 bytes
            new string('Z', 300) + ".CREATED",
            "LONG." + new string('X', 400),      // an exact override longer than 256
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(TypesForByteCharAgreement))]
    public void Resolve_BytesAndChars_Agree(string type)
    {
        var table = new RouteTable(Options(("ORDER.FILLED", "orders-filled"), ("LOAN.*", "loans"), ("HEARTBEAT", "heartbeats"),
            ("LONG." + new string('X', 400), "long-exact")));

        var fromChars = table.Resolve(Notifications, type.AsSpan());
        var fromBytes = table.Resolve(Notifications, Encoding.UTF8.GetBytes(type).AsSpan());

        Assert.Equal(fromChars, fromBytes);
    }

    [Fact]
    public void Resolve_LongTypeOfKnownCategory_RoutesByCategoryFromBytes()
    {
        var table = new RouteTable(new RoutingOptions());
        var type = "USER." + new string('A', 1_000);

        Assert.Equal(("events-user", RouteKind.Category), table.Resolve(Notifications, Encoding.UTF8.GetBytes(type).AsSpan()));
    }

    [Fact]
    public void Resolve_LongExactOverride_MatchesFromBytes()
    {
        var type = "LONG." + new string('X', 400);
        var table = new RouteTable(Options((type, "long-exact")));

        Assert.Equal(("long-exact", RouteKind.ExactOverride), table.Resolve(Notifications, Encoding.UTF8.GetBytes(type).AsSpan()));
    }

    [Fact]
    public void DestinationQueues_Defaults_ContainEveryCategoryQueuePricesAndUnroutedSorted()
    {
        var table = new RouteTable(new RoutingOptions());

        var expected = RoutingDefaults.KnownCategories.Select(c => RoutingDefaults.CategoryQueueName(c))
            .Append(RoutingDefaults.PricesQueue)
            .Append(RoutingDefaults.UnroutedQueue)
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(expected, table.DestinationQueues);
        Assert.Contains("events-user", table.DestinationQueues);
        Assert.Contains("events-account-group", table.DestinationQueues);
        Assert.DoesNotContain(RoutingDefaults.PoisonQueue, table.DestinationQueues);
    }

    [Fact]
    public void DestinationQueues_WithOverrides_IncludeOverrideQueuesOnceAndDropReplacedDefault()
    {
        var table = new RouteTable(Options(("ORDER.*", "orders"), ("ORDER.FILLED", "orders"), ("WIDGET.SPUN", "events-user")));

        Assert.Single(table.DestinationQueues, q => q == "orders");
        Assert.Single(table.DestinationQueues, q => q == "events-user");
        // ORDER.* replaced the category default, so nothing can reach events-order any more.
        Assert.DoesNotContain("events-order", table.DestinationQueues);
        Assert.Equal(table.DestinationQueues.Order(StringComparer.Ordinal), table.DestinationQueues);
    }

    [Fact]
    public void DestinationQueues_EveryResolvedQueue_IsADestination()
    {
        var table = new RouteTable(new RoutingOptions { AdditionalCategories = ["LOAN"], Overrides = new() { ["X.Y"] = "x-y" } });
        var types = RoutingDefaults.KnownCategories.Select(c => c + ".A").Concat(["LOAN.A", "X.Y", "NOPE.A", "nope"]);

        foreach (var type in types)
        {
            Assert.Contains(table.Resolve(Notifications, type).Queue, table.DestinationQueues);
        }
        Assert.Contains(table.Resolve(RoutingDefaults.PricesTopic, "X").Queue, table.DestinationQueues);
    }

    [Fact]
    public void Constructor_CopiesQueuesFromOptions()
    {
        var options = new RoutingOptions { PoisonQueue = "bad-things", PricesTopic = "p", PricesQueue = "pq" };

        var table = new RouteTable(options);
        options.PoisonQueue = "changed-later";

        Assert.Equal("bad-things", table.PoisonQueue);
        Assert.Equal("p", table.PricesTopic);
        Assert.Equal("pq", table.PricesQueue);
    }

    private static RoutingOptions Options(params (string Pattern, string Queue)[] overrides)
    {
        var options = new RoutingOptions();
        foreach (var (pattern, queue) in overrides) options.Overrides[pattern] = queue;
        return options;
    }
}
