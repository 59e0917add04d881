using System.CommandLine;
using System.Diagnostics;
using Confluent.Kafka;
using EventRouter.Cli.Hosting;
using EventRouter.Cli.Sandbox;
using EventRouter.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace EventRouter.Cli.Commands;

/// <summary>
/// <c>eventrouter dev</c>: the local sandbox with nothing to set up. An embedded Kafka-protocol
/// broker (librdkafka's mock cluster) with topics <c>Notifications</c> and <c>Prices</c>, Azurite
/// from the repository's npm dependency, realistic sample events with about 1% malformed, the full
/// pipeline (ingestion and queue processing), and a live table. Ctrl+C stops everything cleanly.
/// </summary>
internal static class DevCommand
{
    private const int Partitions = 4;

    public static Command Create(Func<IAnsiConsole> console)
    {
        var events = new Option<int>("--events") { Description = "Stop after this many events are accounted for and print the summary (0: run until Ctrl+C).", DefaultValueFactory = _ => 0 };
        var rate = new Option<int>("--rate") { Description = "Events produced per second.", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the sample event generator.", DefaultValueFactory = _ => 1 };
        var verbose = new Option<bool>("--verbose") { Description = "Show the worker's information logs on stderr." };
        var command = new Command("dev", "Run the local sandbox: embedded Kafka broker, Azurite, sample events and the full pipeline, with a live table.")
        {
            events, rate, seed, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(events) < 0 || parse.GetValue(rate) < 1)
            {
                await error.WriteLineAsync("eventrouter dev: --events must be 0 or more and --rate at least 1.");
                return ExitCodes.InvalidConfiguration;
            }
            return await RunAsync(console(), parse.GetValue(events), parse.GetValue(rate), parse.GetValue(seed), parse.GetValue(verbose), error);
        });
        return command;
    }

    private static async Task<int> RunAsync(IAnsiConsole console, int eventCount, int rate, int seed, bool verbose, TextWriter error)
    {
        AzuriteProcess azurite;
        try
        {
            // In memory: each sandbox run starts empty, and it is faster than a data folder.
            azurite = await AzuriteProcess.StartInMemoryAsync();
        }
        catch (FileNotFoundException ex)
        {
            await error.WriteLineAsync($"eventrouter dev: {ex.Message}");
            return ExitCodes.Failed;
        }

        await using var _ = azurite;
        KafkaNativeLibrary.EnsureLoaded();
        using var kafka = new MockKafkaCluster();
        kafka.CreateTopic("Notifications", Partitions);
        kafka.CreateTopic("Prices", Partitions);
        using var counters = new PipelineCounters();

        var settings = new HostSettings(HostMode.All)
        {
            Environment = Environments.Development,
            MinimumLogLevel = verbose ? LogLevel.Information : LogLevel.Warning,
            Overrides = new Dictionary<string, string?>
            {
                ["Kafka:BootstrapServers"] = kafka.BootstrapServers,
                ["Kafka:SecurityProtocol"] = "Plaintext",
                ["Kafka:ConsumerGroup"] = "eventrouter-dev",
                ["Kafka:Topics:Notifications"] = "Notifications",
                ["Kafka:Topics:Prices"] = "Prices",
                ["Kafka:Consumer:session.timeout.ms"] = "6000",
                ["EventStorage"] = azurite.ConnectionString,
                ["Processing:MaxPollingInterval"] = "00:00:01",
            },
        };

        using var host = EventRouterHost.CreateBuilder(settings).Build();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        try
        {
            await host.StartAsync();
        }
        catch (Exception ex) when (ConfigurationErrors.TryReport(ex, error))
        {
            return ExitCodes.InvalidConfiguration;
        }

        var stopping = lifetime.ApplicationStopping;
        var produced = 0L;
        var producing = Task.Run(() => Produce(kafka.BootstrapServers, new SampleEventGenerator(seed), eventCount, rate, () => Interlocked.Increment(ref produced), stopping));
        var clock = Stopwatch.StartNew();
        var interactive = console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        var complete = false;

        async Task Watch(Action refresh)
        {
            var lastProgress = (Count: -1L, At: clock.Elapsed);
            while (!stopping.IsCancellationRequested)
            {
                refresh();
                var accounted = counters.Accounted;
                if (eventCount > 0 && accounted >= eventCount && producing.IsCompleted)
                {
                    complete = true;
                    return;
                }
                if (accounted != lastProgress.Count) lastProgress = (accounted, clock.Elapsed);
                else if (eventCount > 0 && clock.Elapsed - lastProgress.At > TimeSpan.FromSeconds(120)) return; // stalled
                try { await Task.Delay(500, stopping); } catch (OperationCanceledException) { return; }
            }
        }

        if (interactive)
        {
            await console.Live(Render(counters, Interlocked.Read(ref produced), clock.Elapsed, eventCount))
                .StartAsync(async context => await Watch(() => context.UpdateTarget(Render(counters, Interlocked.Read(ref produced), clock.Elapsed, eventCount))));
        }
        else
        {
            var nextLine = TimeSpan.Zero;
            await Watch(() =>
            {
                if (clock.Elapsed < nextLine) return;
                nextLine = clock.Elapsed + TimeSpan.FromSeconds(2);
                error.WriteLine($"eventrouter dev: produced {Interlocked.Read(ref produced)}, accounted {counters.Accounted}, lag {counters.Lag}");
            });
        }

        lifetime.StopApplication();
        try { await producing; } catch (OperationCanceledException) { }
        await host.StopAsync();
        console.Write(Render(counters, Interlocked.Read(ref produced), clock.Elapsed, eventCount));

        if (eventCount == 0) return ExitCodes.Ok;
        if (!complete)
        {
            await error.WriteLineAsync($"eventrouter dev: stopped before all {eventCount} events were accounted for ({counters.Accounted}).");
            return ExitCodes.Failed;
        }
        console.MarkupLine($"[green]All {eventCount:N0} events accounted for:[/] {counters.Routed:N0} routed, {counters.Poisoned:N0} poisoned, {counters.Duplicates:N0} duplicates.");
        return ExitCodes.Ok;
    }

    private static void Produce(string bootstrapServers, SampleEventGenerator generator, int count, int rate, Action produced, CancellationToken cancellationToken)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            LingerMs = 5,
            EnableIdempotence = false,
            Acks = Acks.All,
        }).Build();
        var clock = Stopwatch.StartNew();
        for (long i = 0; count == 0 || i < count; i++)
        {
            if (cancellationToken.IsCancellationRequested) break;
            // Pace to the requested rate without a sleep per message.
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (due > clock.Elapsed) Thread.Sleep(due - clock.Elapsed);

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

    private static IRenderable Render(PipelineCounters counters, long produced, TimeSpan elapsed, int target)
    {
        var queues = new Table().Title("Routed").AddColumn("Queue").AddColumn(new TableColumn("Events").RightAligned());
        foreach (var (queue, count) in counters.RoutedPerQueue.OrderByDescending(q => q.Value).ThenBy(q => q.Key))
        {
            queues.AddRow(Markup.Escape(queue), count.ToString("N0"));
        }
        var poison = new Table().Title("Poisoned (events-poison)").AddColumn("Reason").AddColumn(new TableColumn("Records").RightAligned());
        foreach (var (reason, count) in counters.PoisonedPerReason.OrderByDescending(p => p.Value)) poison.AddRow(Markup.Escape(reason), count.ToString("N0"));

        var accounted = counters.Accounted;
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        var summary = new Table().Title("Pipeline").AddColumn("Measure").AddColumn(new TableColumn("Value").RightAligned())
            .AddRow("Produced", produced.ToString("N0") + (target > 0 ? $" / {target:N0}" : ""))
            .AddRow("Routed", counters.Routed.ToString("N0"))
            .AddRow("Poisoned", counters.Poisoned.ToString("N0"))
            .AddRow("Duplicates (written once)", counters.Duplicates.ToString("N0"))
            .AddRow("Accounted for", accounted.ToString("N0"))
            .AddRow("Handled by queue handlers", counters.Handled.ToString("N0"))
            .AddRow("Throughput", $"{accounted / seconds:N0} events/s")
            .AddRow("Consumer lag", counters.Lag.ToString("N0"))
            .AddRow("Elapsed", TextFormat.Elapsed(elapsed));
        return new Columns(summary, queues, poison) { Expand = false };
    }
}
