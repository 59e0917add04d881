using EventRouter.Cli.Commands;

namespace EventRouter.Cli.Tests.Commands;

public sealed class TextFormatTests
{
    [Theory]
    [InlineData(0, 0, 0, "0:00:00")]
    [InlineData(0, 5, 3, "0:05:03")]
    [InlineData(1, 8, 40, "1:08:40")]
    [InlineData(26, 0, 1, "26:00:01")]
    public void Elapsed_KeepsTheHours(int hours, int minutes, int seconds, string expected) =>
        Assert.Equal(expected, TextFormat.Elapsed(new TimeSpan(hours, minutes, seconds)));

    [Fact]
    public void Elapsed_Negative_IsZero() => Assert.Equal("0:00:00", TextFormat.Elapsed(TimeSpan.FromSeconds(-3)));

    [Theory]
    [InlineData("200", 200)]
    [InlineData("80", 80)]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("0", null)]
    [InlineData("-5", null)]
    [InlineData("wide", null)]
    public void RedirectedWidth_TakesAPositiveColumns(string? columns, int? expected) =>
        Assert.Equal(expected, TextFormat.RedirectedWidth(columns));
}
