using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace EventRouter.Kafka;

/// <summary>
/// What <c>eventrouter check</c> does, like <c>kcat -L</c> with the configured settings: resolve
/// and reach the bootstrap servers, connect with TLS and SASL, list the configured topics with
/// their partitions and watermarks, and the consumer group's committed offsets and lag. The first
/// failing step is reported in one line; the password never appears in anything it returns.
/// </summary>
public sealed class KafkaConnectivityCheck
{
    private readonly KafkaOptions _options;
    private readonly KafkaClientConfigFactory _configs;

    internal KafkaConnectivityCheck(IOptions<KafkaOptions> options, KafkaClientConfigFactory configs)
    {
        _options = options.Value;
        _configs = configs;
    }

    public async Task<ConnectivityReport> RunAsync(TimeSpan stepTimeout, CancellationToken cancellationToken = default)
    {
        var steps = new List<CheckStep>();
        foreach (var server in (_options.BootstrapServers ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (host, port) = SplitHostPort(server);
            IPAddress[] addresses;
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
                if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
            }
            catch (SocketException ex)
            {
                return ConnectivityReport.Failed(steps, "DNS", $"cannot resolve {host}: {ex.SocketErrorCode}");
            }
            steps.Add(new CheckStep("DNS", $"{host} → {string.Join(", ", addresses.Take(3).Select(a => a.ToString()))}"));

            using var tcp = new TcpClient();
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connectTimeout.CancelAfter(stepTimeout);
            try
            {
                await tcp.ConnectAsync(addresses, port, connectTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var why = ex is SocketException socket ? socket.SocketErrorCode.ToString() : $"no answer within {stepTimeout.TotalSeconds:0} s";
                return ConnectivityReport.Failed(steps, "TCP", $"cannot connect to {host}:{port}: {why}");
            }
            steps.Add(new CheckStep("TCP", $"{host}:{port} accepts connections"));
        }

        var topics = _options.EnabledTopics().Select(t => t.Topic).ToList();
        var config = _configs.CreateConsumerConfig(topics.FirstOrDefault() ?? "check");
        config.ClientId = "eventrouter-check";
        config.EnableAutoCommit = false;
        var clientErrors = new ConcurrentQueue<string>();
        KafkaNativeLibrary.EnsureLoaded();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config)
            .SetErrorHandler((_, error) => clientErrors.Enqueue(error.Reason))
            .SetLogHandler((_, log) => { if (log.Level <= SyslogLevel.Warning) clientErrors.Enqueue(log.Message); })
            .Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();

        Metadata metadata;
        try
        {
            metadata = admin.GetMetadata(stepTimeout);
        }
        catch (KafkaException ex)
        {
            var (step, reason) = Classify(ex.Error, clientErrors);
            return ConnectivityReport.Failed(steps, step, Redact(reason));
        }
        var protocol = _options.SecurityProtocol;
        steps.Add(new CheckStep("Kafka", $"{metadata.Brokers.Count} broker(s) answered over {protocol}" +
            (string.IsNullOrEmpty(_options.SaslMechanism) ? "" : $", SASL {_options.SaslMechanism} as '{_options.Username}'")));

        var partitions = new List<PartitionState>();
        foreach (var topic in topics)
        {
            var found = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
            if (found is null || found.Error.Code == ErrorCode.UnknownTopicOrPart || found.Partitions.Count == 0)
            {
                return ConnectivityReport.Failed(steps, "Topic", $"topic '{topic}' does not exist (or this user may not describe it)");
            }
            if (found.Error.IsError)
            {
                return ConnectivityReport.Failed(steps, "Topic", $"topic '{topic}': {found.Error.Reason}");
            }
            var topicPartitions = found.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).OrderBy(tp => tp.Partition.Value).ToList();
            List<TopicPartitionOffset> committed;
            try
            {
                committed = consumer.Committed(topicPartitions, stepTimeout);
            }
            catch (KafkaException ex)
            {
                return ConnectivityReport.Failed(steps, "Group", Redact($"committed offsets of group '{_options.ConsumerGroup}': {ex.Error.Reason}"));
            }
            foreach (var tp in topicPartitions)
            {
                var watermarks = consumer.QueryWatermarkOffsets(tp, stepTimeout);
                var offset = committed.First(c => c.TopicPartition == tp).Offset;
                long? committedOffset = offset.IsSpecial ? null : offset.Value;
                var lag = watermarks.High.Value - (committedOffset ?? watermarks.Low.Value);
                partitions.Add(new PartitionState(topic, tp.Partition.Value, watermarks.Low.Value, watermarks.High.Value, committedOffset, lag));
            }
            steps.Add(new CheckStep("Topic", $"{topic}: {topicPartitions.Count} partition(s)"));
        }
        return new ConnectivityReport(true, steps, null, null, partitions, _options.ConsumerGroup ?? "");
    }

    private (string Step, string Reason) Classify(Error error, IEnumerable<string> clientErrors)
    {
        var all = string.Join("; ", clientErrors.Prepend(error.Reason).Distinct().Take(4));
        if (error.Code is ErrorCode.Local_Authentication or ErrorCode.SaslAuthenticationFailed or ErrorCode.IllegalSaslState or ErrorCode.UnsupportedSaslMechanism
            || all.Contains("SASL", StringComparison.OrdinalIgnoreCase) || all.Contains("Authentication", StringComparison.OrdinalIgnoreCase))
            return ("SASL", all);
        if (error.Code == ErrorCode.Local_Ssl || all.Contains("SSL", StringComparison.OrdinalIgnoreCase) || all.Contains("certificate", StringComparison.OrdinalIgnoreCase))
            return ("TLS", all);
        return ("Kafka", all);
    }

    private string Redact(string text) =>
        string.IsNullOrEmpty(_options.Password) ? text : text.Replace(_options.Password, "***", StringComparison.Ordinal);

    private static (string Host, int Port) SplitHostPort(string server)
    {
        var colon = server.LastIndexOf(':');
        return colon > 0 && int.TryParse(server[(colon + 1)..], out var port)
            ? (server[..colon].Trim('[', ']'), port)
            : (server, 9092);
    }
}

/// <summary>The outcome of <see cref="KafkaConnectivityCheck"/>.</summary>
public sealed record ConnectivityReport(bool Ok, IReadOnlyList<CheckStep> Steps, string? FailedStep, string? Failure,
    IReadOnlyList<PartitionState> Partitions, string ConsumerGroup)
{
    internal static ConnectivityReport Failed(IReadOnlyList<CheckStep> steps, string step, string failure) => new(false, steps, step, failure, [], "");
}

public sealed record CheckStep(string Step, string Detail);

/// <summary>One partition: watermarks, the group's committed offset (null: none yet) and lag.</summary>
public sealed record PartitionState(string Topic, int Partition, long Low, long High, long? Committed, long Lag);
