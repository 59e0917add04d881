using System.CommandLine;
using System.Text.Json;
using EventRouter.Cli.Hosting;
using EventRouter.Cli.Operations;
using EventRouter.Cli.Sandbox;
using EventRouter.Configuration;
using EventRouter.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace EventRouter.Cli.Commands;

/// <summary><c>eventrouter produce --topic T (--file events.jsonl | --sample N)</c>.</summary>
internal static class ProduceCommand
{
    public static Command Create(Func<IAnsiConsole> console)
    {
        var settings = CommonOptions.Settings();
        var environment = CommonOptions.Environment();
        var json = CommonOptions.Json();
        var topic = new Option<string>("--topic") { Description = "The topic to write to.", Required = true };
        var file = new Option<FileInfo?>("--file") { Description = "Events, one JSON value per line (what `kcat -C` prints); - reads stdin." };
        var sample = new Option<int?>("--sample") { Description = "Produce this many realistic sample events (about 1% malformed) instead." };
        var seed = new Option<int?>("--seed") { Description = "Seed of --sample, to produce the same events again (default: a new one each run)." };
        var keyTemplate = new Option<string?>("--key-template")
        {
            Description = "A dot path into each event for the key, e.g. object.user_id; missing or empty falls back to the event id (the default key).",
        };
        var timeout = new Option<int>("--timeout")
        {
            Description = "Seconds to wait for the brokers: to answer at all, and to acknowledge each event.", DefaultValueFactory = _ => 15,
        };
        timeout.Validators.Add(r => { if (r.GetValueOrDefault<int>() <= 0) r.AddError("--timeout must be a positive number of seconds."); });
        var command = new Command("produce",
            "Produce events with the configured Kafka settings; sets headers event-id, event-type and content-type: application/json from each event.")
        {
            settings, environment, json, topic, file, sample, seed, keyTemplate, timeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var path = parse.GetResult(file)?.Tokens.FirstOrDefault()?.Value;
            var count = parse.GetValue(sample);
            if ((path is null) == (count is null) || count is <= 0)
            {
                await error.WriteLineAsync("eventrouter produce: give either --file FILE or --sample N (N > 0).");
                return ExitCodes.InvalidConfiguration;
            }
            if (path is not null && path != "-" && !File.Exists(path))
            {
                await error.WriteLineAsync($"eventrouter produce: {path} does not exist.");
                return ExitCodes.InvalidConfiguration;
            }
            ProduceReport report;
            try
            {
                using var host = EventRouterHost.CreateBuilder(parse.ToHostSettings(HostMode.Ingest, settings, environment)).Build();
                var configs = host.Services.GetRequiredService<KafkaClientConfigFactory>();
                var servers = host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value.BootstrapServers!;
                var wait = TimeSpan.FromSeconds(parse.GetValue(timeout));
                // First: do the brokers answer, and is the topic there? A typo must not create a topic.
                if (KafkaTopicCheck.Problem(parse.GetValue(topic)!, await Task.Run(() => KafkaTopicCheck.ListTopics(configs, servers, wait), ct)) is { } problem)
                {
                    await error.WriteLineAsync($"eventrouter produce: {problem}");
                    return ExitCodes.InvalidConfiguration;
                }
                var service = new ProduceService(configs, host.Services.GetRequiredService<EventRouter.Validation.EventFieldMapping>()) { Timeout = wait };
                IEnumerable<byte[]?> values;
                TextReader? reader = null;
                if (count is { } n)
                {
                    var generator = new SampleEventGenerator(parse.GetValue(seed) ?? Environment.TickCount);
                    values = Enumerable.Range(0, n).Select(_ => generator.Next().Value);
                }
                else
                {
                    reader = path == "-" ? Console.In : new StreamReader(path!);
                    values = ProduceService.ReadLines(reader);
                }
                using (reader)
                {
                    report = await service.ProduceAsync(parse.GetValue(topic)!, values, parse.GetValue(keyTemplate), cancellationToken: ct);
                }
            }
            catch (Exception ex) when (ConfigurationErrors.TryReport(ex, error))
            {
                return ExitCodes.InvalidConfiguration;
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Cancelled;
            }
            catch (KafkaUnreachableException ex)
            {
                await error.WriteLineAsync($"eventrouter produce: {ex.Message}");
                return ExitCodes.Failed;
            }
            catch (Confluent.Kafka.KafkaException ex) when (ex.Error.Code == Confluent.Kafka.ErrorCode.Local_MsgTimedOut)
            {
                await error.WriteLineAsync($"eventrouter produce: Kafka did not acknowledge the events within {parse.GetValue(timeout)} s " +
                    $"(--timeout); check {KafkaSettingNames.BootstrapServers}, {KafkaSettingNames.SecurityProtocol} and the network (librdkafka: Message timed out)");
                return ExitCodes.Failed;
            }
            catch (Confluent.Kafka.KafkaException ex)
            {
                await error.WriteLineAsync($"eventrouter produce: writing to {parse.GetValue(topic)} failed: {ex.Error.Reason}");
                return ExitCodes.Failed;
            }

            if (parse.GetValue(json))
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new
                {
                    topic = report.Topic, produced = report.Messages.Count,
                    partitions = report.PerPartition.Select(p => new { partition = p.Partition, messages = p.Count }),
                }, PoisonCommand.JsonOptions));
            }
            else
            {
                var table = new Table().Title($"Produced {report.Messages.Count:N0} message(s) to {Markup.Escape(report.Topic)}")
                    .AddColumn(new TableColumn("Partition").RightAligned()).AddColumn(new TableColumn("Messages").RightAligned());
                foreach (var (partition, messages) in report.PerPartition) table.AddRow(partition.ToString(), messages.ToString("N0"));
                console().Write(table);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
