using Confluent.Kafka;
using EventRouter.Diagnostics;

namespace EventRouter.Kafka;

/// <summary>
/// The brokers' reachability as an <see cref="OutageReporter"/> sees it: librdkafka's stream of
/// connection errors (one per broker and retry, for as long as a broker is away) becomes one
/// Warning, at most one more a minute, and one Information line on recovery. Fed by the consumer's
/// error callback and by its first record or assignment after an outage.
/// </summary>
internal sealed class BrokerConnectivityReporter(TimeProvider time)
{
    private readonly OutageReporter _outage = new(time);

    public bool IsDown => _outage.IsDown;

    /// <summary>librdkafka's codes for "could not talk to a broker": resolve, connect, all down, timed out.</summary>
    public static bool IsConnectivityError(ErrorCode code) =>
        code is ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Resolve or ErrorCode.Local_TimedOut;

    /// <summary>A connection error: a Warning the first time and once a minute after; else Debug (a repeat).</summary>
    public OutageReport OnConnectivityError() => _outage.OnFailure();

    /// <summary>The brokers answered (a record, an assignment): Information once if they had been away, else nothing.</summary>
    public OutageReport? OnConnected() => _outage.OnSuccess();
}
