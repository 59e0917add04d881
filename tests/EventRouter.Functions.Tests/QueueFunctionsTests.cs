using System.Reflection;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using EventRouter.Functions.Hosting;
using EventRouter.Testing;
using EventRouter.Processing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventRouter.Functions.Tests;

/// <summary>
/// The queue-triggered functions called as the worker calls them: the class activated from the app's
/// own services (Program.cs's registrations), a <see cref="QueueMessage"/> built with the Azure SDK's
/// <see cref="QueuesModelFactory"/> as the trigger binds it (Base64 already decoded, host.json), and
/// Azurite as the storage account. What the Functions host itself does around a call (delete on
/// success, retry and move to &lt;queue&gt;-poison after maxDequeueCount on a throw) is not run here.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class QueueFunctionsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly RecordingHandler _handler = new();
    private IHost _host = null!;
    private QueueServiceClient _queues = null!;

    public Task InitializeAsync()
    {
        _host = FunctionsAppHost.Build(
            new Dictionary<string, string?> { ["EventStorage"] = azurite.ConnectionString },
            services => services.AddSingleton<IEventHandler>(_handler));
        _queues = new QueueServiceClient(azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        return Task.CompletedTask;
    }

    private QueueFunctions Functions => FunctionsAppHost.Activate<QueueFunctions>(_host);

    /// <summary>Routes one event through the app's own router and takes its message off the queue, as the trigger would.</summary>
    private async Task<QueueMessage> RouteAsync(string type, Guid id, string queue)
    {
        var value = Encoding.UTF8.GetBytes($$$"""{"id":"{{{id}}}","created_at":"2026-11-22T10:00:00Z","type":"{{{type}}}","object":{"n":1}}""");
        await _host.Services.GetRequiredService<IRecordBatchRouter>().RouteBatchAsync(
            [InboundRecordFactory.Create("Notifications", 1, Random.Shared.NextInt64(1, long.MaxValue), 1_763_800_000_000, null, value, null)]);
        var client = _queues.GetQueueClient(queue);
        foreach (var received in (await client.ReceiveMessagesAsync(32)).Value)
        {
            await client.DeleteMessageAsync(received.MessageId, received.PopReceipt);
            if (received.Body.ToString().Contains(id.ToString(), StringComparison.Ordinal))
            {
                return QueuesModelFactory.QueueMessage(received.MessageId, received.PopReceipt, received.Body, 1, insertedOn: received.InsertedOn);
            }
        }
        throw new InvalidOperationException($"the router wrote nothing for {id} to {queue}");
    }

    private async Task<List<JsonDocument>> DrainAsync(string queue)
    {
        var client = _queues.GetQueueClient(queue);
        var result = new List<JsonDocument>();
        if (!(await client.ExistsAsync()).Value) return result;
        foreach (var message in (await client.ReceiveMessagesAsync(32)).Value)
        {
            result.Add(JsonDocument.Parse(message.Body.ToMemory()));
            await client.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }
        return result;
    }

    [Fact]
    public async Task EventsUserQueue_RoutedEnvelope_ReachesTheHandlersAndTheArchive()
    {
        var id = Guid.NewGuid();
        var message = await RouteAsync("USER.CREATED", id, "events-user");

        await Functions.EventsUserQueue(message, CancellationToken.None);

        var handled = Assert.Single(_handler.Handled, e => e.Id == id);
        Assert.Equal("events-user", handled.Queue);
        Assert.Equal("USER.CREATED", handled.Type);
        Assert.Equal(message.MessageId, handled.Delivery.MessageId);
        var archive = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(EventArchiveHandler.ContainerName);
        Assert.True((await archive.GetBlobClient($"2026/11/22/USER.CREATED/{id}.json").ExistsAsync()).Value, "the event archive has no copy of the event");
        Assert.Empty(await DrainAsync("events-user-poison"));
    }

    [Fact]
    public async Task EventsOrderQueue_InvalidEnvelope_GoesToItsPoisonQueueAndCompletes()
    {
        var message = QueuesModelFactory.QueueMessage("m-invalid", "pop", BinaryData.FromString("""{"not":"an envelope"}"""), 1);

        await Functions.EventsOrderQueue(message, CancellationToken.None);

        var poison = Assert.Single(await DrainAsync("events-order-poison"));
        Assert.Equal("invalid-envelope", poison.RootElement.GetProperty("reason").GetString());
        Assert.Equal("events-order", poison.RootElement.GetProperty("source").GetProperty("queue").GetString());
        Assert.Equal("m-invalid", poison.RootElement.GetProperty("source").GetProperty("messageId").GetString());
        Assert.Empty(_handler.Handled);
    }

    [Fact]
    public async Task EventsPositionQueue_FailingHandler_ThrowsOnEveryDequeue_SoTheHostRetriesThenPoisons()
    {
        var id = Guid.NewGuid();
        var routed = await RouteAsync("POSITION.UPDATED", id, "events-position");
        _handler.FailFor(id);
        var maxDequeueCount = new ProcessingOptions().MaxDequeueCount;

        for (var dequeue = 1; dequeue <= maxDequeueCount; dequeue++)
        {
            var message = QueuesModelFactory.QueueMessage(routed.MessageId, "pop", routed.Body, dequeue);
            var failure = await Assert.ThrowsAsync<EventHandlerException>(() => Functions.EventsPositionQueue(message, CancellationToken.None));
            Assert.Contains(id.ToString(), failure.Message, StringComparison.Ordinal);
        }

        // The function never poisons a failing message itself: the host moves it after maxDequeueCount.
        Assert.Empty(await DrainAsync("events-position-poison"));
        Assert.Equal(maxDequeueCount, _handler.Attempts(id));

        // The failed attempts released their idempotency claims, so a later success runs the handler.
        _handler.FailFor(Guid.Empty);
        await Functions.EventsPositionQueue(QueuesModelFactory.QueueMessage(routed.MessageId, "pop", routed.Body, 1), CancellationToken.None);
        Assert.Single(_handler.Handled, e => e.Id == id);
    }

    /// <summary>Every queue function hands its message over under its own trigger's queue name.</summary>
    [Fact]
    public async Task EveryQueueFunction_PassesItsTriggerQueueName()
    {
        var methods = typeof(QueueFunctions).GetMethods().Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null).ToList();
        Assert.Equal(QueueTriggerCoverage.DefaultQueues.Count, methods.Count);

        foreach (var method in methods)
        {
            var queue = method.GetParameters()[0].GetCustomAttribute<QueueTriggerAttribute>()!.QueueName;
            var message = QueuesModelFactory.QueueMessage($"m-{method.Name}", "pop", BinaryData.FromString("not json"), 1);

            await (Task)method.Invoke(Functions, [message, CancellationToken.None])!;

            var poison = Assert.Single(await DrainAsync($"{queue}-poison"));
            Assert.Equal(queue, poison.RootElement.GetProperty("source").GetProperty("queue").GetString());
        }
    }

    private sealed class RecordingHandler : IEventHandler
    {
        private readonly List<RoutedEvent> _handled = [];
        private readonly Dictionary<Guid, int> _attempts = [];
        private Guid _failFor;

        public string Name => "functions-test-recorder";
        public IReadOnlyList<RoutedEvent> Handled { get { lock (_handled) return [.. _handled]; } }
        public bool CanHandle(string queueName) => true;
        public void FailFor(Guid id) => _failFor = id;
        public int Attempts(Guid id) { lock (_handled) return _attempts.GetValueOrDefault(id); }

        public Task HandleAsync(RoutedEvent routedEvent, CancellationToken cancellationToken)
        {
            lock (_handled)
            {
                _attempts[routedEvent.Id] = _attempts.GetValueOrDefault(routedEvent.Id) + 1;
                if (routedEvent.Id == _failFor) throw new InvalidOperationException("handler failed on purpose");
                _handled.Add(routedEvent);
            }
            return Task.CompletedTask;
        }
    }
}
