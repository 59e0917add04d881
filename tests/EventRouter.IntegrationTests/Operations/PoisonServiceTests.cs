using System.Text;
using Azure.Storage.Queues;
using EventRouter.Cli.Commands;
using EventRouter.Cli.Operations;
using EventRouter.Formats;
using EventRouter.IntegrationTests.Infrastructure;
using EventRouter.Processing;
using static EventRouter.IntegrationTests.Infrastructure.SampleEvents;

namespace EventRouter.IntegrationTests.Operations;

[Collection(AzuriteCollection.Name)]
public sealed class PoisonServiceTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Redrive_FixedMessage_IsRoutedAndRemovedFromPoison()
    {
        await using var scope = new StorageScope(azurite.ConnectionString);
        // A valid event that an earlier (buggy) deploy poisoned: the fix is deployed, re-drive routes it.
        var id = Guid.NewGuid();
        var value = Event("USER.CREATED", id);
        var record = new InboundRecord("Notifications", 2, 41, DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes("user-1"), value,
            [RecordHeader.FromString("event-type", "USER.CREATED"), RecordHeader.FromString("event-id", id.ToString())]);
        var poisonQueue = await SendAsync(scope, scope.Queue("events-poison"),
            PoisonMessage.Create(record, PoisonReason.MissingField, "missing 'object' (bug)", DateTimeOffset.UtcNow));
        var service = PoisonCommand.CreateService(scope.Services);

        var report = await service.RedriveAsync(poisonQueue, new PoisonFilter(), dryRun: false, null, default);

        var item = Assert.Single(report.Items);
        Assert.Equal(RedriveOutcome.Redriven, item.Outcome);
        Assert.Equal(scope.Queue("events-user"), item.Target);
        var routed = Assert.Single(await scope.DrainAsync(scope.Queue("events-user")));
        Assert.Equal(Encoding.UTF8.GetString(value), routed.RootElement.GetProperty("event").GetRawText());
        Assert.Equal(41, routed.RootElement.GetProperty("source").GetProperty("offset").GetInt64());
        Assert.Empty(await scope.DrainAsync(poisonQueue));
    }

    [Fact]
    public async Task Redrive_StillBroken_StaysInPoisonWithItsBytes()
    {
        await using var scope = new StorageScope(azurite.ConnectionString);
        var broken = Encoding.UTF8.GetBytes("{\"id\": oops");
        await scope.Pipeline.RouteBatchAsync([Record("Notifications", 7, broken, RecordHeader.FromString("event-type", "USER.CREATED"))]);
        var poisonQueue = scope.Queue("events-poison");
        var service = PoisonCommand.CreateService(scope.Services);
        var before = Assert.Single(await service.ListAsync(poisonQueue, new PoisonFilter(), default));

        var report = await service.RedriveAsync(poisonQueue, new PoisonFilter(), dryRun: false, null, default);

        var item = Assert.Single(report.Items);
        Assert.Equal(RedriveOutcome.StillPoisoned, item.Outcome);
        Assert.Equal("invalid-json", item.Detail);
        var replacement = Assert.Single(await service.ListAsync(poisonQueue, new PoisonFilter(), default));
        Assert.NotEqual(before.MessageId, replacement.MessageId);   // a new poison message; the old one is gone
        var after = Assert.Single(await scope.DrainAsync(poisonQueue));
        Assert.Equal(broken, after.RootElement.GetProperty("value").GetBytesFromBase64());
        Assert.Equal(7, after.RootElement.GetProperty("source").GetProperty("offset").GetInt64());
        Assert.Equal("USER.CREATED", after.RootElement.GetProperty("headers").GetProperty("event-type").GetString());
    }

    [Fact]
    public async Task Purge_WithReasonFilter_DeletesOnlyMatches_AndListDoesNotConsume()
    {
        await using var scope = new StorageScope(azurite.ConnectionString);
        await scope.Pipeline.RouteBatchAsync([
            Record("Notifications", 1, Encoding.UTF8.GetBytes("not json")),
            Record("Notifications", 2, Encoding.UTF8.GetBytes("[1,2]")),
            Record("Notifications", 3, Encoding.UTF8.GetBytes("{\"id\": 1")),
            Record("Notifications", 4, null),
        ]);
        var poisonQueue = scope.Queue("events-poison");
        var service = PoisonCommand.CreateService(scope.Services);

        var listed = await service.ListAsync(poisonQueue, new PoisonFilter(Reason: "invalid-json"), default);
        Assert.Equal([1L, 3L], listed.Select(e => e.Offset!.Value).Order());
        Assert.Equal(4, (await service.ListAsync(poisonQueue, new PoisonFilter(), default)).Count);   // listing hid nothing

        var deleted = await service.PurgeAsync(poisonQueue, new PoisonFilter(Reason: "invalid-json"), default);

        Assert.Equal(2, deleted);
        var left = await scope.DrainAsync(poisonQueue);
        Assert.Equal(["empty-value", "not-an-object"], left.Select(d => d.RootElement.GetProperty("reason").GetString()).Order());
    }

    [Fact]
    public async Task Redrive_QueueStagePoison_BothShapes_GoBackToTheOriginQueue()
    {
        await using var scope = new StorageScope(azurite.ConnectionString);
        var origin = scope.Queue("events-user");
        var poisonQueue = origin + "-poison";
        var worker = Encoding.UTF8.GetBytes("""{"event":{"id":"a"},"source":{"topic":"Notifications","partition":0,"offset":1}}""");
        var functions = Encoding.UTF8.GetBytes("""{"event":{"id":"b"},"source":{"topic":"Notifications","partition":0,"offset":2}}""");
        await SendAsync(scope, poisonQueue, QueuePoisonMessage.Create(new QueueMessageSource(origin, "m1", 5), worker,
            PoisonReason.MaxDequeueCountExceeded, "handler failed", DateTimeOffset.UtcNow));
        await SendAsync(scope, poisonQueue, functions);
        var service = PoisonCommand.CreateService(scope.Services);

        var report = await service.RedriveAsync(poisonQueue, new PoisonFilter(), dryRun: false, null, default);

        Assert.All(report.Items, i => Assert.Equal(RedriveOutcome.Redriven, i.Outcome));
        var bodies = (await scope.DrainAsync(origin)).Select(d => d.RootElement.GetRawText()).Order().ToList();
        Assert.Equal([Encoding.UTF8.GetString(worker), Encoding.UTF8.GetString(functions)], bodies);
        Assert.Empty(await scope.DrainAsync(poisonQueue));
    }

    [Fact]
    public async Task RedriveDryRun_PredictsEachMessagesQueueWithTheCurrentRoutes_AndChangesNothing()
    {
        // LOAN is not a known category; the ORDER.FILLED override is a route an operator added.
        var ordersQueue = "t" + Guid.NewGuid().ToString("N")[..8] + "-orders-filled";   // never created: a dry run writes nothing
        await using var scope = new StorageScope(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Routing:Overrides:ORDER.FILLED"] = ordersQueue,
        });
        var fixedUser = Event("USER.CREATED");
        var fixedOrder = Event("ORDER.FILLED");
        var unknown = Event("LOAN.CREATED");
        var poisonQueue = scope.Queue("events-poison");
        for (var i = 0; i < 3; i++)
        {
            var value = new[] { fixedUser, fixedOrder, unknown }[i];
            await SendAsync(scope, poisonQueue, PoisonMessage.Create(new InboundRecord("Notifications", 0, 10 + i, DateTimeOffset.UtcNow, null, value, []),
                PoisonReason.MissingField, "missing 'object' (bug)", DateTimeOffset.UtcNow));
        }
        await scope.Pipeline.RouteBatchAsync([Record("Notifications", 13, Encoding.UTF8.GetBytes("{\"id\": oops"))]);
        var service = PoisonCommand.CreateService(scope.Services);

        var report = await service.RedriveAsync(poisonQueue, new PoisonFilter(), dryRun: true, null, default);

        var byOffset = report.Items.ToDictionary(i => i.Entry.Offset!.Value);
        Assert.Equal((RedriveOutcome.WouldRoute, scope.Queue("events-user")), (byOffset[10].Outcome, byOffset[10].Target));
        Assert.Equal((RedriveOutcome.WouldRoute, ordersQueue), (byOffset[11].Outcome, byOffset[11].Target));
        Assert.Equal((RedriveOutcome.WouldBeUnrouted, scope.Queue("events-unrouted")), (byOffset[12].Outcome, byOffset[12].Target));
        Assert.Equal((RedriveOutcome.WouldStayPoisoned, poisonQueue), (byOffset[13].Outcome, byOffset[13].Target));
        Assert.StartsWith("invalid-json: ", byOffset[13].Detail);
        // Nothing moved: all four are still in poison (and visible again), nothing was routed.
        Assert.Equal(4, (await service.ListAsync(poisonQueue, new PoisonFilter(), default)).Count);
        Assert.Empty(await scope.DrainAsync(scope.Queue("events-user")));
        Assert.Empty(await scope.DrainAsync(scope.Queue("events-unrouted")));
    }

    [Fact]
    public async Task LargePoisonValue_InABlob_IsShownDecoded_RedrivenFromTheBlob_AndTheBlobDeletedOnlyAfterSuccess()
    {
        await using var scope = new StorageScope(azurite.ConnectionString);
        var topic = "Notifications-" + scope.Prefix;   // blob names are per topic/partition/offset: keep them apart from other tests
        var poisonQueue = scope.Queue("events-poison");
        var payloads = scope.Blobs.GetBlobContainerClient(EventRouter.Routing.RoutingDefaults.PayloadContainer);
        // A valid 60 KiB event that a buggy deploy poisoned, stored as the pipeline stores a large poison value.
        var large = Event("USER.CREATED", objectJson: $$"""{"id":"u1","notes":"{{new string('x', 60 * 1024)}}"}""");
        var fixedRecord = new InboundRecord(topic, 1, 500, DateTimeOffset.UtcNow, null, large, [RecordHeader.FromString("event-type", "USER.CREATED")]);
        var fixedBlob = PoisonMessage.ValueBlobName(fixedRecord);
        await payloads.CreateIfNotExistsAsync();
        await payloads.GetBlobClient(fixedBlob).UploadAsync(BinaryData.FromBytes(large));
        await SendAsync(scope, poisonQueue, PoisonMessage.Create(fixedRecord, PoisonReason.MissingField, "missing 'object' (bug)", DateTimeOffset.UtcNow, fixedBlob));
        // A large value that is still broken, poisoned by the real pipeline (which offloads it).
        var broken = Encoding.UTF8.GetBytes("{\"id\": \"" + new string('y', 60 * 1024));
        var brokenRecord = new InboundRecord(topic, 1, 501, DateTimeOffset.UtcNow, null, broken, []);
        await scope.Pipeline.RouteBatchAsync([brokenRecord]);
        var brokenBlob = PoisonMessage.ValueBlobName(brokenRecord);
        Assert.True((await payloads.GetBlobClient(brokenBlob).ExistsAsync()).Value);
        var service = PoisonCommand.CreateService(scope.Services);

        var listed = await service.ListAsync(poisonQueue, new PoisonFilter(), default);
        var shown = await service.ShowAsync(poisonQueue, listed.Single(e => e.Offset == 500).MessageId, default);
        Assert.Equal(Encoding.UTF8.GetString(large), shown!.ValueText);
        Assert.Equal(Convert.ToBase64String(broken), (await service.ShowAsync(poisonQueue, listed.Single(e => e.Offset == 501).MessageId, default))!.ValueBase64);

        var dry = await service.RedriveAsync(poisonQueue, new PoisonFilter(), dryRun: true, null, default);
        Assert.Equal(RedriveOutcome.WouldRoute, dry.Items.Single(i => i.Entry.Offset == 500).Outcome);
        Assert.True((await payloads.GetBlobClient(fixedBlob).ExistsAsync()).Value);

        var report = await service.RedriveAsync(poisonQueue, new PoisonFilter(), dryRun: false, null, default);

        Assert.Equal(RedriveOutcome.Redriven, report.Items.Single(i => i.Entry.Offset == 500).Outcome);
        Assert.Equal(RedriveOutcome.StillPoisoned, report.Items.Single(i => i.Entry.Offset == 501).Outcome);
        // The routed event is byte for byte the original (offloaded again, as a routed event this time).
        var routed = Assert.Single(await scope.DrainAsync(scope.Queue("events-user"))).RootElement;
        var eventBlob = routed.GetProperty("eventBlob").GetString()!;
        Assert.Equal(large, (await payloads.GetBlobClient(eventBlob).DownloadContentAsync()).Value.Content.ToArray());
        // Its poison blob is gone; the still-broken one's blob stays, named by its new poison message.
        Assert.False((await payloads.GetBlobClient(fixedBlob).ExistsAsync()).Value);
        var stillPoison = Assert.Single(await scope.DrainAsync(poisonQueue)).RootElement;
        Assert.Equal(brokenBlob, stillPoison.GetProperty("valueBlob").GetString());
        Assert.Equal(broken, (await payloads.GetBlobClient(brokenBlob).DownloadContentAsync()).Value.Content.ToArray());
    }

    private static async Task<string> SendAsync(StorageScope scope, string queue, byte[] body)
    {
        var client = scope.Queues.GetQueueClient(queue);
        await client.CreateIfNotExistsAsync();
        await client.SendMessageAsync(BinaryData.FromBytes(body));
        return queue;
    }
}
