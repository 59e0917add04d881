using System.Text;
using EventRouter.Configuration;
using EventRouter.Routing;
using EventRouter.Testing;
using EventRouter.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace EventRouter.Tests.Routing;

/// <summary><c>Routing:Shards</c> and <c>Routing:ShardConnections</c>: the route table, the planner's choice of shard, and the start-up checks.</summary>
public sealed class ShardedRouteTests
{
    private static RoutingOptions Sharded(params (string Queue, int Count)[] shards)
    {
        var options = new RoutingOptions();
        options.Shards.AddRange(shards.Select(s => new QueueShards { Queue = s.Queue, Count = s.Count }));
        return options;
    }

    [Fact]
    public void RouteTable_NoShards_IsUnchanged()
    {
        var routes = new RouteTable(new RoutingOptions());

        Assert.Equal(routes.Routes, routes.DestinationQueues);
        Assert.Equal(1, routes.ShardCount("prices"));
        Assert.Equal("prices", routes.ShardQueue("prices", 0));
        Assert.Equal(["EventStorage"], routes.Connections);
        Assert.Equal("EventStorage", routes.ConnectionOf("prices"));
    }

    [Fact]
    public void RouteTable_PricesIn4Shards_Over2Connections_ListsEachShardInItsConnection()
    {
        var options = Sharded(("prices", 4));
        options.ShardConnections = ["EventStorage", "EventStorage2"];
        var routes = new RouteTable(options);

        Assert.DoesNotContain("prices", routes.DestinationQueues);
        Assert.Contains("prices", routes.Routes);
        Assert.Equal(["prices-0", "prices-1", "prices-2", "prices-3"], routes.ShardsOf("prices"));
        Assert.Subset(routes.DestinationQueues.ToHashSet(), routes.ShardsOf("prices").ToHashSet());
        Assert.Equal(routes.Routes.Count + 3, routes.DestinationQueues.Count);
        Assert.Equal(["EventStorage", "EventStorage2", "EventStorage", "EventStorage2"], routes.ShardsOf("prices").Select(routes.ConnectionOf));
        Assert.Equal("EventStorage2", routes.ConnectionOf("prices-3-poison"));
        Assert.Equal("prices", routes.RouteOf("prices-3"));
        Assert.Equal("events-order", routes.RouteOf("events-order"));
        // Unsharded queues, the record poison queue: EventStorage.
        Assert.Equal("EventStorage", routes.ConnectionOf("events-order"));
        Assert.Equal("EventStorage", routes.ConnectionOf("events-poison"));
        Assert.Equal(["EventStorage", "EventStorage2"], routes.Connections);
    }

    [Fact]
    public void QueuePump_ShardedRoute_PumpsEveryShard_AndTheRoutesOwnQueueForWhatWasWrittenBeforeSharding()
    {
        var routes = new RouteTable(Sharded(("prices", 2)));

        var pumped = EventRouter.Processing.QueuePumpService.PumpedQueues(routes).ToList();

        Assert.Equal(pumped.Count, pumped.Distinct().Count());
        Assert.Contains("prices", pumped);
        Assert.Contains("prices-0", pumped);
        Assert.Contains("prices-1", pumped);
        Assert.Equal(routes.Routes.Count + 2, pumped.Count);
    }

    [Fact]
    public void RouteTable_ShardCountOne_IsNotSharded()
    {
        var routes = new RouteTable(Sharded(("prices", 1)));

        Assert.Contains("prices", routes.DestinationQueues);
        Assert.Equal(1, routes.ShardCount("prices"));
    }

    [Fact]
    public void Plan_PriceWithKey_GoesToTheShardOfTheKey_WithTheSameBodyAsUnsharded()
    {
        var sharded = new RecordPlanner(new RouteTable(Sharded(("prices", 4))), EventFieldMapping.Default);
        var plain = new RecordPlanner(new RouteTable(new RoutingOptions()), EventFieldMapping.Default);
        var record = new InboundRecord(RoutingDefaults.PricesTopic, 0, 5, null, Encoding.UTF8.GetBytes("US0378331005"),
            Encoding.UTF8.GetBytes(EventJson.Build(type: "\"PRICE.UPDATED\"")), []);

        var plan = sharded.Plan(record, PipelineFactory.Now);
        var unsharded = plain.Plan(record, PipelineFactory.Now);

        // XxHash32("US0378331005") = 0xF4006C97, mod 4 = 3 (ShardSelectorTests).
        Assert.Equal(("prices-3", "prices-3"), (plan.Outcome.Queue, plan.Write.Queue));
        Assert.Equal(OutcomeKind.Routed, plan.Outcome.Kind);
        Assert.Equal(unsharded.Write.Message.ToArray(), plan.Write.Message.ToArray());
    }

    [Fact]
    public void Plan_PriceWithoutKey_UsesTheInstrumentField_ElseTheEventId()
    {
        var routes = new RouteTable(Sharded(("prices", 4)));
        var withField = new RecordPlanner(routes, EventFieldMapping.Default, "object.instrument_id");
        var withoutField = new RecordPlanner(routes, EventFieldMapping.Default);
        var value = Encoding.UTF8.GetBytes(EventJson.Build(type: "\"PRICE.UPDATED\"", obj: """{"instrument_id":"DE0007164600"}"""));
        var record = InboundRecord.Create(RoutingDefaults.PricesTopic, 0, 5, value);

        // XxHash32("DE0007164600") mod 4 = 0; the event id's shard is ShardSelector's of the id.
        Assert.Equal("prices-0", withField.Plan(record, PipelineFactory.Now).Outcome.Queue);
        Assert.Equal($"prices-{ShardSelector.Select(Guid.Parse(EventJson.Id), 4)}", withoutField.Plan(record, PipelineFactory.Now).Outcome.Queue);
    }

    [Fact]
    public void Plan_NotificationInAShardedCategory_GoesToTheShardOfItsEventId_AndPoisonStaysInEventsPoison()
    {
        var planner = new RecordPlanner(new RouteTable(Sharded(("events-user", 8))), EventFieldMapping.Default);
        var id = Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
        var record = new InboundRecord(RoutingDefaults.NotificationsTopic, 0, 1, null, Encoding.UTF8.GetBytes("ignored-key"),
            Encoding.UTF8.GetBytes(EventJson.Build(id: EventJson.Quote(id.ToString("D").ToUpperInvariant()))), []);
        var poison = InboundRecord.Create(RoutingDefaults.NotificationsTopic, 0, 2, Encoding.UTF8.GetBytes("{"));

        // XxHash32 of the id's lowercase text mod 8 = 7, however the event spells the id.
        Assert.Equal("events-user-7", planner.Plan(record, PipelineFactory.Now).Outcome.Queue);
        Assert.Equal("events-poison", planner.Plan(poison, PipelineFactory.Now).Outcome.Queue);
    }

    [Fact]
    public void Validate_GoodShards_Succeed()
    {
        var options = Sharded(("prices", 4), ("events-order", 64));
        options.ShardConnections = ["EventStorage", "EventStorage2"];

        Assert.True(Validate(options).Succeeded, Validate(options).FailureMessage);
    }

    [Theory]
    [InlineData("events-poison", 4, "Routing:Shards:0:Queue: 'events-poison' is not a queue any route writes to")]
    [InlineData("nowhere", 4, "Routing:Shards:0:Queue: 'nowhere' is not a queue any route writes to")]
    [InlineData("", 4, "Routing:Shards:0:Queue is not set")]
    [InlineData("prices", 0, "Routing:Shards:0:Count: 0 is not between 1 and 64")]
    [InlineData("prices", 65, "Routing:Shards:0:Count: 65 is not between 1 and 64")]
    public void Validate_BadShard_NamesTheSetting(string queue, int count, string expected)
    {
        var result = Validate(Sharded((queue, count)));

        Assert.False(result.Succeeded);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShardNameTooLong_OrTakenByAnotherRoute_OrQueueShardedTwice_Fails()
    {
        var longQueue = new string('q', 54); // "-9" fits 56, "-10" does not
        var tooLong = Sharded((longQueue, 12));
        tooLong.Overrides["LONG.*"] = longQueue;
        var taken = Sharded(("prices", 2));
        taken.Overrides["ORDER.*"] = "prices-1";
        var twice = Sharded(("prices", 2), ("prices", 4));

        Assert.Contains($"Routing:Shards:0: shard queue name '{longQueue}-10' is longer than 56", Validate(tooLong).FailureMessage);
        Assert.Contains("Routing:Shards:0: shard queue 'prices-1' is already a queue of another route", Validate(taken).FailureMessage);
        Assert.Contains("Routing:Shards:1:Queue: 'prices' is already sharded by Routing:Shards:0", Validate(twice).FailureMessage);
    }

    [Fact]
    public void Validate_ShardConnectionsListedTwice_OrNotAName_Fail()
    {
        var options = new RoutingOptions { ShardConnections = ["EventStorage", "eventstorage", "Event:Storage"] };

        var result = Validate(options);

        Assert.Contains("Routing:ShardConnections:1: 'eventstorage' is listed twice", result.FailureMessage);
        Assert.Contains("Routing:ShardConnections:2: 'Event:Storage' is not a connection name", result.FailureMessage);
    }

    [Fact]
    public void ShardConnectionsValidator_UnconfiguredConnection_FailsNamingIt_AndNeverShowsAValue()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EventStorage"] = "UseDevelopmentStorage=true",
            ["EventStorage2"] = "AccountName=a;AccountKey=SECRETKEY",
            ["EventStorage4:queueServiceUri"] = "https://acct4.queue.core.windows.net",
        }).Build();
        var options = new RoutingOptions { ShardConnections = ["EventStorage", "EventStorage2", "EventStorage3", "EventStorage4"] };

        var result = new ShardConnectionsValidator(configuration).Validate(null, options);

        Assert.False(result.Succeeded);
        var failures = result.Failures!.ToList();
        Assert.Equal(2, failures.Count);
        Assert.StartsWith("Routing:ShardConnections:1 names connection 'EventStorage2'", failures[0]);
        Assert.Contains("not a valid storage connection string", failures[0]);
        Assert.StartsWith("Routing:ShardConnections:2 names connection 'EventStorage3'", failures[1]);
        Assert.Contains("EventStorage3__queueServiceUri", failures[1]);
        Assert.DoesNotContain("SECRETKEY", result.FailureMessage);
    }

    private static ValidateOptionsResult Validate(RoutingOptions options) => new RoutingOptionsValidator().Validate(null, options);
}
