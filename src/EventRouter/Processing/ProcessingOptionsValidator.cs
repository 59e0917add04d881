using Microsoft.Extensions.Options;

namespace EventRouter.Processing;

/// <summary>Start-up checks of <see cref="ProcessingOptions"/>, naming the setting.</summary>
public sealed class ProcessingOptionsValidator : IValidateOptions<ProcessingOptions>
{
    public ValidateOptionsResult Validate(string? name, ProcessingOptions options)
    {
        var failures = new List<string>();
        var section = ProcessingOptions.SectionName;
        if (options.BatchSize is < 1 or > 32) failures.Add($"{section}:BatchSize must be between 1 and 32 (is {options.BatchSize}).");
        if (options.MaxDequeueCount < 1) failures.Add($"{section}:MaxDequeueCount must be at least 1 (is {options.MaxDequeueCount}).");
        if (options.VisibilityTimeout < TimeSpan.FromSeconds(1) || options.VisibilityTimeout > TimeSpan.FromDays(7))
            failures.Add($"{section}:VisibilityTimeout must be between 1 second and 7 days (is {options.VisibilityTimeout}).");
        if (options.RetryVisibilityTimeout < TimeSpan.Zero || options.RetryVisibilityTimeout > TimeSpan.FromDays(7))
            failures.Add($"{section}:RetryVisibilityTimeout must be between 0 and 7 days (is {options.RetryVisibilityTimeout}).");
        if (options.MaxPollingInterval < TimeSpan.FromMilliseconds(100))
            failures.Add($"{section}:MaxPollingInterval must be at least 100 ms (is {options.MaxPollingInterval}).");
        if (options.PartialBatchDelay < TimeSpan.Zero || options.PartialBatchDelay > TimeSpan.FromMinutes(1))
            failures.Add($"{section}:PartialBatchDelay must be between 0 and 1 minute (is {options.PartialBatchDelay}).");
        if (options.IdempotencyClaimTimeout <= TimeSpan.Zero)
            failures.Add($"{section}:IdempotencyClaimTimeout must be positive (is {options.IdempotencyClaimTimeout}).");
        if (options.HeldClaimRetryDelay < TimeSpan.Zero || options.HeldClaimRetryDelay > TimeSpan.FromDays(7))
            failures.Add($"{section}:HeldClaimRetryDelay must be between 0 and 7 days (is {options.HeldClaimRetryDelay}).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
