using System.CommandLine;
using System.Text.Json;
using EventRouter.Cli.Hosting;
using EventRouter.Configuration;
using EventRouter.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace EventRouter.Cli.Commands;

/// <summary>
/// <c>eventrouter config validate</c> runs exactly the start-up validation of <c>run</c> without
/// connecting anywhere; <c>eventrouter routes list</c> prints the effective route table.
/// </summary>
internal static class ConfigCommand
{
    public static Command CreateConfig(Func<IAnsiConsole> console)
    {
        var settings = CommonOptions.Settings();
        var environment = CommonOptions.Environment();
        var json = CommonOptions.Json();
        var validate = new Command("validate", "Check the configuration as `run` would at start-up, without connecting anywhere.") { settings, environment, json };
        validate.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            HostApplicationBuilder? builder = null;
            try
            {
                builder = EventRouterHost.CreateBuilder(parse.ToHostSettings(HostMode.All, settings, environment));
                using var host = builder.Build();
                host.Services.GetRequiredService<IStartupValidator>().Validate();
                var unknown = UnknownSettingsReporter.Find(builder.Configuration);
                if (parse.GetValue(json))
                {
                    output.WriteLine(JsonSerializer.Serialize(new { valid = true, errors = Array.Empty<string>(), unknownSettings = Unknown(unknown) }, PoisonCommand.JsonOptions));
                }
                else
                {
                    output.WriteLine("The configuration is valid.");
                    WriteUnknown(unknown, output);
                }
                return ExitCodes.Ok;
            }
            catch (Exception ex) when (parse.GetValue(json) && ConfigurationErrors.Describe(ex) is { } errors)
            {
                var unknown = builder is null ? [] : UnknownSettingsReporter.Find(builder.Configuration);
                output.WriteLine(JsonSerializer.Serialize(new { valid = false, errors, unknownSettings = Unknown(unknown) }, PoisonCommand.JsonOptions));
                return ExitCodes.InvalidConfiguration;
            }
            catch (Exception ex) when (ConfigurationErrors.TryReport(ex, parse.InvocationConfiguration.Error))
            {
                if (builder is not null) WriteUnknown(UnknownSettingsReporter.Find(builder.Configuration), parse.InvocationConfiguration.Error);
                return ExitCodes.InvalidConfiguration;
            }
        });
        return new Command("config", "Inspect the configuration.") { validate };
    }

    private static object[] Unknown(IReadOnlyList<UnknownSetting> unknown) =>
        unknown.Select(u => (object)new { key = u.Key, suggestion = u.Suggestion }).ToArray();

    /// <summary>Unknown keys are not errors (the binder ignores them), but each is named: most are typos.</summary>
    private static void WriteUnknown(IReadOnlyList<UnknownSetting> unknown, TextWriter writer)
    {
        if (unknown.Count == 0) return;
        writer.WriteLine($"{unknown.Count} unknown setting(s), ignored:");
        foreach (var setting in unknown) writer.WriteLine($"  - {UnknownSettingsReporter.Describe(setting)}");
    }

    public static Command CreateRoutes(Func<IAnsiConsole> console)
    {
        var settings = CommonOptions.Settings();
        var environment = CommonOptions.Environment();
        var json = CommonOptions.Json();
        var list = new Command("list", "Show which queue each event category goes to, with overrides.") { settings, environment, json };
        list.SetAction(parse =>
        {
            try
            {
                using var host = EventRouterHost.CreateBuilder(parse.ToHostSettings(HostMode.Process, settings, environment)).Build();
                var options = host.Services.GetRequiredService<IOptions<RoutingOptions>>().Value;
                var routes = host.Services.GetRequiredService<RouteTable>();
                var rows = new List<(string Route, string Queue, string Rule)>();
                var categories = (options.KnownCategories ?? RoutingDefaults.KnownCategories).Concat(options.AdditionalCategories);
                foreach (var category in categories.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                {
                    var (queue, kind) = routes.Resolve(options.NotificationsTopic, $"{category}.*".AsSpan());
                    rows.Add(($"{category}.*", queue, kind.ToString()));
                }
                foreach (var (pattern, queue) in options.Overrides.OrderBy(o => o.Key, StringComparer.Ordinal)) rows.Add((pattern, queue, "Override"));
                rows.Add(($"topic {options.PricesTopic}", routes.PricesQueue, "Prices"));
                rows.Add(("any other type", routes.UnroutedQueue, "Unrouted"));
                rows.Add(("invalid record", routes.PoisonQueue, "Poison"));
                if (parse.GetValue(json))
                {
                    parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(
                        rows.Select(r => new { route = r.Route, queue = r.Queue, rule = r.Rule }), PoisonCommand.JsonOptions));
                    return ExitCodes.Ok;
                }
                var table = new Table().AddColumn("Route").AddColumn(TableOutput.Id("Queue")).AddColumn("Rule");
                foreach (var (route, queue, rule) in rows) table.AddRow(Markup.Escape(route), Markup.Escape(queue), Markup.Escape(rule));
                TableOutput.Write(console(), table);
                return ExitCodes.Ok;
            }
            catch (Exception ex) when (ConfigurationErrors.TryReport(ex, parse.InvocationConfiguration.Error))
            {
                return ExitCodes.InvalidConfiguration;
            }
        });
        return new Command("routes", "Inspect the route table.") { list };
    }
}
