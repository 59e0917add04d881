using EventRouter.Routing;

namespace EventRouter.Tests.Routing;

public sealed class QueueNameRulesTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("prices")]
    [InlineData("events-user")]
    [InlineData("events-account-group")]
    [InlineData("a1b")]
    [InlineData("123")]
    [InlineData("a-b-c")]
    [InlineData("events-poison")]
    public void Validate_ValidName_ReturnsNull(string name)
    {
        Assert.Null(QueueNameRules.Validate(name));
    }

    [Fact]
    public void Validate_63Characters_IsValidAnd64IsNot()
    {
        Assert.Null(QueueNameRules.Validate(new string('a', 63)));

        var problem = QueueNameRules.Validate(new string('a', 64));

        Assert.NotNull(problem);
        Assert.Contains("longer than 63", problem);
    }

    [Fact]
    public void Validate_RoutedLimit_Allows56AndRejects57NamingThePoisonTwin()
    {
        Assert.Equal(56, QueueNameRules.MaxRoutedQueueNameLength);
        Assert.Equal(63, QueueNameRules.MaxRoutedQueueNameLength + RoutingDefaults.PoisonQueueSuffix.Length);
        Assert.Null(QueueNameRules.Validate(new string('a', 56), QueueNameRules.MaxRoutedQueueNameLength));

        var problem = QueueNameRules.Validate(new string('a', 57), QueueNameRules.MaxRoutedQueueNameLength);

        Assert.NotNull(problem);
        Assert.Contains("longer than 56", problem);
        Assert.Contains("-poison", problem);
    }

    [Theory]
    [InlineData(null, "is empty")]
    [InlineData("", "is empty")]
    [InlineData("ab", "shorter than 3")]
    [InlineData("Bad_Name", "lowercase letters, digits and hyphens")]
    [InlineData("Events", "lowercase letters, digits and hyphens")]
    [InlineData("events_user", "lowercase letters, digits and hyphens")]
    [InlineData("events.user", "lowercase letters, digits and hyphens")]
    [InlineData("events user", "lowercase letters, digits and hyphens")]
    [InlineData("évents", "lowercase letters, digits and hyphens")]
    [InlineData("-events", "start and end with a letter or digit")]
    [InlineData("events-", "start and end with a letter or digit")]
    [InlineData("events--user", "consecutive hyphens")]
    public void Validate_InvalidName_ExplainsWhy(string? name, string expected)
    {
        var problem = QueueNameRules.Validate(name);

        Assert.NotNull(problem);
        Assert.Contains(expected, problem);
        if (!string.IsNullOrEmpty(name)) Assert.Contains($"'{name}'", problem);
    }
}
