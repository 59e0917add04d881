using System.Collections.Concurrent;
using System.Text;
using EventRouter.IntegrationTests.Infrastructure;
using EventRouter.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static EventRouter.IntegrationTests.Infrastructure.SampleEvents;

namespace EventRouter.IntegrationTests.Processing;

[Collection(AzuriteCollection.Name)]
public sealed class QueueStageTests(AzuriteFixture azurite)
{
    private static readonly Dictionary<string, string?> FastPump = new()
    {
        ["Processing:MaxPollingInterval"] = "00:00:00.200",
        ["Processing:MaxDequeueCount"] = "3",
    };

    [Fact]
    public async Task QueuePump_HandlerAlwaysThrows_MessageMovesToPoisonQueueAfterMaxDequeueCount()
    {
        var handler = new RecordingHandler { FailFor = _ => true };
        await using var scope = new StorageScope(azurite.ConnectionString, FastPump, s => s.AddSingleton<IEventHandler>(handler));
        var original = Event("ORDER.FILLED");
        await scope.Pipeline.RouteBatchAsync([Record("Notifications", 1, original)]);

        await RunPumpUntilAsync(scope, async () => (await scope.DrainAsync(scope.Queue("events-order-poison"))) is { Count: 1 } found ? found : null,
            async poisoned =>
            {
                var root = poisoned[0].RootElement;
                Assert.Equal("max-dequeue-count-exceeded", root.GetProperty("reason").GetString());
                Assert.Equal(3, root.GetProperty("source").GetProperty("dequeueCount").GetInt64());
                var body = Encoding.UTF8.GetString(root.GetProperty("value").GetBytesFromBase64());
                Assert.Contains(Encoding.UTF8.GetString(original), body);
                Assert.Contains("simulated failure", root.GetProperty("error").GetString());
            });
        Assert.Equal(3, handler.Attempts.Count);
        Assert.Empty(await scope.DrainAsync(scope.Queue("events-order")));
    }

    [Fact]
    public async Task QueuePump_SameEventDeliveredTwice_HandlerRunsOnceAndArchiveHoldsItOnce()
    {
        var handler = new RecordingHandler();
        await using var scope = new StorageScope(azurite.ConnectionString, FastPump, s => s.AddSingleton<IEventHandler>(handler));
        var id = Guid.NewGuid();
        var other = Guid.NewGuid();
        // Two batches: a Kafka redelivery routes the same event again.
        await scope.Pipeline.RouteBatchAsync([Record("Notifications", 1, Event("USER.CREATED", id)), Record("Notifications", 2, Event("USER.UPDATED", other))]);
        await scope.Pipeline.RouteBatchAsync([Record("Notifications", 1, Event("USER.CREATED", id))]);

        await RunPumpUntilAsync(scope, async () =>
        {
            var queue = scope.Queues.GetQueueClient(scope.Queue("events-user"));
            var left = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
            return left == 0 && handler.Attempts.Count >= 2 ? (object)left : null;
        }, _ => Task.CompletedTask);

        Assert.Equal(1, handler.Attempts.Count(a => a == id));
        Assert.Equal(1, handler.Attempts.Count(a => a == other));
        var archive = scope.Blobs.GetBlobContainerClient(EventArchiveHandler.ContainerName);
        var archived = new List<string>();
        await foreach (var blob in archive.GetBlobsAsync()) if (blob.Name.EndsWith($"{id}.json")) archived.Add(blob.Name);
        Assert.Equal(["2026/11/22/USER.CREATED/" + id + ".json"], archived);
    }

    [Fact]
    public async Task HandleAsync_MessageThatIsNotAnEnvelope_GoesToPoisonQueueWithoutRetry()
    {
        await using var scope = new StorageScope(azurite.ConnectionString, FastPump);
        var handler = scope.Services.GetRequiredService<QueueDeliveryHandler>();
        var body = BinaryData.FromString("{\"hello\":\"world\"}");

        var result = await handler.HandleAsync(scope.Queue("events-user"), new QueueDelivery("m-1", 1, body));

        Assert.Equal(QueueHandlingResult.Poisoned, result);
        var poisoned = Assert.Single(await scope.DrainAsync(scope.Queue("events-user-poison"))).RootElement;
        Assert.Equal("invalid-envelope", poisoned.GetProperty("reason").GetString());
        Assert.Equal(body.ToArray(), poisoned.GetProperty("value").GetBytesFromBase64());
    }

    [Fact]
    public async Task HandleAsync_OffloadedEvent_HandlerReceivesTheOriginalBytes()
    {
        var handler = new RecordingHandler();
        await using var scope = new StorageScope(azurite.ConnectionString, FastPump, s => s.AddSingleton<IEventHandler>(handler));
        var large = Event("REPORT.CREATED", objectJson: $$"""{"csv":"{{new string('a', 100_000)}}"}""");
        await scope.Pipeline.RouteBatchAsync([Record("Notifications", 3, large)]);
        var queue = scope.Queues.GetQueueClient(scope.Queue("events-report"));
        var message = (await queue.ReceiveMessageAsync()).Value;

        var result = await scope.Services.GetRequiredService<QueueDeliveryHandler>()
            .HandleAsync(queue.Name, new QueueDelivery(message.MessageId, message.DequeueCount, message.Body));

        Assert.Equal(QueueHandlingResult.Handled, result);
        Assert.Equal(large, handler.LastJson.ToArray());
    }

    [Fact]
    public async Task HandleAsync_TwoDeliveriesOfOneEvent_TheSecondWaitsAsAFreshCopy_NeverPoisoned()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler { Gate = gate.Task };
        await using var scope = new StorageScope(azurite.ConnectionString, new Dictionary<string, string?>(FastPump)
        {
            ["Processing:HeldClaimRetryDelay"] = "00:00:01",
        }, s => s.AddSingleton<IEventHandler>(handler));
        var id = Guid.NewGuid();
        // A Kafka redelivery: the same event routed twice, two messages in its queue.
        await scope.Pipeline.RouteBatchAsync([Record("Notifications", 1, Event("USER.CREATED", id))]);
        await scope.Pipeline.RouteBatchAsync([Record("Notifications", 1, Event("USER.CREATED", id))]);
        var queue = scope.Queues.GetQueueClient(scope.Queue("events-user"));
        var received = (await queue.ReceiveMessagesAsync(2, TimeSpan.FromMinutes(1))).Value;
        Assert.Equal(2, received.Length);
        var stage = scope.Services.GetRequiredService<QueueDeliveryHandler>();

        // The first delivery holds the claim while its handler runs.
        var first = stage.HandleAsync(queue.Name, new QueueDelivery(received[0].MessageId, 1, received[0].Body));
        while (handler.Attempts.IsEmpty) await Task.Delay(20);
        // The second, on what would be its last dequeue: held claim, so it waits, and is not a failure.
        var second = await stage.HandleAsync(queue.Name, new QueueDelivery(received[1].MessageId, 5, received[1].Body));
        Assert.Equal(QueueHandlingResult.Deferred, second);
        Assert.Single(handler.Attempts);
        await queue.DeleteMessageAsync(received[1].MessageId, received[1].PopReceipt);
        gate.SetResult();
        Assert.Equal(QueueHandlingResult.Handled, await first);
        await queue.DeleteMessageAsync(received[0].MessageId, received[0].PopReceipt);

        // The fresh copy, visible after the delay: a first dequeue, which finds the handler done.
        Azure.Storage.Queues.Models.QueueMessage? copy;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((copy = (await queue.ReceiveMessagesAsync(1)).Value.SingleOrDefault()) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the deferred copy did not become visible");
            await Task.Delay(100);
        }
        Assert.Equal(1, copy.DequeueCount);
        Assert.Equal(received[1].Body.ToArray(), copy.Body.ToArray());
        Assert.Equal(QueueHandlingResult.Handled, await stage.HandleAsync(queue.Name, new QueueDelivery(copy.MessageId, copy.DequeueCount, copy.Body)));
        Assert.Single(handler.Attempts);
        Assert.Empty(await scope.DrainAsync(scope.Queue("events-user-poison")));
    }

    [Fact]
    public async Task HandleAsync_StopRequestedAsTheHandlerSucceeds_ClaimCompleted_RedeliverySkipsTheHandler()
    {
        using var stopping = new CancellationTokenSource();
        // Registered after the archive handler, so it is the last one: the stop comes between the
        // handler's return and its claim being completed.
        var handler = new RecordingHandler { AfterHandled = stopping.Cancel };
        await using var scope = new StorageScope(azurite.ConnectionString, FastPump, s => s.AddSingleton<IEventHandler>(handler));
        await scope.Pipeline.RouteBatchAsync([Record("Notifications", 1, Event("USER.CREATED"))]);
        var queue = scope.Queues.GetQueueClient(scope.Queue("events-user"));
        var message = (await queue.ReceiveMessageAsync()).Value;
        var delivery = new QueueDelivery(message.MessageId, message.DequeueCount, message.Body);
        var stage = scope.Services.GetRequiredService<QueueDeliveryHandler>();

        Assert.Equal(QueueHandlingResult.Handled, await stage.HandleAsync(queue.Name, delivery, stopping.Token));
        Assert.True(stopping.IsCancellationRequested);

        // The same message again, as after a crash before its delete: the handler is done with it.
        Assert.Equal(QueueHandlingResult.Handled, await stage.HandleAsync(queue.Name, delivery with { DequeueCount = 2 }));
        Assert.Single(handler.Attempts);
    }

    private static async Task RunPumpUntilAsync<T>(StorageScope scope, Func<Task<T?>> probe, Func<T, Task> verify) where T : class
    {
        var pump = ActivatorUtilities.CreateInstance<QueuePumpService>(scope.Services);
        await pump.StartAsync(CancellationToken.None);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                if (await probe() is { } found)
                {
                    await verify(found);
                    return;
                }
                Assert.True(DateTime.UtcNow < deadline, "the queue pump did not reach the expected state within 60 s");
                await Task.Delay(100);
            }
        }
        finally
        {
            await pump.StopAsync(CancellationToken.None);
        }
    }

    private sealed class RecordingHandler : IEventHandler
    {
        public ConcurrentQueue<Guid> Attempts { get; } = new();
        public Func<RoutedEvent, bool> FailFor { get; init; } = _ => false;
        public ReadOnlyMemory<byte> LastJson { get; private set; }
        public string Name => "recording";
        public bool CanHandle(string queueName) => true;

        /// <summary>Completes when the test lets the handler finish.</summary>
        public Task Gate { get; init; } = Task.CompletedTask;

        /// <summary>Runs as the handler returns successfully.</summary>
        public Action AfterHandled { get; init; } = () => { };

        public async Task HandleAsync(RoutedEvent routedEvent, CancellationToken cancellationToken)
        {
            Attempts.Enqueue(routedEvent.Id);
            LastJson = routedEvent.Json;
            if (FailFor(routedEvent)) throw new InvalidOperationException("simulated failure");
            await Gate.WaitAsync(cancellationToken);
            AfterHandled();
        }
    }
}
