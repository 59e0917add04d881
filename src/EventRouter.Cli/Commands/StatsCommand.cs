using System.CommandLine;
using System.Text.Json;
using Azure.Storage.Queues;
using EventRouter.Cli.Hosting;
using EventRouter.Cli.Operations;
using EventRouter.Delivery;
using EventRouter.Routing;
using Confluent.Kafka;
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
            IReadOnlyList<RouteStats> routes;
            IReadOnlyList<PartitionLag>? lag = null;
            GroupMembership? membership = null;
            string? kafkaError = null;
            string consumerGroup = "";
            try
            {
                var mode = parse.GetValue(noKafka) ? HostMode.Process : HostMode.All;
                using var host = EventRouterHost.CreateBuilder(parse.ToHostSettings(mode, settings, environment)).Build();
                var stats = new StatsService(host.Services.GetRequiredService<StorageAccounts>(), host.Services.GetRequiredService<RouteTable>());
                queues = await stats.QueuesAsync(parse.GetValue(prefix), ct);
                routes = stats.RouteTotals(queues);
                if (!parse.GetValue(noKafka))
                {
                    var options = host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value;
                    consumerGroup = options.ConsumerGroup ?? "";
                    using var admin = new KafkaGroupAdmin(host.Services.GetRequiredService<KafkaClientConfigFactory>(), TimeSpan.FromSeconds(10), "eventrouter-stats");
                    try
                    {
                        lag = await admin.LagAsync(consumerGroup, options.EnabledTopics().Select(t => t.Topic));
                        membership = await admin.DescribeAsync(consumerGroup);
                    }
                    catch (KafkaException ex)
                    {
                        kafkaError = ex.Error.Reason;
                    }
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
                    routes,
                    consumerGroup = lag is null ? null : consumerGroup,
                    members = membership is { Describable: true } ? membership.Members : null,
                    partitions = lag,
                    kafkaError,
                }, PoisonCommand.JsonOptions));
            }
            else
            {
                var table = new Table().Title("Queues (approximate)").AddColumn(TableOutput.Id("Queue")).AddColumn(new TableColumn("Messages").RightAligned());
                // The account column only when shards spread over more than one connection.
                var accounts = queues.Select(q => q.Connection).Distinct(StringComparer.Ordinal).Count() > 1;
                if (accounts) table.AddColumn("Connection");
                foreach (var q in queues)
                {
                    var count = q.ApproximateMessages.ToString("N0");
                    var cells = new List<string> { Markup.Escape(q.Name), q.Poison && q.ApproximateMessages > 0 ? $"[red]{count}[/]" : count };
                    if (accounts) cells.Add(Markup.Escape(q.Connection));
                    table.AddRow(cells.ToArray());
                }
                foreach (var r in routes)
                {
                    var cells = new List<string> { $"[bold]{Markup.Escape(r.Route)} ({r.Shards} shards)[/]", $"[bold]{r.ApproximateMessages:N0}[/]" };
                    if (accounts) cells.Add("");
                    table.AddRow(cells.ToArray());
                    cells = [$"[bold]{Markup.Escape(r.PoisonQueues)}[/]", r.PoisonMessages > 0 ? $"[red]{r.PoisonMessages:N0}[/]" : "0"];
                    if (accounts) cells.Add("");
                    table.AddRow(cells.ToArray());
                }
                TableOutput.Write(console(), table);
                if (lag is not null)
                {
                    var members = membership is { Describable: true } ? $"{membership.Members.Count} member(s), {membership.State}" : "members unknown: the broker cannot describe groups";
                    var table2 = new Table().Title($"Consumer group {Markup.Escape(consumerGroup)} ({Markup.Escape(members)})").AddColumn("Topic").AddColumn(new TableColumn("Partition").RightAligned())
                        .AddColumn(new TableColumn("Committed").RightAligned()).AddColumn(new TableColumn("End").RightAligned()).AddColumn(new TableColumn("Lag").RightAligned());
                    foreach (var p in lag)
                        table2.AddRow(Markup.Escape(p.Topic), p.Partition.ToString(), p.Committed?.ToString("N0") ?? "-", p.High.ToString("N0"), p.Lag.ToString("N0"));
                    table2.AddRow("[bold]Total[/]", "", "", "", lag.Sum(p => p.Lag).ToString("N0"));
                    console().Write(table2);
                }
            }
            if (kafkaError is not null)
            {
                await error.WriteLineAsync($"eventrouter stats: Kafka: {kafkaError}");
                return ExitCodes.Failed;
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
