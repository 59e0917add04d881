using System.CommandLine;
using System.Text.Json;
using Azure.Storage.Queues;
using EventRouter.Cli.Hosting;
using EventRouter.Cli.Operations;
using EventRouter.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace EventRouter.Cli.Commands;

/// <summary><c>eventrouter stats</c>: approximate messages per queue and poison queue, and the group's lag per partition.</summary>
internal static class StatsCommand
{
    public static Command Create(Func<IAnsiConsole> console)
    {
        var settings = CommonOptions.Settings();
        var environment = CommonOptions.Environment();
        var json = CommonOptions.Json();
        var prefix = new Option<string?>("--prefix") { Description = "Only queues whose name starts with this." };
        var noKafka = new Option<bool>("--no-kafka") { Description = "Queues only; skip the consumer group lag." };
        var command = new Command("stats", "Approximate message count per queue and poison queue, and consumer group lag per partition.")
        {
            settings, environment, json, prefix, noKafka,
        };
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            IReadOnlyList<QueueStats> queues;
            ConnectivityReport? kafka = null;
            try
            {
                var mode = parse.GetValue(noKafka) ? HostMode.Process : HostMode.All;
                using var host = EventRouterHost.CreateBuilder(parse.ToHostSettings(mode, settings, environment)).Build();
                queues = await new StatsService(host.Services.GetRequiredService<QueueServiceClient>()).QueuesAsync(parse.GetValue(prefix), ct);
                if (!parse.GetValue(noKafka))
                {
                    kafka = await new KafkaConnectivityCheck(host.Services.GetRequiredService<IOptions<KafkaOptions>>(),
                        host.Services.GetRequiredService<KafkaClientConfigFactory>()).RunAsync(TimeSpan.FromSeconds(10), ct);
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

            if (parse.GetValue(json))
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new
                {
                    queues,
                    consumerGroup = kafka?.ConsumerGroup,
                    partitions = kafka?.Partitions,
                    kafkaError = kafka is { Ok: false } ? $"{kafka.FailedStep}: {kafka.Failure}" : null,
                }, PoisonCommand.JsonOptions));
            }
            else
            {
                var table = new Table().Title("Queues (approximate)").AddColumn("Queue").AddColumn(new TableColumn("Messages").RightAligned());
                foreach (var q in queues)
                {
                    var count = q.ApproximateMessages.ToString("N0");
                    table.AddRow(Markup.Escape(q.Name), q.Poison && q.ApproximateMessages > 0 ? $"[red]{count}[/]" : count);
                }
                console().Write(table);
                if (kafka is { Ok: true })
                {
                    var lag = new Table().Title($"Consumer group {Markup.Escape(kafka.ConsumerGroup)}").AddColumn("Topic").AddColumn(new TableColumn("Partition").RightAligned())
                        .AddColumn(new TableColumn("Committed").RightAligned()).AddColumn(new TableColumn("End").RightAligned()).AddColumn(new TableColumn("Lag").RightAligned());
                    foreach (var p in kafka.Partitions)
                        lag.AddRow(Markup.Escape(p.Topic), p.Partition.ToString(), p.Committed?.ToString("N0") ?? "-", p.High.ToString("N0"), p.Lag.ToString("N0"));
                    lag.AddRow("[bold]Total[/]", "", "", "", kafka.Partitions.Sum(p => p.Lag).ToString("N0"));
                    console().Write(lag);
                }
            }
            if (kafka is { Ok: false })
            {
                await error.WriteLineAsync($"eventrouter stats: Kafka {kafka.FailedStep} failed: {kafka.Failure}");
                return ExitCodes.Failed;
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
