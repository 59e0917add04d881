namespace EventRouter.Tests;

public sealed class PoisonReasonCodesTests
{
    [Theory]
    [InlineData(PoisonReason.EmptyValue, "empty-value")]
    [InlineData(PoisonReason.NotUtf8, "not-utf8")]
    [InlineData(PoisonReason.InvalidJson, "invalid-json")]
    [InlineData(PoisonReason.NotAnObject, "not-an-object")]
    [InlineData(PoisonReason.MissingField, "missing-field")]
    [InlineData(PoisonReason.WrongType, "wrong-type")]
    [InlineData(PoisonReason.DuplicateField, "duplicate-field")]
    [InlineData(PoisonReason.InvalidId, "invalid-id")]
    [InlineData(PoisonReason.InvalidCreatedAt, "invalid-created-at")]
    [InlineData(PoisonReason.EmptyType, "empty-type")]
    [InlineData(PoisonReason.MaxDequeueCountExceeded, "max-dequeue-count-exceeded")]
    [InlineData(PoisonReason.InvalidEnvelope, "invalid-envelope")]
    public void ToCode_EachReason_IsItsStableCodeAndParsesBack(PoisonReason reason, string code)
    {
        Assert.Equal(code, reason.ToCode());
        Assert.True(PoisonReasonCodes.TryParse(code, out var parsed));
        Assert.Equal(reason, parsed);
    }

    [Fact]
    public void ToCode_AllReasons_AreDistinctKebabCase()
    {
        var codes = Enum.GetValues<PoisonReason>().Select(r => r.ToCode()).ToList();

        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, code => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", code));
    }

    [Theory]
    [InlineData("")]
    [InlineData("InvalidJson")]
    [InlineData("INVALID-JSON")]
    [InlineData("invalid_json")]
    public void TryParse_UnknownCode_ReturnsFalse(string code)
    {
        Assert.False(PoisonReasonCodes.TryParse(code, out _));
    }

    [Fact]
    public void ToCode_UndefinedValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((PoisonReason)999).ToCode());
    }
}
