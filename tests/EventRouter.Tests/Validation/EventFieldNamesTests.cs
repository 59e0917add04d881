using EventRouter.Validation;

namespace EventRouter.Tests.Validation;

public sealed class EventFieldNamesTests
{
    [Fact]
    public void Default_IsTheProvidersNames()
    {
        var names = EventFieldNames.Default;

        Assert.Equal(("id", "type", "created_at", "object"), (names.Id, names.Type, names.CreatedAt, names.Object));
        Assert.True(names.TypeUtf8.SequenceEqual("type"u8));
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("   ", "is only whitespace")]
    [InlineData(" type", "starts or ends with whitespace")]
    [InlineData("type\n", "starts or ends with whitespace")]
    [InlineData("ty\u0001pe", "contains a control character")]
    public void Constructor_UnusableName_ThrowsNamingTheProblem(string name, string problem)
    {
        var exception = Assert.Throws<ArgumentException>(() => new EventFieldNames("id", name, "created_at", "object"));

        Assert.Equal("type", exception.ParamName);
        Assert.Contains(problem, exception.Message);
    }

    // Built in code: a lone surrogate in [InlineData] does not survive test discovery's serialisation.
    [Fact]
    public void Constructor_UnpairedSurrogate_Throws()
    {
        var name = "type" + '\ud800';

        var exception = Assert.Throws<ArgumentException>(() => new EventFieldNames("id", name, "created_at", "object"));

        Assert.Contains("unpaired surrogate", exception.Message);
    }

    [Fact]
    public void Constructor_NameLongerThanTheMaximum_Throws()
    {
        _ = new EventFieldNames(new string('a', EventFieldNames.MaxNameLength), "type", "created_at", "object");

        var exception = Assert.Throws<ArgumentException>(() => new EventFieldNames(new string('a', EventFieldNames.MaxNameLength + 1), "type", "created_at", "object"));

        Assert.Contains($"at most {EventFieldNames.MaxNameLength}", exception.Message);
    }

    [Fact]
    public void Constructor_OneNameForTwoFields_Throws()
    {
        var exception = Assert.Throws<ArgumentException>(() => new EventFieldNames("id", "kind", "kind", "object"));

        Assert.Contains("own name", exception.Message);
    }
}
