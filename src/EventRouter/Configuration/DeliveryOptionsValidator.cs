using EventRouter.Delivery;
using Microsoft.Extensions.Options;

namespace EventRouter.Configuration;

/// <summary>Start-up checks of <see cref="DeliveryOptions"/>, naming the setting.</summary>
public sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        var failures = new List<string>();
        var section = DeliveryOptions.SectionName;
        if (options.MaxConcurrency is < 1 or > 1024) failures.Add($"{section}:MaxConcurrency must be between 1 and 1024 (is {options.MaxConcurrency}).");
        if (options.MaxRetries is < 0 or > 20) failures.Add($"{section}:MaxRetries must be between 0 and 20 (is {options.MaxRetries}).");
        if (options.RetryDelay <= TimeSpan.Zero) failures.Add($"{section}:RetryDelay must be positive (is {options.RetryDelay}).");
        if (options.MaxRetryDelay < options.RetryDelay) failures.Add($"{section}:MaxRetryDelay must not be shorter than {section}:RetryDelay.");
        if (options.NetworkTimeout <= TimeSpan.Zero) failures.Add($"{section}:NetworkTimeout must be positive (is {options.NetworkTimeout}).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
