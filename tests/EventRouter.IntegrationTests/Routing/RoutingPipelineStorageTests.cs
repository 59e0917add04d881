using System.Text;
using System.Text.Json;
using EventRouter.Cli.Sandbox;
using EventRouter.IntegrationTests.Infrastructure;
using static EventRouter.IntegrationTests.Infrastructure.SampleEvents;

namespace EventRouter.IntegrationTests.Routing;

[Collection(AzuriteCollection.Name)]
public sealed class RoutingPipelineStorageTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task RouteBatchAsync_MixedBatch_EachRecordLandsInItsQueueWithItsBody()
    {
        await using var scope = new StorageScope(azurite.ConnectionString);
        var user = Event("USER.CREATED");
        var group = Event("ACCOUNT_GROUP.CREATED");
        var unknown = Event("SPACESHIP.LAUNCHED");
        var price = Event("PRICE.UPDATED");
        var notJson = Encoding.UTF8.GetBytes("{\"id\": oops");
        var records = new[]
        {
            Record("Notifications", 0, user, RecordHeader.FromString("event-type", "USER.CREATED")),
            Record("Notifications", 1, group),
            Record("Notifications", 2, unknown),
            Record("Prices", 3, price),
            Record("Notifications", 4, notJson, RecordHeader.FromString("event-id", "x"), RecordHeader.FromString("event-id", "y")),
            Record("Notifications", 5, null),
        };

        var result = await scope.Pipeline.RouteBatchAsync(records);

        Assert.Equal((3, 1, 2), (result.Routed, result.Unrouted, result.Poisoned));
        AssertRouted(Assert.Single(await scope.DrainAsync(scope.Queue("events-user"))), user, "Notifications", 0);
        AssertRouted(Assert.Single(await scope.DrainAsync(scope.Queue("events-account-group"))), group, "Notifications", 1);
        AssertRouted(Assert.Single(await scope.DrainAsync(scope.Queue("events-unrouted"))), unknown, "Notifications", 2);
        AssertRouted(Assert.Single(await scope.DrainAsync(scope.Queue("prices"))), price, "Prices", 3);

        var poison = (await scope.DrainAsync(scope.Queue("events-poison")))
            .OrderBy(p => p.RootElement.GetProperty("source").GetProperty("offset").GetInt64()).ToList();
        Assert.Equal(2, poison.Count);
        Assert.Equal("invalid-json", poison[0].RootElement.GetProperty("reason").GetString());
        Assert.Equal(notJson, poison[0].RootElement.GetProperty("value").GetBytesFromBase64());
        Assert.Equal(["x", "y"], poison[0].RootElement.GetProperty("headers").GetProperty("event-id").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("empty-value", poison[1].RootElement.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, poison[1].RootElement.GetProperty("value").ValueKind);
    }

    [Fact]
    public async Task RouteBatchAsync_EventOf200KB_IsStoredAsBlobAndReadableBack()
    {
        await using var scope = new StorageScope(azurite.ConnectionString);
        var id = Guid.NewGuid();
        var large = Event("ORDER.FILLED", id, $$"""{"note":"{{new string('x', 200 * 1024)}}"}""");

        var result = await scope.Pipeline.RouteBatchAsync([Record("Notifications", 7, large)]);

        Assert.True(Assert.Single(result.Outcomes).Offloaded);
        var message = Assert.Single(await scope.DrainAsync(scope.Queue("events-order"))).RootElement;
        Assert.False(message.TryGetProperty("event", out _));
        Assert.Equal(id, message.GetProperty("eventId").GetGuid());
        var blobName = message.GetProperty("eventBlob").GetString()!;
        var blob = scope.Blobs.GetBlobContainerClient("event-payloads").GetBlobClient(blobName);
        var content = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(large, content);
    }

    [Fact]
    public async Task RouteBatchAsync_AzuriteKilledMidBatch_FailsThenRetryAfterRestartLosesNothing()
    {
        // Its own emulator: this test kills it.
        await using var storage = await AzuriteProcess.StartAsync();
        await using var scope = new StorageScope(storage.ConnectionString, new Dictionary<string, string?> { ["Delivery:MaxConcurrency"] = "2" });
        var ids = Enumerable.Range(0, 600).Select(_ => Guid.NewGuid()).ToList();
        var records = ids.Select((id, i) => Record("Notifications", i, Event("USER.UPDATED", id))).ToList();
        var queue = scope.Queues.GetQueueClient(scope.Queue("events-user"));

        var routing = scope.Pipeline.RouteBatchAsync(records);
        // Kill once the batch is visibly under way.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!routing.IsCompleted && DateTime.UtcNow < deadline)
        {
            if ((await queue.ExistsAsync()).Value && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 20) break;
            await Task.Delay(20);
        }
        storage.Kill();

        var failure = await Assert.ThrowsAsync<EventDeliveryException>(() => routing);
        Assert.True(failure.IsTransient);
        Assert.DoesNotContain("AccountKey", failure.ToString());

        await storage.StartAsync();
        var retried = await scope.Pipeline.RouteBatchAsync(records);

        Assert.Equal(600, retried.Routed);
        var delivered = (await scope.DrainAsync(scope.Queue("events-user")))
            .Select(m => m.RootElement.GetProperty("event").GetProperty("id").GetGuid()).ToList();
        Assert.Empty(ids.Except(delivered));
        Assert.True(delivered.Count >= 600, "at-least-once: the retry may add duplicates, never lose events");
    }

    private static void AssertRouted(JsonDocument message, byte[] original, string topic, long offset)
    {
        var root = message.RootElement;
        Assert.Equal(Encoding.UTF8.GetString(original), root.GetProperty("event").GetRawText());
        Assert.Equal(topic, root.GetProperty("source").GetProperty("topic").GetString());
        Assert.Equal(offset, root.GetProperty("source").GetProperty("offset").GetInt64());
        Assert.True(root.TryGetProperty("routedAt", out _));
    }
}
