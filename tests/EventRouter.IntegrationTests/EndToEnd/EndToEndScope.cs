using System.Text;
using Azure.Storage.Queues;
using Confluent.Kafka;
using EventRouter.Cli.Sandbox;
using EventRouter.Kafka;
using EventRouter.Kafka.TestBroker;
using EventRouter.Routing;

namespace EventRouter.IntegrationTests.EndToEnd;

/// <summary>
/// Everything one end-to-end test needs, unique to it: topics on a mock Kafka cluster, a consumer
/// group, queue names under a prefix, and the environment that points a worker process at them.
/// </summary>
internal sealed class EndToEndScope : IAsyncDisposable
{
    private readonly List<ProducedRecord> _produced = [];

    private EndToEndScope(MockKafkaProcess kafka, string storageConnectionString, int notificationsPartitions, int pricesPartitions, SaslSslAccess? saslSsl)
    {
        SaslSsl = saslSsl;
        NotificationsPartitions = notificationsPartitions;
        PricesPartitions = pricesPartitions;
        Kafka = kafka;
        StorageConnectionString = storageConnectionString;
        var id = Guid.NewGuid().ToString("N")[..8];
        Prefix = "e" + id;
        NotificationsTopic = $"Notifications-{id}";
        PricesTopic = $"Prices-{id}";
        ConsumerGroup = $"eventrouter-e2e-{id}";
        kafka.CreateTopic(NotificationsTopic, NotificationsPartitions);
        kafka.CreateTopic(PricesTopic, PricesPartitions);
        Queues = new QueueServiceClient(storageConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
    }

    /// <summary>
    /// A scope with its own topics. The mock cluster keeps only about 5 MB per partition, so a run of
    /// many events needs more partitions than the defaults (see <see cref="PartitionsFor"/>).
    /// </summary>
    /// <param name="saslSsl">Reach the mock through a <see cref="SaslSslFront"/> (which the mock advertises): every client of the scope, the worker's included, speaks SASL_SSL.</param>
    public static EndToEndScope Create(MockKafkaProcess kafka, string storageConnectionString, int notificationsPartitions = 4, int pricesPartitions = 2, SaslSslAccess? saslSsl = null)
        => new(kafka, storageConnectionString, notificationsPartitions, pricesPartitions, saslSsl);

    /// <summary>Null: plaintext to the mock. Otherwise SASL_SSL through the front with this mechanism and user.</summary>
    public SaslSslAccess? SaslSsl { get; }

    /// <summary>Where and how the scope's own clients (producer, group inspector) connect.</summary>
    private ClientConfig Connection() => SaslSsl is null
        ? new ClientConfig { BootstrapServers = Kafka.BootstrapServers }
        : new ClientConfig
        {
            BootstrapServers = SaslSsl.Front.BootstrapServers,
            SecurityProtocol = SecurityProtocol.SaslSsl,
            SaslMechanism = SaslSsl.Mechanism switch
            {
                KafkaSaslMechanism.Plain => SaslMechanism.Plain,
                KafkaSaslMechanism.ScramSha256 => SaslMechanism.ScramSha256,
                _ => SaslMechanism.ScramSha512,
            },
            SaslUsername = SaslSsl.Username,
            SaslPassword = SaslSsl.Password,
            SslCaPem = SaslSsl.Front.Certificates.CaPem,
        };

    /// <summary>
    /// Partitions that hold <paramref name="events"/> sample events within the mock's retention:
    /// at most 5,000 per Notifications partition (up to about 2.5 MB) and 20,000 per Prices
    /// partition (a fifth of the events, about 1.2 MB), never fewer than the defaults.
    /// </summary>
    public static (int Notifications, int Prices) PartitionsFor(int events)
        => (Math.Max(4, (events + 4_999) / 5_000), Math.Max(2, (events + 19_999) / 20_000));

    public int NotificationsPartitions { get; }
    public int PricesPartitions { get; }

    public MockKafkaProcess Kafka { get; }
    public string StorageConnectionString { get; set; }
    public string Prefix { get; }
    public string NotificationsTopic { get; }
    public string PricesTopic { get; }
    public string ConsumerGroup { get; }
    public QueueServiceClient Queues { get; }
    public IReadOnlyList<ProducedRecord> Produced => _produced;

    public string ExpectedQueue(ProducedRecord record) => record.Kind switch
    {
        ProducedKind.Malformed => $"{Prefix}-events-poison",
        ProducedKind.Price => $"{Prefix}-prices",
        ProducedKind.Unrouted => $"{Prefix}-events-unrouted",
        _ => RoutingDefaults.CategoryQueueName(record.Category!, $"{Prefix}-events-"),
    };

    public Dictionary<string, string> WorkerEnvironment(string? storageConnectionString = null)
    {
        var environment = PlaintextWorkerEnvironment(storageConnectionString);
        if (SaslSsl is not null)
        {
            environment.Remove("Kafka__AllowPlaintext");
            environment["Kafka__BootstrapServers"] = SaslSsl.Front.BootstrapServers;
            environment["Kafka__SecurityProtocol"] = "SaslSsl";
            environment["Kafka__SaslMechanism"] = SaslSsl.Mechanism.ToString();
            environment["Kafka__Username"] = SaslSsl.Username;
            environment["Kafka__Password"] = SaslSsl.Password;
            environment["Kafka__SslCaPem"] = SaslSsl.Front.Certificates.CaPem;
        }
        return environment;
    }

    private Dictionary<string, string> PlaintextWorkerEnvironment(string? storageConnectionString) => new()
    {
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["Kafka__BootstrapServers"] = Kafka.BootstrapServers,
        ["Kafka__SecurityProtocol"] = "Plaintext",
        ["Kafka__AllowPlaintext"] = "true",
        ["Kafka__ConsumerGroup"] = ConsumerGroup,
        ["Kafka__Topics__Notifications"] = NotificationsTopic,
        ["Kafka__Topics__Prices"] = PricesTopic,
        ["Kafka__Consumer__session.timeout.ms"] = "6000",
        ["Kafka__RetryDelay"] = "00:00:00.500",
        ["Kafka__RetryMaxDelay"] = "00:00:02",
        ["EventStorage"] = storageConnectionString ?? StorageConnectionString,
        ["Routing__CategoryQueuePrefix"] = $"{Prefix}-events-",
        ["Routing__PricesQueue"] = $"{Prefix}-prices",
        ["Routing__UnroutedQueue"] = $"{Prefix}-events-unrouted",
        ["Routing__PoisonQueue"] = $"{Prefix}-events-poison",
        ["Delivery__MaxRetries"] = "2",
        ["Delivery__RetryDelay"] = "00:00:00.100",
        ["Delivery__MaxRetryDelay"] = "00:00:00.500",
        ["Delivery__NetworkTimeout"] = "00:00:05",
        ["Processing__Archive"] = "false",
    };

    /// <summary>Produces <paramref name="count"/> sample events (<paramref name="malformedShare"/> malformed) and records where each landed.</summary>
    public void Produce(int count, double malformedShare, int seed)
    {
        var generator = new SampleEventGenerator(seed, malformedShare);
        KafkaNativeLibrary.EnsureLoaded();
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig(Connection())
        {
            LingerMs = 5,
            Acks = Acks.All,
        }).Build();
        var pending = new List<(SampleMessage Sample, Task<DeliveryResult<byte[]?, byte[]?>> Delivery)>(count);
        for (var i = 0; i < count; i++)
        {
            var sample = generator.Next();
            var headers = new Headers();
            foreach (var (name, value) in sample.Headers) headers.Add(name, value);
            var topic = sample.Topic == SampleTopic.Prices ? PricesTopic : NotificationsTopic;
            pending.Add((sample, producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Key = sample.Key, Value = sample.Value, Headers = headers })));
        }
        producer.Flush(TimeSpan.FromSeconds(60));
        foreach (var (sample, delivery) in pending)
        {
            var result = delivery.GetAwaiter().GetResult();
            _produced.Add(new ProducedRecord(result.Topic, result.Partition.Value, result.Offset.Value, sample.Value, Classify(sample)));
        }
    }

    /// <summary>
    /// Produces valid events to Notifications that the router must not route to a category queue:
    /// <paramref name="unrouted"/> of an unknown category (to <c>events-unrouted</c>) and
    /// <paramref name="oversized"/> USER events above the 48 KiB a queue message holds (to
    /// <c>events-user</c> with the event in a blob).
    /// </summary>
    public void ProduceUnroutedAndOversized(int unrouted, int oversized)
    {
        KafkaNativeLibrary.EnsureLoaded();
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig(Connection()) { Acks = Acks.All, MessageMaxBytes = 1_000_000 }).Build();
        var pending = new List<(byte[] Value, ProducedKind Kind, Task<DeliveryResult<byte[]?, byte[]?>> Delivery)>();
        for (var i = 0; i < unrouted + oversized; i++)
        {
            var isUnrouted = i < unrouted;
            var padding = isUnrouted ? "" : new string('x', 60_000);
            var value = Encoding.UTF8.GetBytes(
                $$$"""{"id":"{{{Guid.NewGuid()}}}","created_at":"2026-12-03T06:00:00Z","type":"{{{(isUnrouted ? "WIDGET.CREATED" : "USER.CREATED")}}}","object":{"n":{{{i}}},"padding":"{{{padding}}}"}}""");
            pending.Add((value, isUnrouted ? ProducedKind.Unrouted : ProducedKind.Oversized,
                producer.ProduceAsync(NotificationsTopic, new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes($"special-{i}"), Value = value })));
        }
        producer.Flush(TimeSpan.FromSeconds(60));
        foreach (var (value, kind, delivery) in pending)
        {
            var result = delivery.GetAwaiter().GetResult();
            _produced.Add(new ProducedRecord(result.Topic, result.Partition.Value, result.Offset.Value, value, (kind, kind == ProducedKind.Oversized ? "USER" : null)));
        }
    }

    /// <summary>The group's committed offset per partition equals the end offset for every partition of both topics.</summary>
    public bool AllCommitted(out string detail)
    {
        using var consumer = CreateGroupInspector();
        var committed = consumer.Committed(AllPartitions(), TimeSpan.FromSeconds(10));
        var lines = new List<string>();
        var all = true;
        foreach (var tpo in committed)
        {
            var watermarks = consumer.QueryWatermarkOffsets(tpo.TopicPartition, TimeSpan.FromSeconds(10));
            var end = watermarks.High.Value;
            // An empty partition has nothing to commit.
            all &= tpo.Offset.Value == end || (tpo.Offset == Offset.Unset && end == watermarks.Low.Value);
            lines.Add($"{tpo.Topic}/{tpo.Partition.Value}: committed {tpo.Offset.Value}, end {end}");
        }
        detail = string.Join("; ", lines);
        return all;
    }

    /// <summary>A consumer of the router's group that never joins it: reads committed offsets and watermarks.</summary>
    private IConsumer<byte[], byte[]> CreateGroupInspector()
    {
        KafkaNativeLibrary.EnsureLoaded();
        return new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig(Connection())
        {
            GroupId = ConsumerGroup,
            EnableAutoCommit = false,
        }).SetLogHandler((_, _) => { }).Build();
    }

    /// <summary>Every partition of both topics.</summary>
    private List<TopicPartition> AllPartitions()
        => new[] { (NotificationsTopic, NotificationsPartitions), (PricesTopic, PricesPartitions) }
            .SelectMany(t => Enumerable.Range(0, t.Item2).Select(p => new TopicPartition(t.Item1, p))).ToList();

    /// <summary>How many records of both topics the group has committed (committed offset minus the partition's start).</summary>
    public long CommittedRecords()
    {
        using var consumer = CreateGroupInspector();
        long total = 0;
        foreach (var tpo in consumer.Committed(AllPartitions(), TimeSpan.FromSeconds(10)))
        {
            if (tpo.Offset.IsSpecial) continue;
            total += tpo.Offset.Value - consumer.QueryWatermarkOffsets(tpo.TopicPartition, TimeSpan.FromSeconds(10)).Low.Value;
        }
        return total;
    }

    /// <summary>Per partition of both topics: the group's committed offset (null: none yet) and the end offset.</summary>
    public Dictionary<(string Topic, int Partition), (long? Committed, long End)> PartitionProgress()
    {
        using var consumer = CreateGroupInspector();
        return consumer.Committed(AllPartitions(), TimeSpan.FromSeconds(10)).ToDictionary(
            tpo => (tpo.Topic, tpo.Partition.Value),
            tpo => (tpo.Offset.IsSpecial ? (long?)null : tpo.Offset.Value, consumer.QueryWatermarkOffsets(tpo.TopicPartition, TimeSpan.FromSeconds(10)).High.Value));
    }

    /// <summary>Waits until the group has committed at least <paramref name="records"/> records.</summary>
    public async Task WaitForCommittedAsync(long records, TimeSpan timeout, WorkerProcess worker)
    {
        var deadline = DateTime.UtcNow + timeout;
        long committed;
        while ((committed = CommittedRecords()) < records)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Only {committed} records committed within {timeout}.\nWorker output:\n{worker.OutputText}");
            await Task.Delay(200);
        }
    }

    public async Task WaitUntilAllCommittedAsync(TimeSpan timeout, WorkerProcess? worker = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        string detail;
        while (!AllCommitted(out detail))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Offsets not committed within {timeout}: {detail}\nWorker output:\n{worker?.OutputText}");
            await Task.Delay(500);
        }
    }

    /// <summary>Messages routed so far: those in the scope's queues, plus those <paramref name="drain"/> took out.</summary>
    public async Task<int> CountMessagesAsync(QueueDrain? drain = null)
    {
        var total = drain?.Count ?? 0;
        await foreach (var queue in Queues.GetQueuesAsync(prefix: Prefix))
        {
            total += (await Queues.GetQueueClient(queue.Name).GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }
        return total;
    }

    /// <summary>
    /// Waits until the worker has visibly routed at least <paramref name="messages"/> messages, or
    /// has committed every record (a fast router may finish before a fault's effects are measured).
    /// </summary>
    public async Task WaitForProgressAsync(int messages, TimeSpan timeout, WorkerProcess worker, QueueDrain? drain = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        for (var round = 0; ; round++)
        {
            var total = await CountMessagesAsync(drain);
            if (total >= messages || (round % 5 == 4 && AllCommitted(out _))) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Only {total} messages routed within {timeout}.\nWorker output:\n{worker.OutputText}");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Takes the scope's messages out of the queues while the router writes them (see
    /// <see cref="QueueDrain"/>); pass it to <see cref="ReconcileAsync"/> at the end.
    /// </summary>
    public QueueDrain StartDrain() => QueueDrain.Start(Queues, Prefix);

    /// <summary>
    /// Every produced record is in exactly its expected queue (possibly more than once), poison with
    /// its original bytes. Reads what <paramref name="drain"/> took (and the rest), or, without one,
    /// the queues now.
    /// </summary>
    public async Task<Reconciliation> ReconcileAsync(QueueDrain? drain = null)
    {
        var reconciliation = drain is null ? await Reconciliation.ReadAsync(Queues, Prefix) : Reconciliation.From(await drain.StopAsync());
        var missing = new List<string>();
        foreach (var record in _produced)
        {
            var found = reconciliation.Find(record.Topic, record.Partition, record.Offset);
            if (found.Count == 0)
            {
                missing.Add($"{record.Topic}/{record.Partition}@{record.Offset}");
                continue;
            }
            var expectedQueue = ExpectedQueue(record);
            Assert.All(found, f => Assert.Equal(expectedQueue, f.Queue));
            if (record.Kind == ProducedKind.Malformed)
            {
                var value = found[0].Message.GetProperty("value");
                if (record.Value is null) Assert.Equal(System.Text.Json.JsonValueKind.Null, value.ValueKind);
                else Assert.Equal(record.Value, value.GetBytesFromBase64());
            }
            else if (record.Kind == ProducedKind.Oversized)
            {
                // Too large for a queue message: the event is in a blob the message names.
                Assert.StartsWith("events/", found[0].Message.GetProperty("eventBlob").GetString(), StringComparison.Ordinal);
                Assert.False(found[0].Message.TryGetProperty("event", out _));
            }
            else
            {
                Assert.Equal(Encoding.UTF8.GetString(record.Value!), found[0].Message.GetProperty("event").GetRawText());
            }
        }
        Assert.True(missing.Count == 0, $"{missing.Count} records lost, e.g. {string.Join(", ", missing.Take(5))}");
        Assert.Equal(_produced.Count, reconciliation.RecordCount);
        return reconciliation;
    }

    // From what the generator says it made, not from the router's own validator.
    private static (ProducedKind Kind, string? Category) Classify(SampleMessage sample) => sample switch
    {
        { Malformation: not null } => (ProducedKind.Malformed, null),
        { Topic: SampleTopic.Prices } => (ProducedKind.Price, null),
        _ => (ProducedKind.Event, sample.Type!.Split('.')[0]),
    };

    public async ValueTask DisposeAsync()
    {
        try
        {
            await foreach (var queue in Queues.GetQueuesAsync(prefix: Prefix)) await Queues.DeleteQueueAsync(queue.Name);
        }
        catch (Exception)
        {
            // Storage may be down in a fault test; the emulator's folder is deleted anyway.
        }
    }
}

internal enum ProducedKind { Event, Price, Malformed, Unrouted, Oversized }

/// <summary>How an end-to-end scope reaches the mock over SASL_SSL: the front, a mechanism and a user it knows.</summary>
internal sealed record SaslSslAccess(SaslSslFront Front, KafkaSaslMechanism Mechanism, string Username, string Password);

internal sealed record ProducedRecord(string Topic, int Partition, long Offset, byte[]? Value, (ProducedKind Kind, string? Category) Classification)
{
    public ProducedKind Kind => Classification.Kind;
    public string? Category => Classification.Category;
}
