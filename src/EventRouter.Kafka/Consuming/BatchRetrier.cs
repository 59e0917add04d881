using Microsoft.Extensions.Logging;
using Log = EventRouter.Kafka.KafkaSourceService.Log;

namespace EventRouter.Kafka.Consuming;

/// <summary>
/// Routes one partition's batch until every record of it is in storage or the batch is cancelled:
/// a failed attempt is logged, counted in <see cref="KafkaTelemetryNames.BatchRetries"/> and
/// retried whole after a capped exponential back-off (<see cref="RetryBackoff"/>).
/// </summary>
/// <remarks>
/// It never gives up on its own: committing past a batch that did not reach storage would lose it,
/// so only a revoke, a lost partition or the shutdown (through the batch's cancellation) ends the
/// retries. Runs on the thread pool; it touches nothing of the consume thread but the batch's
/// failure count.
/// </remarks>
internal sealed class BatchRetrier(
    string topic,
    KafkaOptions options,
    IRecordBatchRouter router,
    KafkaMetrics metrics,
    ILogger logger,
    TimeProvider time,
    Func<double>? jitter = null)
{
    private readonly Func<double> _jitter = jitter ?? Random.Shared.NextDouble;

    /// <summary>What a failed attempt means: how long to wait before the next one, and its <see cref="KafkaTelemetryNames.ErrorTypeTag"/>.</summary>
    internal readonly record struct Failure(TimeSpan Delay, string ErrorType);

    /// <summary>
    /// Routes <paramref name="batch"/> until it succeeds or its cancellation is requested. Never
    /// throws: true when every record is in storage, false when the batch was cancelled (its offsets
    /// must not be stored).
    /// </summary>
    public async Task<bool> RouteAsync(InFlightBatch batch)
    {
        var cancellationToken = batch.Cancellation.Token;
        while (true)
        {
            Failure failure;
            try
            {
                await router.RouteBatchAsync(batch.Records, cancellationToken).ConfigureAwait(false);
                if (batch.FailedAttempts > 0)
                {
                    Log.BatchRecovered(logger, topic, batch.Partition, batch.Records.Count, batch.FailedAttempts);
                }

                return true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception ex)
            {
                var failures = batch.RecordFailure();
                failure = Classify(ex, failures);
                LogFailure(batch, failures, failure.Delay, ex);
                metrics.BatchRetried(topic, options.ConsumerGroup, failure.ErrorType);
            }

            if (!await DelayAsync(failure.Delay, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
    }

    /// <summary>The wait after the <paramref name="failures"/>th failed attempt, and the kind of error for the retry metric.</summary>
    internal Failure Classify(Exception exception, int failures)
    {
        var delay = RetryBackoff.Delay(failures, options.RetryDelay, options.RetryMaxDelay, _jitter());
        var errorType = exception switch
        {
            EventDeliveryException { IsTransient: true } => KafkaTelemetryNames.TransientError,
            EventDeliveryException => KafkaTelemetryNames.PermanentError,
            // A bug in the router, not a storage failure. Committing would lose the batch, so it is
            // retried like a delivery failure; the Error log is what should get someone's attention.
            _ => KafkaTelemetryNames.UnexpectedError,
        };
        return new Failure(delay, errorType);
    }

    private void LogFailure(InFlightBatch batch, int failures, TimeSpan delay, Exception exception)
    {
        var count = batch.Records.Count;
        switch (exception)
        {
            case EventDeliveryException { IsTransient: true }:
                Log.BatchDeliveryFailed(logger, topic, batch.Partition, count, failures, delay.TotalMilliseconds, exception);
                break;
            case EventDeliveryException:
                Log.BatchDeliveryFailedPermanently(logger, topic, batch.Partition, count, failures, delay.TotalMilliseconds, exception);
                break;
            default:
                Log.BatchRoutingFailedUnexpectedly(logger, topic, batch.Partition, count, failures, delay.TotalMilliseconds, exception);
                break;
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
