using System.CommandLine;
using System.Text.Json;
using EventRouter.Cli.Hosting;
using EventRouter.Cli.Operations;
using EventRouter.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace EventRouter.Cli.Commands;

/// <summary><c>eventrouter replay --topic T --from TIME|OFFSET|beginning</c>: moves the configured group's committed offsets.</summary>
internal static class ReplayCommand
{
    public static Command Create(Func<IAnsiConsole> console)
    {
        var settings = CommonOptions.Settings();
        var environment = CommonOptions.Environment();
        var json = CommonOptions.Json();
        var topic = new Option<string>("--topic") { Description = "The topic whose offsets move.", Required = true };
        var from = new Option<string>("--from") { Description = "An RFC 3339 time (2026-11-22T09:00:00Z), an offset, or beginning.", Required = true };
        var partition = new Option<int?>("--partition") { Description = "Only this partition (default: all)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the offsets before and after; commit nothing." };
        var yes = new Option<bool>("--yes") { Description = "Really move the offsets (required unless --dry-run)." };
        var command = new Command("replay",
            "Move the consumer group's committed offsets so the workers read again from a time, an offset or the beginning. " +
            "Stop the workers first: replay refuses while the group has active members. A time finds, on each partition, " +
            "the first message at or after it.")
        {
            settings, environment, json, topic, from, partition, dryRun, yes,
        };
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (!ReplayFrom.TryParse(parse.GetValue(from)!, out var start))
            {
                await error.WriteLineAsync($"eventrouter replay: --from '{parse.GetValue(from)}' is not an RFC 3339 time with offset, an offset, or beginning.");
                return ExitCodes.InvalidConfiguration;
            }
            var apply = !parse.GetValue(dryRun);
            if (apply && !parse.GetValue(yes))
            {
                await error.WriteLineAsync("eventrouter replay: moves the group's committed offsets; add --yes to confirm (or --dry-run to look first).");
                return ExitCodes.InvalidConfiguration;
            }
            ReplayPlan plan;
            try
            {
                using var host = EventRouterHost.CreateBuilder(parse.ToHostSettings(HostMode.Ingest, settings, environment)).Build();
                var options = host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value;
                var configs = host.Services.GetRequiredService<KafkaClientConfigFactory>();
                if (KafkaTopicCheck.Problem(parse.GetValue(topic)!,
                        await Task.Run(() => KafkaTopicCheck.ListTopics(configs, options.BootstrapServers!, TimeSpan.FromSeconds(10)), ct)) is { } problem)
                {
                    await error.WriteLineAsync($"eventrouter replay: {problem}");
                    return ExitCodes.InvalidConfiguration;
                }
                var service = new ReplayService(configs, options.ConsumerGroup!);
                if (apply && await service.ActiveMembersAsync() is { } busy)
                {
                    await error.WriteLineAsync($"eventrouter replay: {busy}.");
                    return ExitCodes.Failed;
                }
                plan = await Task.Run(() => service.PlanAsync(parse.GetValue(topic)!, start!, parse.GetValue(partition)), ct);
                if (apply) await service.ApplyAsync(plan);
            }
            catch (Exception ex) when (ConfigurationErrors.TryReport(ex, error))
            {
                return ExitCodes.InvalidConfiguration;
            }
            catch (Exception ex) when (ex is ReplayException or Confluent.Kafka.KafkaException or KafkaUnreachableException)
            {
                await error.WriteLineAsync($"eventrouter replay: {ex.Message}");
                return ExitCodes.Failed;
            }

            if (parse.GetValue(json))
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new
                {
                    consumerGroup = plan.ConsumerGroup, topic = plan.Topic, from = plan.From.ToString(), dryRun = !apply, partitions = plan.Partitions,
                }, PoisonCommand.JsonOptions));
                return ExitCodes.Ok;
            }
            var table = new Table().Title($"{(apply ? "Replayed" : "Dry run")}: group {Markup.Escape(plan.ConsumerGroup)}, {Markup.Escape(plan.Topic)} from {Markup.Escape(plan.From.ToString())}")
                .AddColumn(new TableColumn("Partition").RightAligned()).AddColumn(new TableColumn("Low").RightAligned()).AddColumn(new TableColumn("End").RightAligned())
                .AddColumn(new TableColumn("Before").RightAligned()).AddColumn(new TableColumn(apply ? "After" : "Would be").RightAligned())
                .AddColumn(new TableColumn("Re-read").RightAligned()).AddColumn("Found by");
            foreach (var p in plan.Partitions)
            {
                table.AddRow(p.Partition.ToString(), p.Low.ToString("N0"), p.High.ToString("N0"), p.Before?.ToString("N0") ?? "-",
                    (apply ? p.After : p.Target)?.ToString("N0") ?? "-", p.Redelivered.ToString("N0"), Markup.Escape(p.How));
            }
            console().Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
