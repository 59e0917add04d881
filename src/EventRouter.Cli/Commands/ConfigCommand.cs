using System.CommandLine;
using EventRouter.Cli.Hosting;
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
    public static Command CreateConfig()
    {
        var settings = CommonOptions.Settings();
        var environment = CommonOptions.Environment();
        var validate = new Command("validate", "Check the configuration as `run` would at start-up, without connecting.") { settings, environment };
        validate.SetAction(parse =>
        {
            try
            {
                using var host = EventRouterHost.CreateBuilder(parse.ToHostSettings(HostMode.All, settings, environment)).Build();
                host.Services.GetRequiredService<IStartupValidator>().Validate();
                parse.InvocationConfiguration.Output.WriteLine("The configuration is valid.");
                return ExitCodes.Ok;
            }
            catch (Exception ex) when (ConfigurationErrors.TryReport(ex, parse.InvocationConfiguration.Error))
            {
                return ExitCodes.InvalidConfiguration;
            }
        });
        return new Command("config", "Inspect the configuration.") { validate };
    }

    public static Command CreateRoutes(Func<IAnsiConsole> console)
    {
        var settings = CommonOptions.Settings();
        var environment = CommonOptions.Environment();
        var list = new Command("list", "Show which queue each event category goes to, with overrides.") { settings, environment };
        list.SetAction(parse =>
        {
            try
            {
                using var host = EventRouterHost.CreateBuilder(parse.ToHostSettings(HostMode.Process, settings, environment)).Build();
                var options = host.Services.GetRequiredService<IOptions<RoutingOptions>>().Value;
                var routes = host.Services.GetRequiredService<RouteTable>();
                var table = new Table().AddColumn("Route").AddColumn("Queue").AddColumn("Rule");
                var categories = (options.KnownCategories ?? RoutingDefaults.KnownCategories).Concat(options.AdditionalCategories);
                foreach (var category in categories.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                {
                    var (queue, kind) = routes.Resolve(options.NotificationsTopic, $"{category}.*".AsSpan());
                    table.AddRow(Markup.Escape($"{category}.*"), Markup.Escape(queue), kind.ToString());
                }
                foreach (var (pattern, queue) in options.Overrides.OrderBy(o => o.Key, StringComparer.Ordinal))
                {
                    table.AddRow(Markup.Escape(pattern), Markup.Escape(queue), "Override");
                }
                table.AddRow(Markup.Escape($"topic {options.PricesTopic}"), Markup.Escape(routes.PricesQueue), "Prices");
                table.AddRow("any other type", Markup.Escape(routes.UnroutedQueue), "Unrouted");
                table.AddRow("invalid record", Markup.Escape(routes.PoisonQueue), "Poison");
                console().Write(table);
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
