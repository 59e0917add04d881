using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace EventRouter.Kafka;

/// <summary>What to log about the brokers' reachability, if anything.</summary>
internal readonly record struct BrokerReport(LogLevel Level, BrokerReportKind Kind, TimeSpan Down);

internal enum BrokerReportKind { Unreachable, StillUnreachable, Recovered, Repeat }

/// <summary>
/// Turns librdkafka's stream of connection errors (one per broker and retry, for as long as a
/// broker is away) into what an operator needs: one Warning when the brokers cannot be reached,
/// at most one more a minute while it lasts, and one Information line on recovery. Pure state
/// with a clock, fed by the consumer's error callback and its first record or assignment after.
/// Not thread-safe by itself: librdkafka calls the error handler on the polling thread.
/// </summary>
internal sealed class BrokerConnectivityReporter(TimeProvider time)
{
    public static readonly TimeSpan RepeatInterval = TimeSpan.FromMinutes(1);

    private DateTimeOffset? _downSince;
    private DateTimeOffset _lastWarning;

    public bool IsDown => _downSince is not null;

    /// <summary>librdkafka's codes for "could not talk to a broker": resolve, connect, all down, timed out.</summary>
    public static bool IsConnectivityError(ErrorCode code) =>
        code is ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Resolve or ErrorCode.Local_TimedOut;

    /// <summary>A connection error: a Warning the first time and once a minute after; else Debug (a repeat).</summary>
    public BrokerReport OnConnectivityError()
    {
        var now = time.GetUtcNow();
        if (_downSince is not { } since)
        {
            _downSince = now;
            _lastWarning = now;
            return new(LogLevel.Warning, BrokerReportKind.Unreachable, TimeSpan.Zero);
        }
        if (now - _lastWarning >= RepeatInterval)
        {
            _lastWarning = now;
            return new(LogLevel.Warning, BrokerReportKind.StillUnreachable, now - since);
        }
        return new(LogLevel.Debug, BrokerReportKind.Repeat, now - since);
    }

    /// <summary>The brokers answered (a record, an assignment): Information once if they had been away, else nothing.</summary>
    public BrokerReport? OnConnected()
    {
        if (_downSince is not { } since) return null;
        _downSince = null;
        return new(LogLevel.Information, BrokerReportKind.Recovered, time.GetUtcNow() - since);
    }
}
