using Microsoft.Azure.Functions.Worker;

namespace EventRouter.Functions;

/// <summary>
/// One Kafka-triggered function per topic, in batch mode. Each batch goes to the routing core whole;
/// the core puts every record into exactly one queue (invalid ones into <c>events-poison</c>, which
/// never fails the function) and throws only when storage writes fail. A thrown batch is retried
/// (<see cref="KafkaRetry"/>) and, with host.json's <c>commitOnFailure: false</c>, never committed.
/// </summary>
public sealed class KafkaFunctions(IRecordBatchRouter router)
{
    [Function(nameof(Notifications))]
    [ExponentialBackoffRetry(KafkaRetry.MaxRetryCount, KafkaRetry.MinimumInterval, KafkaRetry.MaximumInterval)]
    public Task Notifications(
        [KafkaTrigger("%Kafka:BootstrapServers%", "%Kafka:Topics:Notifications%",
            ConsumerGroup = "%Kafka:ConsumerGroup%",
            Protocol = KafkaSecurity.Protocol,
            AuthenticationMode = KafkaSecurity.Mechanism,
            Username = "%Kafka:Username%",
            Password = "%Kafka:Password%",
            SslCaPEM = KafkaSecurity.CaPemSetting,
            IsBatched = true)] KafkaRecord[] records,
        CancellationToken cancellationToken)
        => router.RouteBatchAsync(records.ToInboundRecords(), cancellationToken);

    [Function(nameof(Prices))]
    [ExponentialBackoffRetry(KafkaRetry.MaxRetryCount, KafkaRetry.MinimumInterval, KafkaRetry.MaximumInterval)]
    public Task Prices(
        [KafkaTrigger("%Kafka:BootstrapServers%", "%Kafka:Topics:Prices%",
            ConsumerGroup = "%Kafka:ConsumerGroup%",
            Protocol = KafkaSecurity.Protocol,
            AuthenticationMode = KafkaSecurity.Mechanism,
            Username = "%Kafka:Username%",
            Password = "%Kafka:Password%",
            SslCaPEM = KafkaSecurity.CaPemSetting,
            IsBatched = true)] KafkaRecord[] records,
        CancellationToken cancellationToken)
        => router.RouteBatchAsync(records.ToInboundRecords(), cancellationToken);
}
