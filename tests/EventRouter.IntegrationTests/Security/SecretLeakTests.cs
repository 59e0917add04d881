using EventRouter.IntegrationTests.EndToEnd;
using EventRouter.Kafka;
using EventRouter.Kafka.TestBroker;
using Xunit.Abstractions;

namespace EventRouter.IntegrationTests.Security;

/// <summary>
/// The real <c>eventrouter</c> process never prints the SASL password or the storage account key,
/// with Trace logging and librdkafka's <c>debug=all</c> over a real SASL_SSL SCRAM exchange, in <c>check</c>, or when options
/// validation fails; TLS is the default and plaintext is refused outside Development.
/// </summary>
public sealed class SecretLeakTests(ITestOutputHelper output) : IDisposable
{
    private const string Password = "Marker-Pa55w0rd-7f3e9c";
    // A storage account key is Base64; this one decodes to "SecretMarkerAccountKey-4d2b".
    private const string AccountKey = "U2VjcmV0TWFya2VyQWNjb3VudEtleS00ZDJi";
    private static readonly string[] Markers = [Password, AccountKey, "SecretMarkerAccountKey"];

    private readonly MockKafkaCluster _kafka = new();

    private Dictionary<string, string> SaslEnvironment(string environment = "Production") => new()
    {
        ["DOTNET_ENVIRONMENT"] = environment,
        // Trace, not only Debug: the worker logs librdkafka's own debug lines (debug=all) at Trace.
        ["Logging__LogLevel__Default"] = "Trace",
        ["Kafka__BootstrapServers"] = _kafka.BootstrapServers,
        ["Kafka__SecurityProtocol"] = "SaslPlaintext",
        ["Kafka__AllowPlaintext"] = "true",
        ["Kafka__SaslMechanism"] = "ScramSha512",
        ["Kafka__Username"] = "eventrouter",
        ["Kafka__Password"] = Password,
        ["Kafka__ConsumerGroup"] = "secrets-" + Guid.NewGuid().ToString("N")[..8],
        ["Kafka__Topics__Notifications"] = "Notifications",
        ["Kafka__Topics__Prices"] = "Prices",
        ["Kafka__Consumer__debug"] = "all",
        ["EventStorage"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1",
    };

    [Fact]
    public async Task Run_DebugLoggingAndLibrdkafkaDebugAll_NeverPrintsPasswordOrAccountKey()
    {
        _kafka.CreateTopic("Notifications", 1);
        _kafka.CreateTopic("Prices", 1);
        // Over SASL_SSL through the TLS + SASL front: a real SCRAM exchange for librdkafka to debug-log.
        using var front = SaslSslFront.Start(_kafka, new SaslSslFrontOptions { Users = new Dictionary<string, string> { ["eventrouter"] = Password } });
        var environment = SaslEnvironment();
        environment.Remove("Kafka__AllowPlaintext");
        environment["Kafka__BootstrapServers"] = front.BootstrapServers;
        environment["Kafka__SecurityProtocol"] = "SaslSsl";
        environment["Kafka__SslCaPem"] = front.Certificates.CaPem;
        await using var worker = new WorkerProcess(environment);

        worker.Start();
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (DateTime.UtcNow < deadline && !worker.Output.Any(l => l.Contains("SASL", StringComparison.OrdinalIgnoreCase))) await Task.Delay(250);
        await Task.Delay(TimeSpan.FromSeconds(3)); // a few more retries' worth of debug output
        worker.Kill();

        var text = worker.OutputText;
        output.WriteLine($"{worker.Output.Count} lines of output");
        Assert.Contains("SASL", text, StringComparison.OrdinalIgnoreCase);
        Assert.True(worker.Output.Count > 50, "debug logging should be talkative:\n" + text);
        Assert.True(front.AuthenticatedConnections > 0, "the worker authenticated:\n" + text);
        AssertNoMarker(text);
    }

    [Fact]
    public async Task Check_SaslAgainstBrokerWithoutSasl_FailureNamesSaslAndOmitsThePassword()
    {
        _kafka.CreateTopic("Notifications", 1);
        _kafka.CreateTopic("Prices", 1);
        await using var check = new WorkerProcess(SaslEnvironment(), "check", "--timeout", "10");

        check.Start();
        var exitCode = await check.WaitForExitAsync(TimeSpan.FromSeconds(90));

        var text = check.OutputText;
        output.WriteLine(text);
        Assert.Equal(1, exitCode);
        Assert.Contains("SASL", text, StringComparison.Ordinal);
        AssertNoMarker(text);
    }

    [Fact]
    public async Task Run_InvalidOptionsWithSecrets_ExitTwoNamingSettingsWithoutTheirValues()
    {
        var environment = SaslEnvironment();
        environment["Kafka__SaslMechanism"] = Password;          // an invalid value that is itself secret-looking
        environment["Kafka__Consumer__sasl.password"] = Password; // an owned property
        environment["Kafka__ConsumerGroup"] = "";
        environment["EventStorage"] = "AccountKey=" + AccountKey + ";garbage";
        await using var worker = new WorkerProcess(environment);

        worker.Start();
        var exitCode = await worker.WaitForExitAsync(TimeSpan.FromSeconds(60));

        var text = worker.OutputText;
        output.WriteLine(text);
        Assert.Equal(2, exitCode);
        Assert.Contains("Kafka:SaslMechanism", text, StringComparison.Ordinal);
        Assert.Contains("Kafka:Consumer:sasl.password", text, StringComparison.Ordinal);
        AssertNoMarker(text);
    }

    [Fact]
    public async Task Run_PlaintextOutsideDevelopment_ExitsTwoNamingTheSetting()
    {
        var environment = SaslEnvironment();
        environment["Kafka__SecurityProtocol"] = "Plaintext";
        environment.Remove("Kafka__AllowPlaintext");
        environment["EventStorage"] = "UseDevelopmentStorage=true";
        await using var worker = new WorkerProcess(environment);

        worker.Start();
        var exitCode = await worker.WaitForExitAsync(TimeSpan.FromSeconds(60));

        output.WriteLine(worker.OutputText);
        Assert.Equal(2, exitCode);
        Assert.Contains("Kafka:SecurityProtocol", worker.OutputText, StringComparison.Ordinal);
        Assert.Contains("Development", worker.OutputText, StringComparison.Ordinal);
        AssertNoMarker(worker.OutputText);
    }

    [Fact]
    public async Task Run_NoSecurityProtocolGiven_DefaultsToSaslSsl()
    {
        var environment = SaslEnvironment();
        environment.Remove("Kafka__SecurityProtocol");
        environment.Remove("Kafka__AllowPlaintext");
        environment.Remove("Kafka__SaslMechanism");
        environment["EventStorage"] = "UseDevelopmentStorage=true";
        await using var worker = new WorkerProcess(environment);

        worker.Start();
        var exitCode = await worker.WaitForExitAsync(TimeSpan.FromSeconds(60));

        output.WriteLine(worker.OutputText);
        Assert.Equal(2, exitCode);
        Assert.Contains("Kafka:SaslMechanism is required when Kafka:SecurityProtocol is SaslSsl", worker.OutputText, StringComparison.Ordinal);
        AssertNoMarker(worker.OutputText);
    }

    private static void AssertNoMarker(string text)
    {
        foreach (var marker in Markers) Assert.DoesNotContain(marker, text, StringComparison.Ordinal);
    }

    public void Dispose() => _kafka.Dispose();
}
