using System.Net;
using Microsoft.Extensions.Options;

namespace EventRouter.Cli.Hosting.Health;

/// <summary>
/// The worker's HTTP endpoints for an orchestrator (<c>eventrouter run</c> only): <c>/healthz</c>,
/// <c>/readyz</c> and <c>/metrics</c>. Off unless <see cref="Port"/> is set: a port nobody asked for
/// would collide with a second worker on the same machine.
/// </summary>
public sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>TCP port; 0 (the default) serves nothing.</summary>
    public int Port { get; set; }

    /// <summary>The address to listen on: loopback by default; <c>0.0.0.0</c> or <c>::</c> for every interface (a container).</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>How often storage is probed (a one-message peek at the unrouted queue) and the consumers' state read.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Not ready once storage has not answered for longer than this, or a partition has been paused on
    /// a storage failure for longer than this.
    /// </summary>
    public TimeSpan StorageFailureThreshold { get; set; } = TimeSpan.FromSeconds(60);

    public bool Enabled => Port != 0;
}

/// <summary>Start-up checks of <see cref="HealthOptions"/>, naming the setting.</summary>
public sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = HealthOptions.SectionName;
        if (options.Port is < 0 or > 65535) failures.Add($"{section}:Port must be between 1 and 65535, or 0 for no endpoints (is {options.Port}).");
        if (!IPAddress.TryParse(options.Address, out _)) failures.Add($"{section}:Address must be an IP address such as 127.0.0.1 (loopback) or 0.0.0.0 (every interface) (is '{options.Address}').");
        if (options.ProbeInterval < TimeSpan.FromMilliseconds(100) || options.ProbeInterval > TimeSpan.FromMinutes(5))
            failures.Add($"{section}:ProbeInterval must be between 100 ms and 5 minutes (is {options.ProbeInterval}).");
        if (options.StorageFailureThreshold < options.ProbeInterval)
            failures.Add($"{section}:StorageFailureThreshold must not be shorter than {section}:ProbeInterval (is {options.StorageFailureThreshold}).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
