using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace EventRouter.Telemetry;

/// <summary>The telemetry variables EventRouter reads itself, checked at start-up.</summary>
public sealed class TelemetrySettings
{
    public string? AzureMonitorConnectionString { get; set; }
    public string? OtlpEndpoint { get; set; }

    internal static void Read(IConfiguration configuration, TelemetrySettings settings)
    {
        settings.AzureMonitorConnectionString = configuration[TelemetryExporterSelection.AzureMonitorConnectionSetting];
        settings.OtlpEndpoint = configuration[TelemetryExporterSelection.OtlpEndpointSetting];
    }
}

/// <summary>
/// A malformed endpoint or connection string stops the host at start, naming the variable, instead
/// of an exporter failing (or sending nothing) later. Values are never repeated: a connection string
/// carries the resource's key.
/// </summary>
public sealed class TelemetrySettingsValidator : IValidateOptions<TelemetrySettings>
{
    public ValidateOptionsResult Validate(string? name, TelemetrySettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint)
            && !(Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https"))
        {
            failures.Add($"{TelemetryExporterSelection.OtlpEndpointSetting} must be an absolute http:// or https:// address (such as http://localhost:4318).");
        }

        if (!string.IsNullOrWhiteSpace(options.AzureMonitorConnectionString) && !HasInstrumentationKey(options.AzureMonitorConnectionString))
        {
            failures.Add($"{TelemetryExporterSelection.AzureMonitorConnectionSetting} must be an Application Insights connection string with an InstrumentationKey (the resource's Overview page shows it).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool HasInstrumentationKey(string connectionString)
    {
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part[..equals].Trim().Equals("InstrumentationKey", StringComparison.OrdinalIgnoreCase))
            {
                return Guid.TryParse(part[(equals + 1)..], out _);
            }
        }

        return false;
    }
}
