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
        await SendAsync(scope, poisonQueue, QueuePoisonMessage.Create(origin, new QueueDelivery("m1", 5, BinaryData.FromBytes(worker)),
            PoisonReason.MaxDequeueCountExceeded, "handler failed", DateTimeOffset.UtcNow));
        await SendAsync(scope, poisonQueue, functions);
        var service = PoisonCommand.CreateService(scope.Services);

        var report = await service.RedriveAsync(poisonQueue, new PoisonFilter(), dryRun: false, null, default);

        Assert.All(report.Items, i => Assert.Equal(RedriveOutcome.Redriven, i.Outcome));
        var bodies = (await scope.DrainAsync(origin)).Select(d => d.RootElement.GetRawText()).Order().ToList();
        Assert.Equal([Encoding.UTF8.GetString(worker), Encoding.UTF8.GetString(functions)], bodies);
        Assert.Empty(await scope.DrainAsync(poisonQueue));
    }

    private static async Task<string> SendAsync(StorageScope scope, string queue, byte[] body)
    {
        var client = scope.Queues.GetQueueClient(queue);
        await client.CreateIfNotExistsAsync();
        await client.SendMessageAsync(BinaryData.FromBytes(body));
        return queue;
    }
}
