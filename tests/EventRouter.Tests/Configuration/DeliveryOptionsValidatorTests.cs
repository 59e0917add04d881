using EventRouter.Configuration;
using EventRouter.Delivery;
using Microsoft.Extensions.Options;

namespace EventRouter.Tests.Configuration;

public sealed class DeliveryOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = Validate(new DeliveryOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1024, 20)]
    public void Validate_Boundaries_Succeed(int maxConcurrency, int maxRetries)
    {
        var result = Validate(new DeliveryOptions { MaxConcurrency = maxConcurrency, MaxRetries = maxRetries });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1025)]
    public void Validate_MaxConcurrencyOutOfRange_NamesSetting(int value)
    {
        var result = Validate(new DeliveryOptions { MaxConcurrency = value });

        AssertSingleFailure(result, "Delivery:MaxConcurrency", $"(is {value})");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(21)]
    public void Validate_MaxRetriesOutOfRange_NamesSetting(int value)
    {
        var result = Validate(new DeliveryOptions { MaxRetries = value });

        AssertSingleFailure(result, "Delivery:MaxRetries", $"(is {value})");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Validate_NonPositiveRetryDelay_NamesSetting(int milliseconds)
    {
        var result = Validate(new DeliveryOptions { RetryDelay = TimeSpan.FromMilliseconds(milliseconds) });

        AssertSingleFailure(result, "Delivery:RetryDelay", "must be positive");
    }

    [Fact]
    public void Validate_MaxRetryDelayShorterThanRetryDelay_NamesBoth()
    {
        var result = Validate(new DeliveryOptions { RetryDelay = TimeSpan.FromSeconds(2), MaxRetryDelay = TimeSpan.FromSeconds(1) });

        AssertSingleFailure(result, "Delivery:MaxRetryDelay", "Delivery:RetryDelay");
    }

    [Fact]
    public void Validate_MaxRetryDelayEqualToRetryDelay_Succeeds()
    {
        var result = Validate(new DeliveryOptions { RetryDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(1) });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_NonPositiveNetworkTimeout_NamesSetting()
    {
        var result = Validate(new DeliveryOptions { NetworkTimeout = TimeSpan.Zero });

        AssertSingleFailure(result, "Delivery:NetworkTimeout", "must be positive");
    }

    [Fact]
    public void Validate_EverythingWrong_ReportsEverySetting()
    {
        var result = Validate(new DeliveryOptions
        {
            MaxConcurrency = 0, MaxRetries = 99, RetryDelay = TimeSpan.FromSeconds(10), MaxRetryDelay = TimeSpan.FromSeconds(1), NetworkTimeout = TimeSpan.FromSeconds(-1),
        });

        Assert.True(result.Failed);
        Assert.Equal(4, result.Failures!.Count());
        foreach (var setting in new[] { "Delivery:MaxConcurrency", "Delivery:MaxRetries", "Delivery:MaxRetryDelay", "Delivery:NetworkTimeout" })
        {
            Assert.Contains(setting, result.FailureMessage);
        }
    }

    private static ValidateOptionsResult Validate(DeliveryOptions options) => new DeliveryOptionsValidator().Validate(null, options);

    private static void AssertSingleFailure(ValidateOptionsResult result, string setting, string problem)
    {
        Assert.True(result.Failed, "expected a failure naming " + setting);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains(setting, failure, StringComparison.Ordinal);
        Assert.Contains(problem, failure, StringComparison.Ordinal);
    }
}
