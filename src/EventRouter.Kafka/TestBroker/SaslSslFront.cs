using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EventRouter.Kafka.TestBroker;

/// <summary>What a <see cref="SaslSslFront"/> accepts.</summary>
public sealed class SaslSslFrontOptions
{
    /// <summary>User name → password. PLAIN compares the password; SCRAM keeps only the derived credential.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();

    /// <summary>The mechanisms offered (wire names, <see cref="SaslMechanismNames"/>); default all three.</summary>
    public IReadOnlyList<string> Mechanisms { get; init; } = SaslMechanismNames.All;

    /// <summary>The CA and broker certificate; default a new pair for 127.0.0.1 and localhost. The front disposes them.</summary>
    public TestCertificates? Certificates { get; init; }

    /// <summary>The host name the front listens on and the mock advertises.</summary>
    public string Host { get; init; } = "127.0.0.1";
}

/// <summary>
/// A TLS + SASL front for librdkafka's mock cluster, which speaks neither: one TLS listener per
/// mock broker on a free loopback port; the mock is told to advertise these ports
/// (<c>rd_kafka_mock_broker_set_host_port</c>), so clients bootstrap and reconnect to leaders
/// through the front. Before a connection is authenticated the front itself answers SaslHandshake
/// and SaslAuthenticate (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), relays ApiVersions to the mock with
/// the SASL APIs added, and closes the connection on any other request; after it, bytes are relayed
/// to the mock broker unchanged.
/// </summary>
/// <remarks>
/// Test support, used by the integration tests and <c>eventrouter dev</c>; nothing in the worker's
/// consume path references it. It is our code, not Kafka's: it shows that EventRouter's clients
/// speak SASL_SSL as librdkafka does, not that a particular broker accepts them (docs/guarantees.md).
/// </remarks>
public sealed class SaslSslFront : IAsyncDisposable, IDisposable
{
    /// <summary>The largest request accepted before authentication (Kafka's own limit is 512 KiB: sasl.server.max.receive.size).</summary>
    internal const int MaxUnauthenticatedFrame = 512 * 1024;

    private static readonly TimeSpan AuthenticationTimeout = TimeSpan.FromSeconds(30);

    private readonly SaslSslFrontOptions _options;
    private readonly SslStreamCertificateContext _certificate;
    private readonly Dictionary<string, (ScramCredential Sha256, ScramCredential Sha512)> _scram;
    private readonly List<BrokerListener> _brokers = [];
    private readonly ConcurrentDictionary<Socket, byte> _connections = new();
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _authenticated;
    private int _rejected;

    private SaslSslFront(IReadOnlyList<(int BrokerId, DnsEndPoint Upstream)> upstreams, SaslSslFrontOptions options)
    {
        _options = options;
        Certificates = options.Certificates ?? TestCertificates.Create();
        _certificate = SslStreamCertificateContext.Create(Certificates.Broker, new X509Certificate2Collection(Certificates.Ca), offline: true);
        // Stored as a broker stores them: salt, iterations, StoredKey, ServerKey per mechanism.
        _scram = options.Users.ToDictionary(u => u.Key, u => (
            ScramCredential.Create(HashAlgorithmName.SHA256, u.Value),
            ScramCredential.Create(HashAlgorithmName.SHA512, u.Value)), StringComparer.Ordinal);
        foreach (var (brokerId, upstream) in upstreams)
        {
            _brokers.Add(new BrokerListener(brokerId, upstream, Listen(options.Host, 0)));
        }
    }

    /// <summary>
    /// Starts a listener for each broker of <paramref name="upstreamBootstrap"/> (the mock's
    /// <c>host:port</c> list; broker ids 1, 2, ... in that order). The caller tells the mock to
    /// advertise <see cref="Brokers"/> (<see cref="MockKafkaCluster.AdvertiseBroker"/>), or uses
    /// <see cref="Start(MockKafkaCluster, SaslSslFrontOptions)"/>.
    /// </summary>
    public static SaslSslFront Start(string upstreamBootstrap, SaslSslFrontOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(upstreamBootstrap);
        var upstreams = upstreamBootstrap.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select((server, index) =>
            {
                var colon = server.LastIndexOf(':');
                return (index + 1, new DnsEndPoint(server[..colon], int.Parse(server[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture)));
            }).ToList();
        var front = new SaslSslFront(upstreams, options);
        front.AcceptAll();
        return front;
    }

    /// <summary>Starts a front for an in-process mock cluster and makes the mock advertise it.</summary>
    public static SaslSslFront Start(MockKafkaCluster cluster, SaslSslFrontOptions options)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var front = Start(cluster.BootstrapServers, options);
        foreach (var broker in front.Brokers) cluster.AdvertiseBroker(broker.BrokerId, front.Host, broker.Port);
        return front;
    }

    /// <summary>The host clients connect to.</summary>
    public string Host => _options.Host;

    /// <summary>Each mock broker's id and the front's port for it.</summary>
    public IReadOnlyList<(int BrokerId, int Port)> Brokers => _brokers.Select(b => (b.BrokerId, b.Port)).ToList();

    /// <summary>The front's <c>host:port</c> list, for <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers => string.Join(",", _brokers.Select(b => $"{Host}:{b.Port}"));

    /// <summary>The certificates in use: trust <see cref="TestCertificates.CaPem"/>.</summary>
    public TestCertificates Certificates { get; }

    /// <summary>Connections that completed SASL authentication.</summary>
    public int AuthenticatedConnections => Volatile.Read(ref _authenticated);

    /// <summary>Connections the front closed before authentication: failed TLS handshake, wrong credentials or mechanism, a request out of turn (not clients that hung up).</summary>
    public int RejectedConnections => Volatile.Read(ref _rejected);

    /// <summary>Whether the listeners are accepting connections.</summary>
    public bool IsUp { get; private set; } = true;

    /// <summary>
    /// Takes the front away: stops listening and closes every connection, as a TLS terminator or
    /// load balancer that goes away does. The mock behind it keeps running.
    /// </summary>
    public void SetDown()
    {
        lock (_gate)
        {
            if (!IsUp) return;
            IsUp = false;
            foreach (var broker in _brokers) broker.Listener.Dispose();
            foreach (var connection in _connections.Keys) CloseQuietly(connection);
        }
    }

    /// <summary>Listens again on the same ports.</summary>
    public void SetUp()
    {
        lock (_gate)
        {
            if (IsUp) return;
            foreach (var broker in _brokers) broker.Listener = Listen(Host, broker.Port);
            IsUp = true;
            AcceptAll();
        }
    }

    private void AcceptAll()
    {
        foreach (var broker in _brokers)
        {
            var listener = broker.Listener;
            _ = Task.Run(() => AcceptLoopAsync(broker, listener));
        }
    }

    private async Task AcceptLoopAsync(BrokerListener broker, Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return; // SetDown or Dispose
            }
            _connections[client] = 0;
            _ = Task.Run(() => ServeAsync(broker, client));
        }
    }

    private async Task ServeAsync(BrokerListener broker, Socket client)
    {
        Socket? upstream = null;
        try
        {
            client.NoDelay = true;
            await using var tls = new SslStream(new NetworkStream(client, ownsSocket: false), leaveInnerStreamOpen: false);
            using var authenticating = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            authenticating.CancelAfter(AuthenticationTimeout);
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = _certificate,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificateRequired = false,
                }, authenticating.Token).ConfigureAwait(false);
                upstream = await AuthenticateAsync(broker, tls, authenticating.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or FormatException)
            {
                // A TLS handshake that failed (plaintext spoken to this port, a client that distrusts
                // the certificate) or a malformed request.
                Interlocked.Increment(ref _rejected);
                upstream?.Dispose();
                upstream = null;
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // The client went away mid-way (a client being disposed does), or the mock is down.
                upstream?.Dispose();
                upstream = null;
            }

            if (upstream is null) return;

            Interlocked.Increment(ref _authenticated);
            _connections[upstream] = 0;
            await using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
            // Either side closing ends the relay; the finally closes the other.
            await Task.WhenAny(
                tls.CopyToAsync(upstreamStream, _stopping.Token),
                upstreamStream.CopyToAsync(tls, _stopping.Token)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // A connection going away is this class's everyday business.
        }
        finally
        {
            if (upstream is not null)
            {
                _connections.TryRemove(upstream, out _);
                CloseQuietly(upstream);
            }
            _connections.TryRemove(client, out _);
            CloseQuietly(client);
        }
    }

    /// <summary>The pre-authentication conversation; the connected mock socket once authenticated, null when rejected.</summary>
    private async Task<Socket?> AuthenticateAsync(BrokerListener broker, SslStream tls, CancellationToken cancellationToken)
    {
        Socket? upstream = null;
        ISaslServerExchange? exchange = null;
        try
        {
            while (true)
            {
                var frame = await KafkaWire.ReadFrameAsync(tls, MaxUnauthenticatedFrame, cancellationToken).ConfigureAwait(false);
                if (frame is null) break;
                var header = KafkaWire.ParseRequestHeader(frame);
                switch (header.ApiKey)
                {
                    case KafkaWire.ApiVersionsKey:
                        upstream ??= await ConnectUpstreamAsync(broker, cancellationToken).ConfigureAwait(false);
                        await using (var upstreamStream = new NetworkStream(upstream, ownsSocket: false))
                        {
                            await KafkaWire.WriteFrameAsync(upstreamStream, frame, cancellationToken).ConfigureAwait(false);
                            var response = await KafkaWire.ReadFrameAsync(upstreamStream, int.MaxValue, cancellationToken).ConfigureAwait(false)
                                ?? throw new IOException("the mock broker closed the connection");
                            var patched = KafkaWire.AddApiVersions(response, header.ApiVersion,
                            [
                                new(KafkaWire.SaslHandshakeKey, 0, KafkaWire.SaslHandshakeVersion),
                                new(KafkaWire.SaslAuthenticateKey, 0, KafkaWire.SaslAuthenticateMaxVersion),
                            ]);
                            await KafkaWire.WriteFrameAsync(tls, patched, cancellationToken).ConfigureAwait(false);
                        }
                        break;

                    case KafkaWire.SaslHandshakeKey when header.ApiVersion == KafkaWire.SaslHandshakeVersion && exchange is null:
                        var mechanism = KafkaWire.ParseSaslHandshake(frame, header);
                        var offered = _options.Mechanisms.Contains(mechanism, StringComparer.Ordinal);
                        await KafkaWire.WriteFrameAsync(tls, KafkaWire.SaslHandshakeResponse(header.CorrelationId,
                            offered ? KafkaWire.NoError : KafkaWire.UnsupportedSaslMechanism, _options.Mechanisms), cancellationToken).ConfigureAwait(false);
                        if (!offered) return Reject(upstream);
                        exchange = CreateExchange(mechanism);
                        break;

                    case KafkaWire.SaslAuthenticateKey when header.ApiVersion <= KafkaWire.SaslAuthenticateMaxVersion && exchange is not null:
                        var step = exchange.Next(KafkaWire.ParseSaslAuthenticate(frame, header));
                        var failed = step.Done && !step.Authenticated;
                        await KafkaWire.WriteFrameAsync(tls, KafkaWire.SaslAuthenticateResponse(header.CorrelationId, header.ApiVersion,
                            failed ? KafkaWire.SaslAuthenticationFailed : KafkaWire.NoError, failed ? step.Failure : null, step.Response), cancellationToken).ConfigureAwait(false);
                        if (failed) return Reject(upstream);
                        if (step.Authenticated)
                        {
                            return upstream ?? await ConnectUpstreamAsync(broker, cancellationToken).ConfigureAwait(false);
                        }
                        break;

                    default:
                        // Anything else before authentication: a broker closes the connection (IllegalSaslState).
                        return Reject(upstream);
                }
            }
        }
        catch
        {
            upstream?.Dispose();
            throw;
        }

        // End of stream before authenticating: the client gave up, nothing to count.
        upstream?.Dispose();
        return null;
    }

    private Socket? Reject(Socket? upstream)
    {
        Interlocked.Increment(ref _rejected);
        upstream?.Dispose();
        return null;
    }

    private ISaslServerExchange CreateExchange(string mechanism) => mechanism switch
    {
        SaslMechanismNames.Plain => new PlainServerExchange(_options.Users),
        SaslMechanismNames.ScramSha256 => new ScramServerExchange(HashAlgorithmName.SHA256, user => _scram.TryGetValue(user, out var c) ? c.Sha256 : null),
        _ => new ScramServerExchange(HashAlgorithmName.SHA512, user => _scram.TryGetValue(user, out var c) ? c.Sha512 : null),
    };

    private static async Task<Socket> ConnectUpstreamAsync(BrokerListener broker, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(broker.Upstream, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Socket Listen(string host, int port)
    {
        var address = IPAddress.TryParse(host, out var ip) ? ip : IPAddress.Loopback;
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // SetUp binds the same port again while the old connections may be in TIME_WAIT.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(128);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void CloseQuietly(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
        socket.Dispose();
    }

    public void Dispose()
    {
        _stopping.Cancel();
        SetDown();
        Certificates.Dispose();
        _stopping.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class BrokerListener(int brokerId, DnsEndPoint upstream, Socket listener)
    {
        public int BrokerId { get; } = brokerId;
        public DnsEndPoint Upstream { get; } = upstream;
        public int Port { get; } = ((IPEndPoint)listener.LocalEndPoint!).Port;
        public Socket Listener { get; set; } = listener;
    }
}
