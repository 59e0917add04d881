using EventRouter.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace EventRouter.Functions;

/// <summary>
/// One Kafka-triggered function per topic and SASL mechanism, in batch mode; app settings
/// (<c>AzureWebJobs.&lt;function&gt;.Disabled</c>, derived from <c>Kafka:SaslMechanism</c>) leave the two
/// of the environment's mechanism running (<see cref="KafkaTriggerFunctions"/>). Each batch goes to the
/// routing core whole; the core puts every record into exactly one queue (invalid ones into
/// <c>events-poison</c>, which never fails the function) and throws only when storage writes fail. A
/// thrown batch is retried (<see cref="KafkaRetry"/>) and, with host.json's <c>commitOnFailure: false</c>,
/// never committed.
/// </summary>
public sealed class KafkaFunctions(IRecordBatchRouter router)
{
    [Function(KafkaTriggerFunctions.NotificationsPlain)]
    [ExponentialBackoffRetry(KafkaRetry.MaxRetryCount, KafkaRetry.MinimumInterval, KafkaRetry.MaximumInterval)]
    public Task NotificationsPlain(
        [KafkaTrigger(KafkaSecurity.BootstrapServers, KafkaSecurity.NotificationsTopic, ConsumerGroup = KafkaSecurity.ConsumerGroup,
            Protocol = KafkaSecurity.Protocol, AuthenticationMode = BrokerAuthenticationMode.Plain,
            Username = KafkaSecurity.Username, Password = KafkaSecurity.Password, SslCaPEM = KafkaSecurity.CaPem, IsBatched = true)] KafkaRecord[] records,
        CancellationToken cancellationToken)
        => Route(records, cancellationToken);

    [Function(KafkaTriggerFunctions.NotificationsScramSha256)]
    [ExponentialBackoffRetry(KafkaRetry.MaxRetryCount, KafkaRetry.MinimumInterval, KafkaRetry.MaximumInterval)]
    public Task NotificationsScramSha256(
        [KafkaTrigger(KafkaSecurity.BootstrapServers, KafkaSecurity.NotificationsTopic, ConsumerGroup = KafkaSecurity.ConsumerGroup,
            Protocol = KafkaSecurity.Protocol, AuthenticationMode = BrokerAuthenticationMode.ScramSha256,
            Username = KafkaSecurity.Username, Password = KafkaSecurity.Password, SslCaPEM = KafkaSecurity.CaPem, IsBatched = true)] KafkaRecord[] records,
        CancellationToken cancellationToken)
        => Route(records, cancellationToken);

    [Function(KafkaTriggerFunctions.NotificationsScramSha512)]
    [ExponentialBackoffRetry(KafkaRetry.MaxRetryCount, KafkaRetry.MinimumInterval, KafkaRetry.MaximumInterval)]
    public Task NotificationsScramSha512(
        [KafkaTrigger(KafkaSecurity.BootstrapServers, KafkaSecurity.NotificationsTopic, ConsumerGroup = KafkaSecurity.ConsumerGroup,
            Protocol = KafkaSecurity.Protocol, AuthenticationMode = BrokerAuthenticationMode.ScramSha512,
            Username = KafkaSecurity.Username, Password = KafkaSecurity.Password, SslCaPEM = KafkaSecurity.CaPem, IsBatched = true)] KafkaRecord[] records,
        CancellationToken cancellationToken)
        => Route(records, cancellationToken);

    [Function(KafkaTriggerFunctions.PricesPlain)]
    [ExponentialBackoffRetry(KafkaRetry.MaxRetryCount, KafkaRetry.MinimumInterval, KafkaRetry.MaximumInterval)]
    public Task PricesPlain(
        [KafkaTrigger(KafkaSecurity.BootstrapServers, KafkaSecurity.PricesTopic, ConsumerGroup = KafkaSecurity.ConsumerGroup,
            Protocol = KafkaSecurity.Protocol, AuthenticationMode = BrokerAuthenticationMode.Plain,
            Username = KafkaSecurity.Username, Password = KafkaSecurity.Password, SslCaPEM = KafkaSecurity.CaPem, IsBatched = true)] KafkaRecord[] records,
        CancellationToken cancellationToken)
        => Route(records, cancellationToken);

    [Function(KafkaTriggerFunctions.PricesScramSha256)]
    [ExponentialBackoffRetry(KafkaRetry.MaxRetryCount, KafkaRetry.MinimumInterval, KafkaRetry.MaximumInterval)]
    public Task PricesScramSha256(
        [KafkaTrigger(KafkaSecurity.BootstrapServers, KafkaSecurity.PricesTopic, ConsumerGroup = KafkaSecurity.ConsumerGroup,
            Protocol = KafkaSecurity.Protocol, AuthenticationMode = BrokerAuthenticationMode.ScramSha256,
            Username = KafkaSecurity.Username, Password = KafkaSecurity.Password, SslCaPEM = KafkaSecurity.CaPem, IsBatched = true)] KafkaRecord[] records,
        CancellationToken cancellationToken)
        => Route(records, cancellationToken);

    [Function(KafkaTriggerFunctions.PricesScramSha512)]
    [ExponentialBackoffRetry(KafkaRetry.MaxRetryCount, KafkaRetry.MinimumInterval, KafkaRetry.MaximumInterval)]
    public Task PricesScramSha512(
        [KafkaTrigger(KafkaSecurity.BootstrapServers, KafkaSecurity.PricesTopic, ConsumerGroup = KafkaSecurity.ConsumerGroup,
            Protocol = KafkaSecurity.Protocol, AuthenticationMode = BrokerAuthenticationMode.ScramSha512,
            Username = KafkaSecurity.Username, Password = KafkaSecurity.Password, SslCaPEM = KafkaSecurity.CaPem, IsBatched = true)] KafkaRecord[] records,
        CancellationToken cancellationToken)
        => Route(records, cancellationToken);

    private Task Route(KafkaRecord[] records, CancellationToken cancellationToken)
        => router.RouteBatchAsync(records.ToInboundRecords(), cancellationToken);
}
