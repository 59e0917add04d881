using EventRouter.Processing;

namespace EventRouter.Tests.Processing;

public sealed class ProcessingOptionsValidatorTests
{
    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(200, true)]
    [InlineData(60_000, true)]
    [InlineData(60_001, false)]
    public void Validate_PartialBatchDelay_ZeroToOneMinute(int milliseconds, bool valid)
    {
        var result = new ProcessingOptionsValidator().Validate(null, new ProcessingOptions { PartialBatchDelay = TimeSpan.FromMilliseconds(milliseconds) });

        Assert.Equal(valid, result.Succeeded);
        if (!valid) Assert.Contains("Processing:PartialBatchDelay", result.FailureMessage);
    }
}
