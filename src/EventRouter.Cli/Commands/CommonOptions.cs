using System.CommandLine;
using EventRouter.Cli.Hosting;

namespace EventRouter.Cli.Commands;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public static Option<string[]> Settings() => new("--settings")
    {
        Description = "A JSON settings file (same keys as appsettings.json); may be repeated, later files win.",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string?> Environment() => new("--environment")
    {
        Description = "Host environment name (Development allows plaintext Kafka). Default: DOTNET_ENVIRONMENT or Production.",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Write machine-readable JSON to stdout instead of tables.",
    };

    public static HostSettings ToHostSettings(this ParseResult parse, HostMode mode, Option<string[]> settings, Option<string?> environment) =>
        new(mode)
        {
            SettingsFiles = parse.GetValue(settings) ?? [],
            Environment = parse.GetValue(environment),
        };
}
