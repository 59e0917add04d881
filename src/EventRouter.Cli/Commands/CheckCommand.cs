using System.CommandLine;
using System.Text.Json;
using EventRouter.Cli.Hosting;
using EventRouter.Configuration;
using EventRouter.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace EventRouter.Cli.Commands;

/// <summary>
/// <c>eventrouter check</c>: like <c>kcat -L</c> with the configured settings. Runs DNS, TCP, TLS,
/// SASL, metadata, topics and group one after the other and shows each in a table (or as JSON with
/// <c>--json</c>), with partitions, watermarks, and, when <c>Kafka:ConsumerGroup</c> is set, the
/// group's committed offsets and lag. A failure names the step and the setting; exit 1.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(Func<IAnsiConsole> console)
    {
        var settings = CommonOptions.Settings();
        var environment = CommonOptions.Environment();
        var json = CommonOptions.Json();
        var timeout = new Option<int>("--timeout") { Description = "Seconds each step may take.", DefaultValueFactory = _ => 10 };
        var command = new Command("check", "Check the Kafka connection step by step (DNS, TCP, TLS, SASL, metadata, topics, group) with the configured settings.")
        {
            settings, environment, json, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            ConnectivityReport report;
            try
            {
                KafkaNativeLibrary.EnsureLoaded();
                var builder = EventRouterHost.CreateBuilder(parse.ToHostSettings(HostMode.Ingest, settings, environment));
                // The check's own named options: the worker's rules, Kafka:ConsumerGroup optional.
                builder.Services.AddOptions<KafkaOptions>(KafkaOptionsValidator.CheckOptionsName).Bind(builder.Configuration.GetSection(KafkaOptions.SectionName));
                using var host = builder.Build();
                var options = Options.Create(host.Services.GetRequiredService<IOptionsMonitor<KafkaOptions>>().Get(KafkaOptionsValidator.CheckOptionsName));
                var check = new KafkaConnectivityCheck(options, new KafkaClientConfigFactory(options));
                report = await check.RunAsync(TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellationToken: cancellationToken);
            }
            catch (Exception ex) when (ConfigurationErrors.TryReport(ex, error))
            {
                return ExitCodes.InvalidConfiguration;
            }
            catch (KafkaNativeLibraryException ex)
            {
                await error.WriteLineAsync($"eventrouter: {ex.Message}");
                return ExitCodes.Failed;
            }

            if (parse.GetValue(json))
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
            }
            else
            {
                Render(console(), report);
            }
            if (!report.Ok) await error.WriteLineAsync($"eventrouter check: {report.FailedStep} failed: {report.Failure}");
            return report.Ok ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static void Render(IAnsiConsole console, ConnectivityReport report)
    {
        var steps = new Table().AddColumn("Step").AddColumn("Status").AddColumn("Result");
        foreach (var step in report.Steps)
        {
            var status = step.Status switch { "ok" => "[green]ok[/]", "failed" => "[red]failed[/]", _ => "[grey]not used[/]" };
            steps.AddRow(Markup.Escape(step.Step), status, Markup.Escape(step.Detail));
        }
        console.Write(steps);
        if (report.Partitions.Count == 0) return;

        var title = report.ConsumerGroup is null ? $"Partitions (no {KafkaSettingNames.ConsumerGroup}: no lag)" : $"Consumer group {Markup.Escape(report.ConsumerGroup)}";
        var partitions = new Table().Title(title)
            .AddColumn("Topic").AddColumn(new TableColumn("Partition").RightAligned()).AddColumn(new TableColumn("Low").RightAligned())
            .AddColumn(new TableColumn("High").RightAligned()).AddColumn(new TableColumn("Committed").RightAligned()).AddColumn(new TableColumn("Lag").RightAligned());
        foreach (var p in report.Partitions)
        {
            partitions.AddRow(Markup.Escape(p.Topic), p.Partition.ToString(), p.Low.ToString("N0"), p.High.ToString("N0"),
                p.Committed?.ToString("N0") ?? "-", p.Lag?.ToString("N0") ?? "-");
        }
        console.Write(partitions);
    }
}
