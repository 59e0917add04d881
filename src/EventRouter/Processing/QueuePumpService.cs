using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using EventRouter.Delivery;
using EventRouter.Diagnostics;
using EventRouter.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventRouter.Processing;

/// <summary>
/// The self-hosted queue stage, with the Azure Functions queue trigger's semantics so both hosts
/// behave alike: per routed queue, receive up to <see cref="ProcessingOptions.BatchSize"/> messages
/// invisible for <see cref="ProcessingOptions.VisibilityTimeout"/>; delete each one its handlers
/// completed; make a failed one visible again after <see cref="ProcessingOptions.RetryVisibilityTimeout"/>;
/// once a failed message has been dequeued <see cref="ProcessingOptions.MaxDequeueCount"/> times,
/// copy it to <c>&lt;queue&gt;-poison</c> and delete it. An empty queue is polled with exponential
/// backoff up to <see cref="ProcessingOptions.MaxPollingInterval"/>. A sharded route is pumped
/// shard by shard, each from the account it lives in (<see cref="StorageAccounts"/>), and a shard's
/// poison twin is in that account too.
/// </summary>
public sealed partial class QueuePumpService(
    StorageAccounts queues, RouteTable routes, QueueDeliveryHandler handler,
    IOptions<ProcessingOptions> options, ILogger<QueuePumpService> logger, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);
    private readonly ProcessingOptions _options = options.Value;
    // One reporter per account: while one is away, one line for all its pollers, not one per queue and poll.
    private readonly Dictionary<string, Account> _accounts = queues.Connections.ToDictionary(
        connection => connection,
        connection => new Account(connection, new OutageReporter(time), queues.ForConnection(connection).Uri.GetLeftPart(UriPartial.Path)),
        StringComparer.Ordinal);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(PumpedQueues(routes).Select(queue => PumpAsync(queue, stoppingToken)));

    /// <summary>
    /// Every queue the router writes to, and the own queue of each sharded route: messages written
    /// there before the route was sharded are still handled, not stranded (one idle poller each).
    /// </summary>
    internal static IEnumerable<string> PumpedQueues(RouteTable routes) =>
        routes.DestinationQueues.Concat(routes.Routes.Where(route => routes.ShardCount(route) > 1));

    private async Task PumpAsync(string queueName, CancellationToken stoppingToken)
    {
        var client = queues.GetQueueClient(queueName);
        var account = _accounts[queues.ConnectionOf(queueName)];
        var delay = MinPollingInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] batch;
            try
            {
                batch = (await client.ReceiveMessagesAsync(_options.BatchSize, _options.VisibilityTimeout, stoppingToken).ConfigureAwait(false)).Value;
                Report(account, account.Storage.OnSuccess(), queueName);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: the SDK reports a receive cut short by the stop as an OperationCanceledException
                // or, mid-retry, as an AggregateException of its attempts; either way nothing was received.
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                Report(account, account.Storage.OnSuccess(), queueName);
                batch = []; // Not created yet: the router creates queues on first use.
            }
            catch (Exception ex) when (TransientFailure.IsTransient(ex))
            {
                Report(account, account.Storage.OnFailure(), queueName, ex.GetType().Name);
                batch = [];
            }

            if (batch.Length == 0)
            {
                try
                {
                    await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxPollingInterval.Ticks));
                continue;
            }
            delay = MinPollingInterval;
            await Task.WhenAll(batch.Select(message => ProcessAsync(client, message, stoppingToken))).ConfigureAwait(false);
            if (batch.Length < _options.BatchSize && _options.PartialBatchDelay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(_options.PartialBatchDelay, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ProcessAsync(QueueClient client, QueueMessage message, CancellationToken stoppingToken)
    {
        var delivery = new QueueDelivery(message.MessageId, message.DequeueCount, message.Body, message.InsertedOn);
        try
        {
            await handler.HandleAsync(client.Name, delivery, stoppingToken).ConfigureAwait(false);
            await DeleteAsync(client, message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: hand the message back at once rather than after the visibility timeout.
            await ReleaseAsync(client, message, TimeSpan.Zero).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (message.DequeueCount >= _options.MaxDequeueCount)
            {
                try
                {
                    await handler.MoveToPoisonAsync(client.Name, delivery, PoisonReason.MaxDequeueCountExceeded,
                        $"failed {message.DequeueCount} times; last error: {ex.Message}", CancellationToken.None).ConfigureAwait(false);
                    await DeleteAsync(client, message).ConfigureAwait(false);
                }
                catch (Exception poisonFailure)
                {
                    // Left in place: it becomes visible again and is poisoned on a later dequeue.
                    Log.PoisonFailed(logger, message.MessageId, client.Name, poisonFailure);
                }
            }
            else
            {
                await ReleaseAsync(client, message, _options.RetryVisibilityTimeout).ConfigureAwait(false);
            }
        }
    }

    private async Task DeleteAsync(QueueClient client, QueueMessage message)
    {
        try
        {
            await client.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 400)
        {
            // Pop receipt no longer valid (the message reappeared and someone else took it): benign, as in Functions.
        }
    }

    private async Task ReleaseAsync(QueueClient client, QueueMessage message, TimeSpan visibilityTimeout)
    {
        try
        {
            await client.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: visibilityTimeout, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RequestFailedException or IOException or HttpRequestException)
        {
            // It becomes visible again when its visibility timeout ends anyway.
            Log.ReleaseFailed(logger, message.MessageId, client.Name, ex.GetType().Name);
        }
    }

    /// <summary>An account's outage state, and its address without any query (a SAS token would be a secret).</summary>
    private sealed record Account(string Connection, OutageReporter Storage, string Endpoint);

    private void Report(Account account, OutageReport? report, string queueName, string? exceptionType = null)
    {
        if (report is not { } r) return;
        var endpoint = account.Endpoint;
        var down = TimeSpan.FromSeconds(Math.Round(r.Down.TotalSeconds));
        switch (r.Kind)
        {
            case OutageReportKind.Began: Log.StorageUnreachable(logger, endpoint, queueName, account.Connection, exceptionType); break;
            case OutageReportKind.Continues: Log.StorageStillUnreachable(logger, endpoint, down, exceptionType); break;
            case OutageReportKind.Ended: Log.StorageReachable(logger, endpoint, down); break;
            default: Log.ReceiveFailed(logger, queueName, exceptionType); break;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(3201, LogLevel.Debug, "Receiving from {Queue} failed ({ExceptionType}); polling again", EventName = "ReceiveFailed")]
        public static partial void ReceiveFailed(ILogger logger, string queue, string? exceptionType);

        [LoggerMessage(3204, LogLevel.Warning, "The queue stage cannot reach storage at {Endpoint} ({ExceptionType} receiving from {Queue}); check {Connection}. Polling again; said again once a minute while it lasts", EventName = "StorageUnreachable")]
        public static partial void StorageUnreachable(ILogger logger, string endpoint, string queue, string connection, string? exceptionType);

        [LoggerMessage(3205, LogLevel.Warning, "The queue stage still cannot reach storage at {Endpoint} after {Down} ({ExceptionType}); polling again", EventName = "StorageStillUnreachable")]
        public static partial void StorageStillUnreachable(ILogger logger, string endpoint, TimeSpan down, string? exceptionType);

        [LoggerMessage(3206, LogLevel.Information, "The queue stage reaches storage at {Endpoint} again, after {Down}", EventName = "StorageReachable")]
        public static partial void StorageReachable(ILogger logger, string endpoint, TimeSpan down);

        [LoggerMessage(3202, LogLevel.Error, "Moving message {MessageId} from {Queue} to its poison queue failed; it stays and is retried", EventName = "PoisonFailed")]
        public static partial void PoisonFailed(ILogger logger, string messageId, string queue, Exception exception);

        [LoggerMessage(3203, LogLevel.Debug, "Releasing message {MessageId} of {Queue} failed ({ExceptionType}); its visibility timeout will", EventName = "ReleaseFailed")]
        public static partial void ReleaseFailed(ILogger logger, string messageId, string queue, string exceptionType);
    }
}
