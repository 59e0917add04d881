using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using Azure.Core;
using EventRouter.Cli.Hosting;
using EventRouter.Configuration;
using EventRouter.Delivery;
using EventRouter.Processing;
using EventRouter.Cli.Sandbox;
using EventRouter.Kafka;
using EventRouter.Kafka.TestBroker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace EventRouter.Cli.Commands;

/// <summary>
/// <c>eventrouter dev</c>: the local sandbox with nothing to set up. An embedded Kafka-protocol
/// broker (librdkafka's mock cluster) with topics <c>Notifications</c> and <c>Prices</c>, Azurite
/// from the repository's npm dependency, realistic sample events with about 1% malformed, the full
/// pipeline (ingestion and queue processing), and a live table. Ctrl+C stops everything cleanly.
/// Like production, every Kafka client speaks SASL_SSL with SCRAM-SHA-512, here through the TLS + SASL
/// front over the mock (<see cref="SaslSslFront"/>, a per-run CA and password); <c>--plaintext</c>
/// talks to the mock directly.
/// </summary>
internal static class DevCommand
{
    // As many as the provider's topics have, so the sandbox rebalances and spreads work like production.
    internal const int Partitions = 6;
    internal const string ConsumerGroup = "eventrouter-dev";
    internal const string SandboxUser = "eventrouter-dev";
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(120);
    // Longer than a storage request's network timeout and its retries take to give up (30 s each).
    private static readonly TimeSpan QueueStageStallTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan CommitWait = TimeSpan.FromSeconds(30);
    // Well inside what the mock broker keeps per partition, and few enough held messages for
    // Azurite, whose every receive scans all it holds (both in docs/performance.md, "Limits and
    // costs the code is sized by").
    internal const long MaxBacklog = 10_000;

    public static Command Create(Func<IAnsiConsole> console)
    {
        var events = new Option<int>("--events") { Description = "Stop after this many events are accounted for and print the summary (0: run until Ctrl+C).", DefaultValueFactory = _ => 0 };
        // A rate this 2-core machine follows with the queue stage running (docs/performance.md); a
        // higher one is safe too: the producer waits while the pipeline is MaxBacklog events behind.
        var rate = new Option<int>("--rate") { Description = "Events produced per second (the producer waits while the pipeline is 10,000 events behind).", DefaultValueFactory = _ => 200 };
        var seed = new Option<int>("--seed") { Description = "Seed of the sample event generator.", DefaultValueFactory = _ => 1 };
        var verbose = new Option<bool>("--verbose") { Description = "Show the worker's information logs on stderr." };
        var plaintext = new Option<bool>("--plaintext") { Description = "Talk plaintext to the mock broker instead of SASL_SSL (SCRAM-SHA-512) through the TLS + SASL front." };
        var json = CommonOptions.Json();
        var command = new Command("dev", "Run the local sandbox: embedded Kafka broker, Azurite, sample events and the full pipeline, with a live table.")
        {
            events, rate, seed, verbose, plaintext, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(events) < 0 || parse.GetValue(rate) < 1)
            {
                await error.WriteLineAsync("eventrouter dev: --events must be 0 or more and --rate at least 1.");
                return ExitCodes.InvalidConfiguration;
            }
            // With --json, stdout gets one JSON document at the end; what people read goes to stderr.
            var output = parse.GetValue(json)
                ? AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(error) })
                : console();
            return await RunAsync(output, parse.GetValue(events), parse.GetValue(rate), parse.GetValue(seed), parse.GetValue(verbose), parse.GetValue(plaintext), parse.GetValue(json), error);
        });
        return command;
    }

    private static async Task<int> RunAsync(IAnsiConsole console, int eventCount, int rate, int seed, bool verbose, bool plaintext, bool json, TextWriter error)
    {
        AzuriteProcess azurite;
        try
        {
            // A throwaway data folder: each sandbox run starts empty. Queue and blob services in two
            // processes: each is bound by its one node.js thread.
            azurite = await AzuriteProcess.StartScratchAsync(split: true);
        }
        catch (FileNotFoundException ex)
        {
            await error.WriteLineAsync($"eventrouter dev: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (AzuriteStartException ex)
        {
            await error.WriteLineAsync($"eventrouter dev: {ex.Message} Check that Node.js is installed and that `npm ci` ran in the repository root (scripts/bootstrap.sh does both).");
            return ExitCodes.Failed;
        }

        await using var _ = azurite;
        KafkaNativeLibrary.EnsureLoaded();
        using var kafka = new MockKafkaCluster();
        kafka.CreateTopic("Notifications", Partitions);
        kafka.CreateTopic("Prices", Partitions);
        // A password of this run's own: nothing to leak, yet every client authenticates as production's do.
        var password = plaintext ? null : Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        using var front = password is null ? null : SaslSslFront.Start(kafka, new SaslSslFrontOptions
        {
            Users = new Dictionary<string, string> { [SandboxUser] = password },
            Mechanisms = [SaslMechanismNames.ScramSha512],
        });
        using var counters = new PipelineCounters();
        var ledger = new RecordLedger();
        var requests = new StorageRequestCounter();

        // What another eventrouter command needs to reach this sandbox; also written to the settings file.
        var connection = front is null
            ? new Dictionary<string, string>
            {
                [KafkaSettingNames.BootstrapServers] = kafka.BootstrapServers,
                [KafkaSettingNames.SecurityProtocol] = "Plaintext",
                // The file is read by commands that run in the Production environment by default.
                [KafkaSettingNames.AllowPlaintext] = "true",
            }
            : new Dictionary<string, string>
            {
                [KafkaSettingNames.BootstrapServers] = front.BootstrapServers,
                [KafkaSettingNames.SecurityProtocol] = "SaslSsl",
                [KafkaSettingNames.SaslMechanism] = "ScramSha512",
                [KafkaSettingNames.Username] = SandboxUser,
                [KafkaSettingNames.Password] = password!,
                [KafkaSettingNames.SslCaPem] = front.Certificates.CaPem,
            };
        foreach (var (key, value) in new Dictionary<string, string>
        {
            [KafkaSettingNames.ConsumerGroup] = ConsumerGroup,
            [KafkaSettingNames.NotificationsTopic] = "Notifications",
            [KafkaSettingNames.PricesTopic] = "Prices",
            [EventStorageOptions.ConnectionName] = azurite.ConnectionString,
        })
        {
            connection[key] = value;
        }
        var overrides = new Dictionary<string, string?>(connection.Select(c => KeyValuePair.Create(c.Key, (string?)c.Value)))
        {
            [KafkaSettingNames.ConsumerProperty("session.timeout.ms")] = "6000",

            // What a sandbox does not need, each costing Azurite a request per event (README, "The sandbox
            // and production"): the idempotency guard's claim and completion markers (one worker, and the
            // archive, the one handler, keeps each event once by itself); and receives that find one or two
            // messages (every category queue shares the events): 32 at a time, 200 ms apart when fewer came, and idle
            // queues polled every 5 s at most (the default, not 1 s).
            [$"{ProcessingOptions.SectionName}:{nameof(ProcessingOptions.Idempotency)}"] = "false",
            [$"{ProcessingOptions.SectionName}:{nameof(ProcessingOptions.BatchSize)}"] = "32",
            [$"{ProcessingOptions.SectionName}:{nameof(ProcessingOptions.PartialBatchDelay)}"] = "00:00:00.200",
        };
        var settings = new HostSettings(HostMode.All)
        {
            Environment = Environments.Development,
            MinimumLogLevel = verbose ? LogLevel.Information : LogLevel.Warning,
            Overrides = overrides,
        };

        var builder = EventRouterHost.CreateBuilder(settings);
        // The sample events are about 1% malformed on purpose: a warning per poisoned record would bury the
        // live table, and the closing table counts them by reason (`poison list` shows each). Its storage
        // warnings are the Kafka source's to give. --verbose shows them all.
        if (!verbose) builder.Logging.AddFilter(typeof(RoutingPipeline).FullName, LogLevel.Error);
        // Registered last, so the Kafka sources get it: the real pipeline, with the ledger counting its outcomes.
        builder.Services.AddSingleton<IRecordBatchRouter>(sp => new AccountingRouter(sp.GetRequiredService<RoutingPipeline>(), ledger));
        // The same storage clients as production's, with a policy that counts each request by what it does.
        builder.Services.AddSingleton(sp => StorageClientFactory.CreateQueueServiceClient(
            sp.GetRequiredService<IOptions<EventStorageOptions>>().Value, sp.GetRequiredService<IOptions<DeliveryOptions>>().Value,
            o => o.AddPolicy(requests, HttpPipelinePosition.PerRetry)));
        builder.Services.AddSingleton(sp => StorageClientFactory.CreateBlobServiceClient(
            sp.GetRequiredService<IOptions<EventStorageOptions>>().Value, sp.GetRequiredService<IOptions<DeliveryOptions>>().Value,
            o => o.AddPolicy(requests, HttpPipelinePosition.PerRetry)));
        using var host = builder.Build();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        try
        {
            await host.StartAsync();
        }
        catch (Exception ex) when (ConfigurationErrors.TryReport(ex, error))
        {
            return ExitCodes.InvalidConfiguration;
        }

        using var settingsFile = SandboxSettingsFile.Write(connection);
        // For kcat, next to the settings file (user-only folder): the CA, and the password so that it is not printed.
        using var kcatFiles = front is null ? null : KcatFiles.Write(Path.GetDirectoryName(settingsFile.Path)!, front.Certificates.CaPem, password!);
        SandboxWayIn.Write(console, connection, settingsFile.Path, $"http://127.0.0.1:{azurite.QueuePort}", $"http://127.0.0.1:{azurite.BlobPort}", kcatFiles);

        // Ctrl+C and SIGTERM stop the host (its console lifetime handles them); this only notes that the user asked.
        var interrupted = false;
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => interrupted = true);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => interrupted = true);

        var stopping = lifetime.ApplicationStopping;
        var produced = 0L;
        var pacer = new ProducePacer(rate, MaxBacklog);
        // Behind: produced but not yet in a queue, plus written to a queue but not yet handled.
        long Backlog()
        {
            var (distinct, written) = ledger.Progress();
            return Math.Max(0, Interlocked.Read(ref produced) - distinct) + Math.Max(0, written - counters.Handled - counters.QueuePoisoned);
        }
        var producerConfig = host.Services.GetRequiredService<KafkaClientConfigFactory>().CreateProducerConfig("eventrouter-dev-producer");
        var producing = Task.Run(() => Produce(producerConfig, new SampleEventGenerator(seed), eventCount, pacer, Backlog, () => Interlocked.Increment(ref produced), stopping));
        var clock = Stopwatch.StartNew();
        var interactive = !json && console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        var stop = SandboxStop.Interrupted;

        // Two phases: until every produced record is accounted for (Kafka to queues), then until the queue
        // stage has handled every message written, so that it is not stopped mid-handler.
        var draining = false;
        TimeSpan? accountedAt = null;
        TimeSpan? queueStageDoneAt = null;
        using var admin = new KafkaGroupAdmin(host.Services.GetRequiredService<KafkaClientConfigFactory>(), TimeSpan.FromSeconds(10), "eventrouter-dev-summary");
        async Task<bool> AllCommittedAsync()
        {
            try
            {
                return (await admin.LagAsync(ConsumerGroup, ["Notifications", "Prices"])).All(p => p.Lag == 0);
            }
            catch (KafkaException)
            {
                return false;
            }
        }
        async Task Watch(Action refresh)
        {
            var lastProgress = (Count: -1L, At: clock.Elapsed);
            while (!stopping.IsCancellationRequested)
            {
                refresh();
                var snapshot = ledger.Snapshot();
                var handled = counters.Handled + counters.QueuePoisoned;
                if (!draining && eventCount > 0 && producing.IsCompleted && snapshot.Distinct >= Interlocked.Read(ref produced))
                {
                    stop = SandboxStop.Complete;
                    draining = true;
                    accountedAt = clock.Elapsed;
                    lastProgress = (-1, clock.Elapsed);
                }
                if (draining && handled >= snapshot.QueueMessagesWritten)
                {
                    // And until the group has committed everything (librdkafka commits every second): the
                    // commit at shutdown can meet the rebalance that the other topic's consumer leaving starts.
                    queueStageDoneAt ??= clock.Elapsed;
                    if (clock.Elapsed - queueStageDoneAt > CommitWait || await AllCommittedAsync()) return;
                }
                var progress = draining ? handled : snapshot.Distinct;
                if (progress != lastProgress.Count) lastProgress = (progress, clock.Elapsed);
                else if (eventCount > 0 && clock.Elapsed - lastProgress.At > (draining ? QueueStageStallTimeout : StallTimeout))
                {
                    if (!draining) stop = SandboxStop.Stalled;
                    return;
                }
                try { await Task.Delay(500, stopping); } catch (OperationCanceledException) { break; }
            }
            if (!draining) stop = interrupted ? SandboxStop.Interrupted : SandboxStop.WorkerStopped;
        }

        if (interactive)
        {
            await console.Live(SandboxLiveTable.Render(ledger.Snapshot(), counters, requests, pacer, Interlocked.Read(ref produced), new RunTiming(clock.Elapsed, accountedAt), eventCount, null))
                .StartAsync(async context => await Watch(() => context.UpdateTarget(SandboxLiveTable.Render(ledger.Snapshot(), counters, requests, pacer, Interlocked.Read(ref produced), new RunTiming(clock.Elapsed, accountedAt), eventCount, null))));
        }
        else
        {
            var nextLine = TimeSpan.Zero;
            var lastRequests = (Count: 0L, At: TimeSpan.Zero);
            await Watch(() =>
            {
                if (clock.Elapsed < nextLine) return;
                nextLine = clock.Elapsed + TimeSpan.FromSeconds(2);
                var total = requests.Total;
                var requestRate = (total - lastRequests.Count) / Math.Max(0.001, (clock.Elapsed - lastRequests.At).TotalSeconds);
                lastRequests = (total, clock.Elapsed);
                var snapshot = ledger.Snapshot();
                var p = Interlocked.Read(ref produced);
                error.WriteLine($"eventrouter dev: produced {p:N0}, accounted for {snapshot.Distinct:N0}, not yet in a queue {Math.Max(0, p - snapshot.Distinct):N0}, " +
                    $"re-read {snapshot.ReRead:N0}, queue messages written {snapshot.QueueMessagesWritten:N0}, handled {counters.Handled:N0}, Azurite {requestRate:N0} requests/s" +
                    (Backlog() >= MaxBacklog ? $"; producer waiting: the pipeline is {MaxBacklog:N0} behind" : ""));
            });
        }
        var timing = new RunTiming(clock.Elapsed, accountedAt, queueStageDoneAt);

        lifetime.StopApplication();
        try { await producing; } catch (OperationCanceledException) { }
        await host.StopAsync();

        // Read after the worker stopped: what it committed on the way out is what a restart starts from.
        var (partitions, partitionsError) = await ReadPartitionsAsync(admin, ledger);
        var outcome = new SandboxOutcome(eventCount, Interlocked.Read(ref produced), ledger.Snapshot(), partitions, partitionsError, stop);
        var verdict = SandboxSummary.Evaluate(outcome);
        console.Write(SandboxLiveTable.Render(outcome.Ledger, counters, requests, pacer, outcome.Produced, timing, eventCount, partitions));
        // Unwrapped, whatever the terminal's width: one line to read, and to grep.
        console.Profile.Out.Writer.WriteLine(verdict.ClosingLine);
        foreach (var failure in verdict.Failures) await error.WriteLineAsync($"eventrouter dev: {failure}");
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            SandboxReport.Write(stdout, outcome, verdict, timing, counters.Handled, counters.QueuePoisoned, pacer.WaitedForPipeline, requests.Snapshot());
        }
        // Ctrl+C before a target was reached is the user's choice, not a failure of the run: 130, as a shell expects.
        return verdict.Succeeded ? ExitCodes.Ok : stop == SandboxStop.Interrupted && eventCount > 0 ? ExitCodes.Cancelled : ExitCodes.Failed;
    }

    private static async Task<(IReadOnlyList<PartitionEnd>?, string?)> ReadPartitionsAsync(KafkaGroupAdmin admin, RecordLedger ledger)
    {
        try
        {
            var lag = await admin.LagAsync(ConsumerGroup, ["Notifications", "Prices"]);
            return ([.. lag.Select(p => new PartitionEnd(p.Topic, p.Partition, p.Low, p.High, p.Committed,
                ledger.Missing(p.Topic, p.Partition, 0, p.Low), ledger.Missing(p.Topic, p.Partition, p.Low, p.High)))], null);
        }
        catch (KafkaException ex)
        {
            return (null, ex.Error.Reason);
        }
    }

    private static void Produce(ProducerConfig config, SampleEventGenerator generator, int count, ProducePacer pacer, Func<long> backlog, Action produced, CancellationToken cancellationToken)
    {
        // The worker's connection and credentials. Idempotent, acks all (the factory's): a retried produce
        // is never written twice, so the topics hold exactly what was acknowledged.
        config.LingerMs = 5;
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(config).Build();
        var clock = Stopwatch.StartNew();
        for (long i = 0; count == 0 || i < count; i++)
        {
            // At the rate, and not while the pipeline is too far behind (a sleep per wait, not per message at high rates).
            for (var wait = pacer.Delay(clock.Elapsed, backlog()); wait > TimeSpan.Zero; wait = pacer.Delay(clock.Elapsed, backlog()))
            {
                if (cancellationToken.IsCancellationRequested) break;
                if (wait >= TimeSpan.FromMilliseconds(1)) Thread.Sleep(wait);
            }
            if (cancellationToken.IsCancellationRequested) break;

            var sample = generator.Next();
            var headers = new Headers();
            foreach (var (name, value) in sample.Headers) headers.Add(name, value);
            var topic = sample.Topic == SampleTopic.Prices ? "Prices" : "Notifications";
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<byte[]?, byte[]?> { Key = sample.Key, Value = sample.Value, Headers = headers }, report =>
                    {
                        // A failed produce is never counted, so the run cannot claim it was accounted for.
                        if (!report.Error.IsError) produced();
                    });
                    break;
                }
                catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(100));
                }
            }
        }
        producer.Flush(cancellationToken);
    }

    /// <summary>Since the worker started; and when every produced record was in a queue, if it got there.</summary>
    internal readonly record struct RunTiming(TimeSpan Total, TimeSpan? Accounted, TimeSpan? Handled = null)
    {
        /// <summary>Until the queue stage had handled every message written (or until now).</summary>
        public TimeSpan WholePipeline => Handled ?? Total;
    }
}
