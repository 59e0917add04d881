using System.CommandLine;
using System.Text.Json;
using EventRouter.Cli.Hosting;
using EventRouter.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace EventRouter.Cli.Commands;

/// <summary>
/// <c>eventrouter check</c>: like <c>kcat -L</c> with the configured settings. Connects,
/// authenticates, lists the configured topics with partitions, watermarks, the group's committed
/// offsets and lag. A failure names the step (DNS, TCP, TLS, SASL, Topic) in one line; exit 1.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(Func<IAnsiConsole> console)
    {
        var settings = CommonOptions.Settings();
        var environment = CommonOptions.Environment();
        var json = CommonOptions.Json();
        var timeout = new Option<int>("--timeout") { Description = "Seconds each step may take.", DefaultValueFactory = _ => 10 };
        var command = new Command("check", "Check the Kafka connection, topics and consumer group lag with the configured settings.")
        {
            settings, environment, json, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            ConnectivityReport report;
            try
            {
                using var host = EventRouterHost.CreateBuilder(parse.ToHostSettings(HostMode.Ingest, settings, environment)).Build();
                var services = host.Services;
                var check = new KafkaConnectivityCheck(services.GetRequiredService<IOptions<KafkaOptions>>(), services.GetRequiredService<KafkaClientConfigFactory>());
                report = await check.RunAsync(TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellationToken);
            }
            catch (Exception ex) when (ConfigurationErrors.TryReport(ex, error))
            {
                return ExitCodes.InvalidConfiguration;
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
        var steps = new Table().AddColumn("Step").AddColumn("Result");
        foreach (var step in report.Steps) steps.AddRow(Markup.Escape(step.Step), "[green]ok[/] " + Markup.Escape(step.Detail));
        if (!report.Ok) steps.AddRow(Markup.Escape(report.FailedStep ?? "?"), "[red]failed[/] " + Markup.Escape(report.Failure ?? ""));
        console.Write(steps);
        if (report.Partitions.Count == 0) return;

        var partitions = new Table().Title($"Consumer group {Markup.Escape(report.ConsumerGroup)}")
            .AddColumn("Topic").AddColumn(new TableColumn("Partition").RightAligned()).AddColumn(new TableColumn("Low").RightAligned())
            .AddColumn(new TableColumn("High").RightAligned()).AddColumn(new TableColumn("Committed").RightAligned()).AddColumn(new TableColumn("Lag").RightAligned());
        foreach (var p in report.Partitions)
        {
            partitions.AddRow(Markup.Escape(p.Topic), p.Partition.ToString(), p.Low.ToString("N0"), p.High.ToString("N0"),
                p.Committed?.ToString("N0") ?? "-", p.Lag.ToString("N0"));
        }
        console.Write(partitions);
    }
}
