using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventRouter.Kafka;
using EventRouter.Kafka.TestBroker;
using Xunit.Abstractions;
using static EventRouter.IntegrationTests.Kafka.KafkaTestKit;

namespace EventRouter.IntegrationTests.Security;

/// <summary>
/// The TLS + SASL front over librdkafka's mock cluster, with two independent clients: Confluent.Kafka
/// 2.16 (librdkafka 2.16, ours) and kcat (Debian's, on librdkafka 2.0.2). Three brokers, so clients
/// must follow metadata to each partition's leader through the front.
/// </summary>
public sealed class SaslSslFrontTests(ITestOutputHelper output) : IDisposable
{
    private const string User = "eventrouter";
    private const string Password = "front-Pa55-3c9d";

    private readonly MockKafkaCluster _cluster = new(brokerCount: 3);
    private readonly List<IDisposable> _disposables = [];

    private SaslSslFront StartFront(IReadOnlyList<string>? mechanisms = null, TestCertificates? certificates = null)
    {
        var front = SaslSslFront.Start(_cluster, new SaslSslFrontOptions
        {
            Users = new Dictionary<string, string> { [User] = Password },
            Mechanisms = mechanisms ?? SaslMechanismNames.All,
            Certificates = certificates,
        });
        _disposables.Add(front);
        return front;
    }

    /// <summary>
    /// Asks for metadata, which must fail, and returns the errors librdkafka reported meanwhile
    /// (also written to the test output).
    /// </summary>
    private (KafkaException Failure, ConcurrentQueue<Error> Errors) MetadataFails(ClientConfig config)
    {
        // librdkafka calls the error handler on its own thread while the test reads.
        var errors = new ConcurrentQueue<Error>();
        KafkaNativeLibrary.EnsureLoaded();
        using var admin = new AdminClientBuilder(config).SetErrorHandler((_, e) => errors.Enqueue(e)).SetLogHandler((_, _) => { }).Build();
        var failure = Assert.Throws<KafkaException>(() => admin.GetMetadata(TimeSpan.FromSeconds(10)));
        output.WriteLine(string.Join("\n", errors.Select(e => $"{e.Code}: {e.Reason}")));
        return (failure, errors);
    }

    private static ClientConfig SaslSsl(SaslSslFront front, SaslMechanism mechanism, string password = Password) => new()
    {
        BootstrapServers = front.BootstrapServers,
        SecurityProtocol = SecurityProtocol.SaslSsl,
        SaslMechanism = mechanism,
        SaslUsername = User,
        SaslPassword = password,
        SslCaPem = front.Certificates.CaPem,
        SslEndpointIdentificationAlgorithm = SslEndpointIdentificationAlgorithm.Https,
        EnableSslCertificateVerification = true,
    };

    [Theory]
    [InlineData(SaslMechanism.Plain)]
    [InlineData(SaslMechanism.ScramSha256)]
    [InlineData(SaslMechanism.ScramSha512)]
    public async Task ConfluentKafka_ProduceAndConsumeThroughTheFront_EveryRecordRoundTripsAndMetadataNamesTheFront(SaslMechanism mechanism)
    {
        var front = StartFront();
        var topic = UniqueTopic("front");
        _cluster.CreateTopic(topic, partitions: 6);
        KafkaNativeLibrary.EnsureLoaded();

        using (var admin = new AdminClientBuilder(SaslSsl(front, mechanism)).SetLogHandler((_, _) => { }).Build())
        {
            var metadata = admin.GetMetadata(TimeSpan.FromSeconds(20));
            Assert.Equal(front.Brokers.Select(b => b.Port).Order(), metadata.Brokers.Select(b => b.Port).Order());
            Assert.All(metadata.Brokers, b => Assert.Equal("127.0.0.1", b.Host));
        }

        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig(SaslSsl(front, mechanism)) { Acks = Acks.All }).SetLogHandler((_, _) => { }).Build())
        {
            for (var i = 0; i < 60; i++) await producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
        }

        var seen = new HashSet<string>();
        using (var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig(SaslSsl(front, mechanism))
        {
            GroupId = UniqueGroup(),
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).SetLogHandler((_, _) => { }).Build())
        {
            consumer.Subscribe(topic);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (seen.Count < 60 && DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } result) seen.Add(result.Message.Value);
            }
            consumer.Commit();
            consumer.Close();
        }

        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"v{i}").ToHashSet(), seen);
        // Bootstrap, then a connection per leader for producer and consumer, all through the front.
        Assert.True(front.AuthenticatedConnections >= 3, $"{front.AuthenticatedConnections} authenticated connections");
        Assert.Equal(0, front.RejectedConnections);
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-512")]
    public async Task Kcat_ListProduceConsumeAsTheProvidersGuideWritesIt_WorksThroughTheFront(string mechanism)
    {
        var front = StartFront();
        var topic = UniqueTopic("kcat");
        _cluster.CreateTopic(topic, partitions: 3);
        var caFile = front.Certificates.WriteCaPem(Path.Combine(Path.GetTempPath(), $"front-ca-{Guid.NewGuid():N}.pem"));
        _disposables.Add(new DeleteFile(caFile));
        string[] connection = ["-b", front.BootstrapServers, "-X", "security.protocol=SASL_SSL", "-X", $"sasl.mechanism={mechanism}",
            "-X", $"sasl.username={User}", "-X", $"sasl.password={Password}", "-X", $"ssl.ca.location={caFile}"];

        var (listed, list) = await RunProcessAsync("kcat", [.. connection, "-L", "-J", "-t", topic]);
        var input = Path.Combine(Path.GetTempPath(), $"kcat-{Guid.NewGuid():N}.txt");
        await File.WriteAllLinesAsync(input, Enumerable.Range(0, 30).Select(i => $"line{i}"));
        _disposables.Add(new DeleteFile(input));
        var (produced, produceOutput) = await RunProcessAsync("kcat", [.. connection, "-P", "-t", topic, "-l", input]);
        var (consumed, consumeOutput) = await RunProcessAsync("kcat", [.. connection, "-C", "-t", topic, "-e", "-q", "-o", "beginning"]);

        output.WriteLine(list);
        Assert.True(listed == 0, list);
        // stdout's JSON, then stderr's log lines (kcat ends its JSON without a newline).
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(list[list.IndexOf('{', StringComparison.Ordinal)..]), new JsonReaderOptions { AllowMultipleValues = true });
        using var metadata = JsonDocument.ParseValue(ref reader);
        Assert.Equal(front.Brokers.Select(b => $"127.0.0.1:{b.Port}").Order(),
            metadata.RootElement.GetProperty("brokers").EnumerateArray().Select(b => b.GetProperty("name").GetString()!).Order());
        Assert.True(produced == 0, produceOutput);
        Assert.True(consumed == 0, consumeOutput);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"line{i}").Order(),
            consumeOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }

    [Theory]
    [InlineData(SaslMechanism.Plain)]
    [InlineData(SaslMechanism.ScramSha512)]
    public void ConfluentKafka_WrongPassword_AuthenticationFailsAndTheFrontRejects(SaslMechanism mechanism)
    {
        var front = StartFront();
        var (failure, errors) = MetadataFails(SaslSsl(front, mechanism, password: "wrong"));
        Assert.Contains(errors, e => e.Code == ErrorCode.SaslAuthenticationFailed || e.Code == ErrorCode.Local_Authentication);
        Assert.True(front.RejectedConnections > 0);
        Assert.Equal(0, front.AuthenticatedConnections);
        Assert.NotNull(failure);
    }

    [Fact]
    public void ConfluentKafka_MechanismTheFrontDoesNotOffer_FailsNamingWhatItOffers()
    {
        var front = StartFront(mechanisms: [SaslMechanismNames.ScramSha512]);
        var (_, errors) = MetadataFails(SaslSsl(front, SaslMechanism.Plain));
        Assert.Contains(errors, e => e.Reason.Contains("SCRAM-SHA-512", StringComparison.Ordinal));
        Assert.Equal(0, front.AuthenticatedConnections);
    }

    [Fact]
    public void ConfluentKafka_CertificateForAnotherHost_TlsFailsOnHostNameVerification()
    {
        var front = StartFront(certificates: TestCertificates.Create(["broker.example.invalid"]));
        var (_, errors) = MetadataFails(SaslSsl(front, SaslMechanism.ScramSha512));
        Assert.Contains(errors, e => e.Reason.Contains("certificate", StringComparison.OrdinalIgnoreCase) || e.Code == ErrorCode.Local_Ssl);
        Assert.Equal(0, front.AuthenticatedConnections);
    }

    [Fact]
    public async Task RawClient_MetadataRequestBeforeAuthenticating_ConnectionClosedWithoutAnAnswer()
    {
        var front = StartFront();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", front.Brokers[0].Port);
        await using var tls = new SslStream(tcp.GetStream());
        using var ca = front.Certificates.Ca;
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => errors == SslPolicyErrors.None || errors == SslPolicyErrors.RemoteCertificateChainErrors,
        });

        // Metadata v1 (api key 3), correlation id 1, client id "raw", all topics (-1).
        var request = new byte[] { 0, 0, 0, 15, 0, 3, 0, 1, 0, 0, 0, 1, 0, 3, (byte)'r', (byte)'a', (byte)'w', 0xFF, 0xFF, 0xFF, 0xFF };
        await tls.WriteAsync(request);
        var buffer = new byte[64];
        var read = await tls.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, read);
        await WaitUntilAsync(() => front.RejectedConnections == 1, "the front counts the rejected connection");
        Assert.Equal(0, front.AuthenticatedConnections);
    }

    [Fact]
    public void ConfluentKafka_FrontDownThenUp_ClientReconnectsThroughTheSamePorts()
    {
        var front = StartFront();
        KafkaNativeLibrary.EnsureLoaded();
        using var admin = new AdminClientBuilder(SaslSsl(front, SaslMechanism.ScramSha256)).SetLogHandler((_, _) => { }).Build();
        admin.GetMetadata(TimeSpan.FromSeconds(20));
        var before = front.AuthenticatedConnections;

        front.SetDown();
        Assert.Throws<KafkaException>(() => admin.GetMetadata(TimeSpan.FromSeconds(2)));
        front.SetUp();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(30));

        Assert.Equal(3, metadata.Brokers.Count);
        Assert.True(front.AuthenticatedConnections > before);
    }

    public void Dispose()
    {
        foreach (var disposable in _disposables) disposable.Dispose();
        _cluster.Dispose();
    }

    private sealed class DeleteFile(string path) : IDisposable
    {
        public void Dispose() => File.Delete(path);
    }
}
