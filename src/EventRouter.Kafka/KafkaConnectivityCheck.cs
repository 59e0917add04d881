using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Confluent.Kafka;
using EventRouter.Configuration;
using Microsoft.Extensions.Options;

namespace EventRouter.Kafka;

/// <summary>
/// What <c>eventrouter check</c> does, like <c>kcat -L</c> with the configured settings, one step
/// at a time: DNS, TCP, TLS, SASL, metadata, topics, group. The first failing step is reported with
/// a message that names the setting to look at; <c>eventrouter run</c> runs the same steps up to
/// metadata before it starts (<see cref="RunAsync"/> with <c>quick</c>).
/// </summary>
/// <remarks>
/// No message is ever built from the password, so none can contain it, and nothing needs masking.
/// librdkafka's own error texts are not passed on: they are matched against known phrases and the
/// check says what it found in its own words (<see cref="ClassifyClientErrors"/>). Replacing the
/// password's text in foreign output would be an oracle: with the password <c>p</c> it turned
/// "transport failure" into "trans***ort failure", telling the reader the password.
/// TLS is checked by .NET against the same trust librdkafka gets (<c>Kafka:SslCaPem</c>, or the
/// system trust store when it is not set) so that a certificate problem is named precisely.
/// </remarks>
public sealed class KafkaConnectivityCheck
{
    /// <summary>The step names, in the order they run.</summary>
    public static class Steps
    {
        public const string Dns = "DNS";
        public const string Tcp = "TCP";
        public const string Tls = "TLS";
        public const string Sasl = "SASL";
        public const string Metadata = "Metadata";
        public const string Topics = "Topics";
        public const string Group = "Group";
    }

    /// <summary>SASL mechanism names librdkafka may list as a broker's; the only words taken from its texts.</summary>
    private static readonly string[] KnownMechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "GSSAPI", "OAUTHBEARER"];

    private readonly KafkaOptions _options;
    private readonly KafkaClientConfigFactory _configs;

    internal KafkaConnectivityCheck(IOptions<KafkaOptions> options, KafkaClientConfigFactory configs)
    {
        _options = options.Value;
        _configs = configs;
    }

    /// <summary>Runs the steps until one fails.</summary>
    /// <param name="stepTimeout">How long each step may take.</param>
    /// <param name="quick">Stop after metadata (what <c>run</c> checks at start).</param>
    public async Task<ConnectivityReport> RunAsync(TimeSpan stepTimeout, bool quick = false, CancellationToken cancellationToken = default)
    {
        var steps = new List<CheckStep>();
        if (!KafkaOptionsParsing.TryParseSecurityProtocol(_options.SecurityProtocol, out var protocol))
            throw new InvalidOperationException($"{KafkaSettingNames.SecurityProtocol} is not valid; validate KafkaOptions first.");
        var servers = (_options.BootstrapServers ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(SplitHostPort).ToList();

        // DNS and TCP for each bootstrap server; TLS on the first that accepts a connection.
        var resolved = new List<(string Host, int Port, IPAddress[] Addresses)>();
        foreach (var (host, port) in servers)
        {
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
                if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
                resolved.Add((host, port, addresses));
            }
            catch (SocketException ex)
            {
                return Failed(steps, Steps.Dns, $"cannot resolve {host} ({KafkaSettingNames.BootstrapServers}): {ex.SocketErrorCode}");
            }
        }
        steps.Add(CheckStep.Ok(Steps.Dns, string.Join("; ", resolved.Select(r => $"{r.Host} → {string.Join(", ", r.Addresses.Take(3))}"))));

        foreach (var (host, port, addresses) in resolved)
        {
            var why = await ConnectAsync(addresses, port, stepTimeout, cancellationToken).ConfigureAwait(false);
            if (why is not null) return Failed(steps, Steps.Tcp, $"cannot connect to {host}:{port} ({KafkaSettingNames.BootstrapServers}): {why}");
        }
        steps.Add(CheckStep.Ok(Steps.Tcp, string.Join(", ", resolved.Select(r => $"{r.Host}:{r.Port}")) + " accept connections"));

        var first = resolved[0];
        if (protocol.UsesTls())
        {
            var tls = await ProbeTlsAsync(first.Host, first.Addresses, first.Port, _options.SslCaPem, stepTimeout, cancellationToken).ConfigureAwait(false);
            if (!tls.Ok) return Failed(steps, Steps.Tls, tls.Detail);
            steps.Add(CheckStep.Ok(Steps.Tls, tls.Detail));
        }
        else
        {
            steps.Add(CheckStep.NotUsed(Steps.Tls, $"{KafkaSettingNames.SecurityProtocol} is {protocol}"));
        }

        // SASL and metadata: librdkafka, with exactly the worker's connection settings.
        var errors = new ConcurrentQueue<Error>();
        var logs = new ConcurrentQueue<string>();
        KafkaNativeLibrary.EnsureLoaded();
        var adminConfig = _configs.CreateAdminConfig("eventrouter-check");
        using var admin = new AdminClientBuilder(adminConfig)
            .SetErrorHandler((_, error) => errors.Enqueue(error))
            .SetLogHandler((_, log) => { if (log.Level <= SyslogLevel.Warning) logs.Enqueue(log.Message); })
            .Build();
        Metadata metadata;
        try
        {
            metadata = admin.GetMetadata(stepTimeout);
        }
        catch (KafkaException ex)
        {
            var found = ClassifyClientErrors(_options, protocol, [ex.Error, .. errors], logs);
            if (found.Step == Steps.Metadata && !protocol.UsesTls()
                && (await ProbeTlsAsync(first.Host, first.Addresses, first.Port, null, stepTimeout, cancellationToken).ConfigureAwait(false)).SpeaksTls)
            {
                return Failed(steps, Steps.Tls, $"{first.Host}:{first.Port} speaks TLS but {KafkaSettingNames.SecurityProtocol} is {protocol}; use SaslSsl (or Ssl)");
            }
            return Failed(steps, found.Step, found.Detail);
        }

        steps.Add(protocol.UsesSasl()
            ? CheckStep.Ok(Steps.Sasl, $"{MechanismName(_options)} as '{_options.Username}' accepted")
            : CheckStep.NotUsed(Steps.Sasl, $"{KafkaSettingNames.SecurityProtocol} is {protocol}"));
        steps.Add(CheckStep.Ok(Steps.Metadata, $"{metadata.Brokers.Count} broker(s) answered over {protocol}: " +
            string.Join(", ", metadata.Brokers.OrderBy(b => b.BrokerId).Select(b => $"{b.BrokerId} at {b.Host}:{b.Port}"))));
        if (quick) return new ConnectivityReport(true, steps, null, null, [], _options.ConsumerGroup);

        var topics = _options.EnabledTopics();
        var partitionsByTopic = new List<(string Topic, List<TopicPartition> Partitions)>();
        foreach (var (setting, topic) in topics)
        {
            var found = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
            if (found is null || found.Error.Code == ErrorCode.UnknownTopicOrPart || found.Partitions.Count == 0)
            {
                return Failed(steps, Steps.Topics, $"topic '{topic}' ({setting}) does not exist, or " +
                    (protocol.UsesSasl() ? $"user '{_options.Username}'" : "this client") + " may not describe it");
            }
            if (found.Error.IsError)
            {
                return Failed(steps, Steps.Topics, $"topic '{topic}' ({setting}): the broker answered {found.Error.Code}");
            }
            partitionsByTopic.Add((topic, found.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).OrderBy(tp => tp.Partition.Value).ToList()));
        }
        steps.Add(CheckStep.Ok(Steps.Topics, string.Join(", ", partitionsByTopic.Select(t => $"{t.Topic}: {t.Partitions.Count} partition(s)"))));

        // Watermarks need a consumer; it never joins a group (no subscribe), so a group id of its own
        // does no harm when Kafka:ConsumerGroup is not set.
        var group = string.IsNullOrWhiteSpace(_options.ConsumerGroup) ? null : _options.ConsumerGroup;
        var consumerConfig = _configs.CreateConsumerConfig(topics[0].Topic);
        consumerConfig.ClientId = "eventrouter-check";
        consumerConfig.GroupInstanceId = null; // never the worker's static member id, which it would fence
        consumerConfig.GroupId = group ?? "eventrouter-check-" + Guid.NewGuid().ToString("N");
        consumerConfig.EnableAutoCommit = false;
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(consumerConfig).SetLogHandler((_, _) => { }).Build();
        var partitions = new List<PartitionState>();
        foreach (var (topic, topicPartitions) in partitionsByTopic)
        {
            List<TopicPartitionOffset>? committed = null;
            if (group is not null)
            {
                try
                {
                    committed = consumer.Committed(topicPartitions, stepTimeout);
                }
                catch (KafkaException ex)
                {
                    return Failed(steps, Steps.Group, $"committed offsets of group '{group}' ({KafkaSettingNames.ConsumerGroup}) on '{topic}': the broker answered {ex.Error.Code}");
                }
            }
            foreach (var tp in topicPartitions)
            {
                WatermarkOffsets watermarks;
                try
                {
                    watermarks = consumer.QueryWatermarkOffsets(tp, stepTimeout);
                }
                catch (KafkaException ex)
                {
                    return Failed(steps, Steps.Topics, $"watermarks of {topic}/{tp.Partition.Value}: the broker answered {ex.Error.Code}");
                }
                var offset = committed?.First(c => c.TopicPartition == tp).Offset;
                long? committedOffset = offset is { IsSpecial: false } o ? o.Value : null;
                long? lag = group is null ? null : watermarks.High.Value - (committedOffset ?? watermarks.Low.Value);
                partitions.Add(new PartitionState(topic, tp.Partition.Value, watermarks.Low.Value, watermarks.High.Value, committedOffset, lag));
            }
        }
        steps.Add(group is null
            ? CheckStep.NotUsed(Steps.Group, $"{KafkaSettingNames.ConsumerGroup} is not set")
            : CheckStep.Ok(Steps.Group, $"'{group}': committed on {partitions.Count(p => p.Committed is not null)} of {partitions.Count} partition(s), lag {partitions.Sum(p => p.Lag ?? 0):N0}"));
        return new ConnectivityReport(true, steps, null, null, partitions, group);
    }

    /// <summary>
    /// Says which step librdkafka's errors point at, in the check's own words: only error codes,
    /// known phrases and known mechanism names are read from librdkafka's texts, never copied.
    /// </summary>
    internal static (string Step, string Detail) ClassifyClientErrors(KafkaOptions options, KafkaSecurityProtocol protocol, IReadOnlyList<Error> errors, IEnumerable<string> logs)
    {
        var texts = errors.Select(e => e.Reason ?? "").Concat(logs).ToList();
        bool Says(string phrase) => texts.Any(t => t.Contains(phrase, StringComparison.OrdinalIgnoreCase));
        var codes = errors.Select(e => e.Code).ToHashSet();

        var saslError = codes.Overlaps([ErrorCode.Local_Authentication, ErrorCode.SaslAuthenticationFailed, ErrorCode.UnsupportedSaslMechanism, ErrorCode.IllegalSaslState])
            || Says("SASL authentication error") || Says("Failed to initialize SASL");
        if (protocol.UsesSasl() && saslError)
        {
            var mechanism = MechanismName(options);
            if (codes.Contains(ErrorCode.UnsupportedSaslMechanism) || Says("Unsupported SASL mechanism"))
            {
                var offered = texts.Select(t => t.IndexOf("supported mechanisms", StringComparison.OrdinalIgnoreCase) is var at and >= 0 ? t[at..] : "")
                    .SelectMany(t => KnownMechanisms.Where(m => ContainsWord(t, m))).Distinct().ToList();
                return (Steps.Sasl, $"the broker does not offer {mechanism} ({KafkaSettingNames.SaslMechanism})" +
                    (offered.Count > 0 ? $"; it offers {string.Join(", ", offered)}" : ""));
            }
            if (Says("Handshake not supported") || Says("does not support SASL"))
            {
                return (Steps.Sasl, $"the broker does not speak SASL ({KafkaSettingNames.SecurityProtocol} is {protocol})");
            }
            return (Steps.Sasl, $"the broker rejected user '{options.Username}' with {mechanism}: check {KafkaSettingNames.Username} and {KafkaSettingNames.Password}");
        }

        if (codes.Contains(ErrorCode.Local_Ssl) || Says("SSL handshake failed") || Says("certificate verify failed"))
        {
            if (Says("Hostname mismatch") || Says("hostname mismatch"))
                return (Steps.Tls, $"librdkafka: the broker's certificate does not name the host it was reached at ({KafkaSettingNames.BootstrapServers}, or the broker's advertised listeners)");
            if (Says("certificate verify failed") || Says("unable to get local issuer certificate") || Says("self-signed certificate"))
                return (Steps.Tls, "librdkafka could not verify the broker's certificate: " + (string.IsNullOrEmpty(options.SslCaPem)
                    ? $"the system trust store does not trust it (set {KafkaSettingNames.SslCaPem} for a private CA)"
                    : $"it is not signed by a CA in {KafkaSettingNames.SslCaPem}"));
            if (Says("wrong version number") || Says("packet length too long") || Says("record layer failure") || Says("unexpected eof"))
                return (Steps.Tls, $"a broker does not speak TLS ({KafkaSettingNames.SecurityProtocol} is {protocol}): is it a plaintext listener?");
            return (Steps.Tls, $"librdkafka's TLS handshake with a broker failed ({KafkaSettingNames.SecurityProtocol} is {protocol})");
        }

        if (protocol.UsesSasl() && !protocol.UsesTls() && Says("Disconnected while requesting ApiVersion"))
            return (Steps.Metadata, $"the broker closed the connection before SASL ({KafkaSettingNames.SecurityProtocol} is {protocol}): is it a TLS listener?");

        var code = errors.Count > 0 ? errors[0].Code : ErrorCode.Unknown;
        return (Steps.Metadata, code == ErrorCode.Local_TimedOut || code == ErrorCode.Local_Transport || code == ErrorCode.Local_AllBrokersDown
            ? $"no broker answered a metadata request in time ({KafkaSettingNames.BootstrapServers}, {KafkaSettingNames.SecurityProtocol} is {protocol})"
            : $"the metadata request failed: {code} ({KafkaSettingNames.BootstrapServers})");
    }

    private static bool ContainsWord(string text, string word)
    {
        for (var at = text.IndexOf(word, StringComparison.Ordinal); at >= 0; at = text.IndexOf(word, at + 1, StringComparison.Ordinal))
        {
            var before = at == 0 || !(char.IsLetterOrDigit(text[at - 1]) || text[at - 1] == '-');
            var end = at + word.Length;
            var after = end == text.Length || !(char.IsLetterOrDigit(text[end]) || text[end] == '-');
            if (before && after) return true;
        }
        return false;
    }

    private static string MechanismName(KafkaOptions options)
        => KafkaOptionsParsing.TryParseSaslMechanism(options.SaslMechanism, out var m) ? TestBroker.SaslMechanismNames.Of(m) : "SASL";

    private static async Task<string?> ConnectAsync(IPAddress[] addresses, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await tcp.ConnectAsync(addresses, port, limit.Token).ConfigureAwait(false);
            return null;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode.ToString();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {timeout.TotalSeconds:0} s";
        }
    }

    /// <summary>The outcome of a TLS handshake made by .NET: whether it passed, whether the port speaks TLS at all, and what to say.</summary>
    internal readonly record struct TlsProbe(bool Ok, bool SpeaksTls, string Detail);

    /// <summary>
    /// A TLS handshake with <paramref name="host"/>, the certificate checked as librdkafka checks it:
    /// against <paramref name="caPem"/> when given, otherwise the system trust store, and the host name
    /// against the certificate's names. Null <paramref name="caPem"/> and only <see cref="TlsProbe.SpeaksTls"/> read: a probe.
    /// </summary>
    internal static async Task<TlsProbe> ProbeTlsAsync(string host, IPAddress[] addresses, int port, string? caPem, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        X509Certificate2? certificate = null;
        var policyErrors = SslPolicyErrors.None;
        var trusted = new X509Certificate2Collection();
        if (!string.IsNullOrEmpty(caPem)) trusted.ImportFromPem(caPem);
        try
        {
            await tcp.ConnectAsync(addresses, port, limit.Token).ConfigureAwait(false);
            await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                // Accept here, judge below: the check wants to say what is wrong, not only that something is.
                RemoteCertificateValidationCallback = (_, remote, _, errors) =>
                {
                    if (remote is null) return false;
                    certificate = X509CertificateLoader.LoadCertificate(remote.GetRawCertData());
                    policyErrors = errors;
                    if (trusted.Count > 0)
                    {
                        using var chain = new X509Chain();
                        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
                        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                        policyErrors = (errors & ~SslPolicyErrors.RemoteCertificateChainErrors)
                            | (chain.Build(certificate) ? SslPolicyErrors.None : SslPolicyErrors.RemoteCertificateChainErrors);
                    }
                    return true;
                },
            }, limit.Token).ConfigureAwait(false);

            var names = CertificateNames(certificate!);
            if (policyErrors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
                return new TlsProbe(false, true, $"the certificate of {host}:{port} does not name {host} ({KafkaSettingNames.BootstrapServers}); it names {names}");
            if (policyErrors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
                return new TlsProbe(false, true, $"the certificate of {host}:{port} (issued by {certificate!.Issuer}) is " + (trusted.Count > 0
                    ? $"not signed by a CA in {KafkaSettingNames.SslCaPem}"
                    : $"not trusted by the system trust store; set {KafkaSettingNames.SslCaPem} for a private CA"));
            return new TlsProbe(true, true, $"{tls.SslProtocol} with {host}:{port}, certificate for {names} issued by {certificate!.Issuer}, " +
                $"valid until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}, trusted by " + (trusted.Count > 0 ? KafkaSettingNames.SslCaPem : "the system trust store"));
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException)
        {
            return new TlsProbe(false, certificate is not null, certificate is not null
                ? $"the TLS handshake with {host}:{port} failed after the certificate was accepted"
                : $"{host}:{port} does not speak TLS ({KafkaSettingNames.SecurityProtocol} needs TLS): is it a plaintext listener?");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new TlsProbe(false, false, $"{host}:{port} did not complete a TLS handshake within {timeout.TotalSeconds:0} s ({KafkaSettingNames.SecurityProtocol} needs TLS): is it a plaintext listener?");
        }
        finally
        {
            certificate?.Dispose();
            foreach (var ca in trusted) ca.Dispose();
        }
    }

    private static string CertificateNames(X509Certificate2 certificate)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>()
            .SelectMany(san => san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(ip => ip.ToString()))).ToList();
        return names.Count > 0 ? string.Join(", ", names) : certificate.GetNameInfo(X509NameType.SimpleName, false);
    }

    private static ConnectivityReport Failed(List<CheckStep> steps, string step, string failure)
    {
        steps.Add(CheckStep.Failed(step, failure));
        return new ConnectivityReport(false, steps, step, failure, [], null);
    }

    private static (string Host, int Port) SplitHostPort(string server)
    {
        var colon = server.LastIndexOf(':');
        return colon > 0 && int.TryParse(server[(colon + 1)..], out var port)
            ? (server[..colon].Trim('[', ']'), port)
            : (server, 9092);
    }
}

/// <summary>The outcome of <see cref="KafkaConnectivityCheck"/>: every step run, the first failure, and with a group its lag.</summary>
public sealed record ConnectivityReport(bool Ok, IReadOnlyList<CheckStep> Steps, string? FailedStep, string? Failure,
    IReadOnlyList<PartitionState> Partitions, string? ConsumerGroup);

/// <summary>One step: <c>ok</c>, <c>failed</c> or <c>not used</c>, and what it found.</summary>
public sealed record CheckStep(string Step, string Status, string Detail)
{
    public static CheckStep Ok(string step, string detail) => new(step, "ok", detail);
    public static CheckStep Failed(string step, string detail) => new(step, "failed", detail);
    public static CheckStep NotUsed(string step, string detail) => new(step, "not used", detail);
}

/// <summary>One partition: watermarks, the group's committed offset (null: none yet, or no group) and lag (null: no group).</summary>
public sealed record PartitionState(string Topic, int Partition, long Low, long High, long? Committed, long? Lag);
