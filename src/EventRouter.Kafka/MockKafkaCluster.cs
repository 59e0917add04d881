using System.Runtime.InteropServices;

namespace EventRouter.Kafka;

/// <summary>
/// librdkafka's built-in mock Kafka cluster: real TCP listeners on 127.0.0.1 (ephemeral ports) that
/// speak the Kafka protocol well enough for producing, consuming, consumer groups and offset commits.
/// Used by <c>eventrouter dev</c> and by the integration tests; any Kafka client (Confluent.Kafka,
/// <c>kcat</c>) can connect to <see cref="BootstrapServers"/>.
/// </summary>
/// <remarks>
/// What the mock does not do: SASL, TLS (put a <see cref="TestBroker.SaslSslFront"/> in front for those), topic creation through the Admin API (use
/// <see cref="CreateTopic"/>), DescribeGroups and ListGroups, offsets-for-times (it answers -1).
/// Each partition keeps only a few MiB, and a classic group's first join takes seconds (both in
/// docs/performance.md, "Limits and costs the code is sized by"); a
/// member that joins right after another left waits <c>session.timeout.ms</c> minus 1 s. Broker
/// ids are 1..<see cref="BrokerCount"/>.
/// </remarks>
public sealed unsafe class MockKafkaCluster : IDisposable
{
    private const int ErrorBufferSize = 512;
    private const int ProducerType = 0; // RD_KAFKA_PRODUCER

    private readonly Lock _gate = new();
    private nint _client;   // rd_kafka_t* that owns the mock cluster
    private nint _cluster;  // rd_kafka_mock_cluster_t*

    private static NativeApi? _api;

    /// <summary>Starts a mock cluster with <paramref name="brokerCount"/> brokers.</summary>
    /// <exception cref="KafkaNativeLibraryException">librdkafka could not be loaded.</exception>
    /// <exception cref="InvalidOperationException">librdkafka refused to create the cluster.</exception>
    public MockKafkaCluster(int brokerCount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        var api = _api ??= new NativeApi();
        BrokerCount = brokerCount;

        var conf = api.ConfNew();
        // The owning handle never connects anywhere; keep its own log quiet (errors only), otherwise
        // it warns that it has no bootstrap.servers.
        SetConf(api, conf, "client.id", "eventrouter-mock-cluster");
        SetConf(api, conf, "log_level", "3");

        var errstr = stackalloc byte[ErrorBufferSize];
        _client = api.New(ProducerType, conf, errstr, ErrorBufferSize);
        if (_client == 0)
        {
            api.ConfDestroy(conf); // not taken over on failure
            throw new InvalidOperationException($"librdkafka could not create the mock cluster's client: {ReadUtf8(errstr)}");
        }

        _cluster = api.MockClusterNew(_client, brokerCount);
        if (_cluster == 0)
        {
            api.Destroy(_client);
            _client = 0;
            throw new InvalidOperationException("librdkafka could not create the mock cluster.");
        }

        BootstrapServers = Marshal.PtrToStringUTF8(api.MockClusterBootstraps(_cluster))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");
    }

    /// <summary>Comma-separated <c>host:port</c> list of the brokers, e.g. <c>127.0.0.1:39015,127.0.0.1:41277</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>Number of brokers; their ids are 1 to <see cref="BrokerCount"/>.</summary>
    public int BrokerCount { get; }

    /// <summary>Creates <paramref name="name"/> with <paramref name="partitions"/> partitions. The name is used exactly as given.</summary>
    public void CreateTopic(string name, int partitions = 1, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        using var topic = new Utf8String(name);
        var err = WithCluster(cluster => _api!.MockTopicCreate(cluster, topic.Pointer, partitions, replicationFactor));
        ThrowIfError(err, $"create topic '{name}'");
    }

    /// <summary>
    /// Takes broker <paramref name="brokerId"/> down: its connections are closed and new ones refused.
    /// Leadership does not move, so partitions it leads are unavailable until <see cref="SetBrokerUp"/>.
    /// </summary>
    public void SetBrokerDown(int brokerId)
        => ThrowIfError(WithCluster(cluster => _api!.MockBrokerSetDown(cluster, brokerId)), $"take broker {brokerId} down");

    /// <summary>Brings broker <paramref name="brokerId"/> back up.</summary>
    public void SetBrokerUp(int brokerId)
        => ThrowIfError(WithCluster(cluster => _api!.MockBrokerSetUp(cluster, brokerId)), $"bring broker {brokerId} up");

    /// <summary>
    /// Makes broker <paramref name="brokerId"/> advertise <paramref name="host"/>:<paramref name="port"/>
    /// in metadata while it keeps listening where it was (librdkafka 2.10 and later): clients then
    /// reconnect through whatever listens there, such as a <see cref="TestBroker.SaslSslFront"/>.
    /// </summary>
    public void AdvertiseBroker(int brokerId, string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerId, 1);
        using var text = new Utf8String(host);
        WithCluster(cluster =>
        {
            _api!.MockBrokerSetHostPort(cluster, brokerId, text.Pointer, port);
            return 0;
        });
    }

    /// <summary>
    /// Makes the next <paramref name="errorCodes"/>.Length requests with Kafka API key
    /// <paramref name="apiKey"/> (e.g. 1 = Fetch, 8 = OffsetCommit) fail with those Kafka error codes, in order.
    /// </summary>
    public void PushRequestErrors(short apiKey, params int[] errorCodes)
    {
        ArgumentNullException.ThrowIfNull(errorCodes);
        var errors = (int[])errorCodes.Clone();
        WithCluster(cluster =>
        {
            fixed (int* p = errors)
            {
                _api!.MockPushRequestErrorsArray(cluster, apiKey, (nuint)errors.Length, p);
            }

            return 0;
        });
    }

    /// <summary>Stops the brokers (clients see disconnects) and frees the native cluster.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster != 0)
            {
                _api!.MockClusterDestroy(_cluster);
                _cluster = 0;
            }

            if (_client != 0)
            {
                _api!.Destroy(_client);
                _client = 0;
            }
        }
    }

    public override string ToString() => $"MockKafkaCluster({BrokerCount} broker(s) at {BootstrapServers})";

    private int WithCluster(Func<nint, int> action)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == 0, this);
            return action(_cluster);
        }
    }

    private static void SetConf(NativeApi api, nint conf, string name, string value)
    {
        var errstr = stackalloc byte[ErrorBufferSize];
        using var n = new Utf8String(name);
        using var v = new Utf8String(value);
        if (api.ConfSet(conf, n.Pointer, v.Pointer, errstr, ErrorBufferSize) != 0)
        {
            api.ConfDestroy(conf);
            throw new InvalidOperationException($"librdkafka rejected {name}: {ReadUtf8(errstr)}");
        }
    }

    private static void ThrowIfError(int err, string what)
    {
        if (err != 0)
        {
            var text = Marshal.PtrToStringUTF8(_api!.Err2Str(err));
            throw new InvalidOperationException($"Mock cluster could not {what}: {text} ({err}).");
        }
    }

    /// <summary>A NUL-terminated UTF-8 copy of a string in unmanaged memory.</summary>
    private readonly struct Utf8String(string value) : IDisposable
    {
        public nint Pointer { get; } = Marshal.StringToCoTaskMemUTF8(value);

        public void Dispose() => Marshal.FreeCoTaskMem(Pointer);
    }

    private static string ReadUtf8(byte* text) => Marshal.PtrToStringUTF8((nint)text) ?? string.Empty;

    /// <summary>Function pointers into the same librdkafka that Confluent.Kafka uses (see <see cref="KafkaNativeLibrary"/>).</summary>
    private sealed class NativeApi
    {
        public readonly delegate* unmanaged[Cdecl]<nint> ConfNew;
        public readonly delegate* unmanaged[Cdecl]<nint, void> ConfDestroy;
        public readonly delegate* unmanaged[Cdecl]<nint, nint, nint, byte*, nuint, int> ConfSet;
        public readonly delegate* unmanaged[Cdecl]<int, nint, byte*, nuint, nint> New;
        public readonly delegate* unmanaged[Cdecl]<nint, void> Destroy;
        public readonly delegate* unmanaged[Cdecl]<int, nint> Err2Str;
        public readonly delegate* unmanaged[Cdecl]<nint, int, nint> MockClusterNew;
        public readonly delegate* unmanaged[Cdecl]<nint, void> MockClusterDestroy;
        public readonly delegate* unmanaged[Cdecl]<nint, nint> MockClusterBootstraps;
        public readonly delegate* unmanaged[Cdecl]<nint, nint, int, int, int> MockTopicCreate;
        public readonly delegate* unmanaged[Cdecl]<nint, int, int> MockBrokerSetDown;
        public readonly delegate* unmanaged[Cdecl]<nint, int, int> MockBrokerSetUp;
        public readonly delegate* unmanaged[Cdecl]<nint, short, nuint, int*, void> MockPushRequestErrorsArray;
        public readonly delegate* unmanaged[Cdecl]<nint, int, nint, int, void> MockBrokerSetHostPort;

        public NativeApi()
        {
            ConfNew = (delegate* unmanaged[Cdecl]<nint>)KafkaNativeLibrary.GetExport("rd_kafka_conf_new");
            ConfDestroy = (delegate* unmanaged[Cdecl]<nint, void>)KafkaNativeLibrary.GetExport("rd_kafka_conf_destroy");
            ConfSet = (delegate* unmanaged[Cdecl]<nint, nint, nint, byte*, nuint, int>)KafkaNativeLibrary.GetExport("rd_kafka_conf_set");
            New = (delegate* unmanaged[Cdecl]<int, nint, byte*, nuint, nint>)KafkaNativeLibrary.GetExport("rd_kafka_new");
            Destroy = (delegate* unmanaged[Cdecl]<nint, void>)KafkaNativeLibrary.GetExport("rd_kafka_destroy");
            Err2Str = (delegate* unmanaged[Cdecl]<int, nint>)KafkaNativeLibrary.GetExport("rd_kafka_err2str");
            MockClusterNew = (delegate* unmanaged[Cdecl]<nint, int, nint>)KafkaNativeLibrary.GetExport("rd_kafka_mock_cluster_new");
            MockClusterDestroy = (delegate* unmanaged[Cdecl]<nint, void>)KafkaNativeLibrary.GetExport("rd_kafka_mock_cluster_destroy");
            MockClusterBootstraps = (delegate* unmanaged[Cdecl]<nint, nint>)KafkaNativeLibrary.GetExport("rd_kafka_mock_cluster_bootstraps");
            MockTopicCreate = (delegate* unmanaged[Cdecl]<nint, nint, int, int, int>)KafkaNativeLibrary.GetExport("rd_kafka_mock_topic_create");
            MockBrokerSetDown = (delegate* unmanaged[Cdecl]<nint, int, int>)KafkaNativeLibrary.GetExport("rd_kafka_mock_broker_set_down");
            MockBrokerSetUp = (delegate* unmanaged[Cdecl]<nint, int, int>)KafkaNativeLibrary.GetExport("rd_kafka_mock_broker_set_up");
            MockPushRequestErrorsArray = (delegate* unmanaged[Cdecl]<nint, short, nuint, int*, void>)KafkaNativeLibrary.GetExport("rd_kafka_mock_push_request_errors_array");
            MockBrokerSetHostPort = (delegate* unmanaged[Cdecl]<nint, int, nint, int, void>)KafkaNativeLibrary.GetExport("rd_kafka_mock_broker_set_host_port");
        }
    }
}
