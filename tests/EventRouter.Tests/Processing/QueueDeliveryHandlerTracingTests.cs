using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using EventRouter.Delivery;
using EventRouter.Diagnostics;
using EventRouter.Formats;
using EventRouter.Processing;
using EventRouter.Testing;
using EventRouter.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventRouter.Tests.Processing;

/// <summary>
/// The queue stage's span is linked to the routing batch's span through the envelope's traceparent.
/// The listener samples only the traces these tests start, so tests running in parallel neither see
/// these spans nor get spans (and traceparents) of their own from it.
/// </summary>
public sealed class QueueDeliveryHandlerTracingTests : IDisposable
{
    private readonly PipelineFactory _factory = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ConcurrentDictionary<ActivityTraceId, byte> _traces = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public QueueDeliveryHandlerTracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TelemetryNames.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                _traces.ContainsKey(options.Parent.TraceId) ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = activity => { if (_traces.ContainsKey(activity.TraceId)) _stopped.Enqueue(activity); },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task HandleAsync_EnvelopeFromARoutedBatch_StartsItsSpanLinkedToTheBatchSpan()
    {
        // Routing, under a span standing in for the Kafka consumer's.
        var dispatcher = new RecordingQueueDispatcher();
        using (var consumer = StartTrace("consume"))
        {
            await _factory.Create(dispatcher).RouteBatchAsync([InboundRecord.Create("Notifications", 0, 7, EventJson.Valid())]);
        }
        var batch = Assert.Single(_stopped, a => a.OperationName == "route batch");
        var (queue, message) = Assert.Single(dispatcher.Sends);

        // The queue stage, under a span standing in for the host's (the Functions invocation).
        var handler = new RecordingHandler();
        Activity host;
        using (host = StartTrace("invoke"))
        {
            var result = await CreateHandler(handler).HandleAsync(queue, new QueueDelivery("message-1", 1, BinaryData.FromBytes(message)));
            Assert.Equal(QueueHandlingResult.Handled, result);
        }

        Assert.Equal(1, handler.Calls);
        var process = Assert.Single(_stopped, a => a.OperationName == "process events-user");
        Assert.Equal(ActivityKind.Consumer, process.Kind);
        Assert.Equal(host.TraceId, process.TraceId); // the host's span stays the parent ...
        Assert.Equal(host.SpanId, process.ParentSpanId);
        var link = Assert.Single(process.Links);      // ... and the batch is a link
        Assert.Equal(batch.TraceId, link.Context.TraceId);
        Assert.Equal(batch.SpanId, link.Context.SpanId);
        Assert.True(link.Context.IsRemote);
        Assert.NotEqual(batch.TraceId, process.TraceId);
        Assert.Equal(TelemetryNames.StorageQueuesSystem, process.GetTagItem("messaging.system"));
        Assert.Equal("events-user", process.GetTagItem("messaging.destination.name"));
        Assert.Equal("process", process.GetTagItem("messaging.operation.type"));
        Assert.Equal("message-1", process.GetTagItem("messaging.message.id"));
        Assert.Equal(ActivityStatusCode.Unset, process.Status);
    }

    [Fact]
    public async Task HandleAsync_EnvelopeWithoutTraceContext_IsHandled_WithAnUnlinkedSpan()
    {
        // An envelope as written before envelopes carried a traceparent.
        var message = RoutedMessage.Create(EventJson.Valid(), InboundRecord.Create("Notifications", 0, 8, EventJson.Valid()), PipelineFactory.Now, default);
        Assert.True(message.AsSpan().IndexOf("traceparent"u8) < 0);
        var handler = new RecordingHandler();

        using (StartTrace("invoke"))
        {
            Assert.Equal(QueueHandlingResult.Handled, await CreateHandler(handler).HandleAsync("events-user", new QueueDelivery("message-2", 1, BinaryData.FromBytes(message))));
        }

        Assert.Equal(1, handler.Calls);
        var process = Assert.Single(_stopped, a => a.OperationName == "process events-user");
        Assert.Empty(process.Links);
        Assert.Equal("message-2", process.GetTagItem("messaging.message.id"));
    }

    [Fact]
    public async Task HandleAsync_FailingHandler_MarksTheSpanAsError()
    {
        var message = RoutedMessage.Create(EventJson.Valid(), InboundRecord.Create("Notifications", 0, 9, EventJson.Valid()), PipelineFactory.Now,
            new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded));
        var handler = new RecordingHandler { Fail = true };

        using (StartTrace("invoke"))
        {
            await Assert.ThrowsAsync<EventHandlerException>(() => CreateHandler(handler).HandleAsync("events-user", new QueueDelivery("message-3", 2, BinaryData.FromBytes(message))));
        }

        var process = Assert.Single(_stopped, a => a.OperationName == "process events-user");
        Assert.Equal(ActivityStatusCode.Error, process.Status);
        Assert.Equal(typeof(InvalidOperationException).FullName, process.GetTagItem("error.type"));
        Assert.Single(process.Links);
    }

    private Activity StartTrace(string name)
    {
        var activity = new Activity(name).SetIdFormat(ActivityIdFormat.W3C);
        activity.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        activity.Start();
        _traces[activity.TraceId] = 0;
        return activity;
    }

    private QueueDeliveryHandler CreateHandler(IEventHandler handler)
    {
        var options = Options.Create(new ProcessingOptions { Idempotency = false });
        var blobs = new BlobServiceClient("UseDevelopmentStorage=true"); // never called: inline envelopes, no idempotency
        return new QueueDeliveryHandler(new RoutedEventReader(blobs, EventFieldMapping.Default), [handler],
            new IdempotencyGuard(blobs, options, TimeProvider.System), new RecordingQueueDispatcher(),
            StorageAccounts.Single(new QueueServiceClient("UseDevelopmentStorage=true")), new EventRouterTelemetry(_services.GetRequiredService<IMeterFactory>()),
            options, NullLogger<QueueDeliveryHandler>.Instance, TimeProvider.System);
    }

    private sealed class RecordingHandler : IEventHandler
    {
        private int _calls;
        public bool Fail { get; init; }
        public int Calls => _calls;
        public string Name => "recording";
        public bool CanHandle(string queueName) => true;

        public Task HandleAsync(RoutedEvent routedEvent, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Fail ? Task.FromException(new InvalidOperationException("handler failed")) : Task.CompletedTask;
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
        _factory.Dispose();
    }
}
