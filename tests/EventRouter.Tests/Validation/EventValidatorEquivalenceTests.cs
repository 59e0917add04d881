using System.Text;
using EventRouter.Testing;
using EventRouter.Tests.Hostile;
using EventRouter.Validation;

namespace EventRouter.Tests.Validation;

/// <summary>
/// <see cref="EventValidator"/> must decide every value exactly as <see cref="ReferenceEventValidator"/>
/// (the validator before its performance work) does: same validity, reason, message, id and type, for
/// the provider's field names and for other names, on the hostile corpus and on mutated events.
/// </summary>
public sealed class EventValidatorEquivalenceTests
{
    private const int MutatedCases = 30_000;
    private const int Seed = 20261123;

    /// <summary>The provider's names; the same names in other roles (so "type" must be a UUID...); a stream's names.</summary>
    private static readonly EventFieldNames[] NameSets =
    [
        EventFieldNames.Default,
        new("type", "object", "id", "created_at"),
        new("event_id", "event_type", "timestamp", "data"),
    ];

    [Fact]
    public void Validate_HostileCorpus_SameAsReference()
    {
        var values = HostileCorpus.All.Values.Select(c => c.Value).OfType<byte[]>().ToList();
        Assert.True(values.Count >= 60, $"only {values.Count} hostile values");

        foreach (var value in values)
        {
            foreach (var names in NameSets) AssertSame(value, names, "hostile corpus");
        }
    }

    [Fact]
    public void Validate_MutatedEvents_SameAsReference()
    {
        var outcomes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < MutatedCases; i++)
        {
            var (_, value) = MutationFuzzTests.MakeCase(Seed, i);
            if (value is null) continue;
            foreach (var names in NameSets)
            {
                var result = AssertSame(value, names, $"case {i}");
                outcomes.Add(result.IsValid ? "valid" : result.Reason.ToString());
            }
        }

        // Not a vacuous comparison: the mutations reach valid events and most kinds of poison.
        Assert.Contains("valid", outcomes);
        Assert.True(outcomes.Count >= 8, "outcomes reached: " + string.Join(", ", outcomes));
    }

    [Theory]
    [InlineData("""{"id":"5F0C7A36-3D0E-4F6B-9A53-2A6B0F6F1C11","created_at":"2024-05-01T12:34:56Z","type":"USER.CREATED","object":{}}""")]
    [InlineData("""{"id":"5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c1g","created_at":"2024-05-01T12:34:56Z","type":"USER.CREATED","object":{}}""")]
    [InlineData("""{"id":"\u0035f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11","created_at":"2024-05-01T12:34:56\u005a","type":"US\u0045R.CREATED","object":{}}""")]
    [InlineData("""{"\u0069d":"5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11","created_at":"2024-02-30T12:34:56Z","type":"USER.CREATED","object":[]}""")]
    [InlineData("""{"id":1,"id":2,"created_at":null,"type":"","object":"x"}""")]
    [InlineData("""{"object":{"a":[1,{"b":null}]},"type":"\ud800","created_at":"2024-05-01T12:34:56+24:00","id":"x"}""")]
    [InlineData("""{"created_at":"2024-05-01T12:34:56.123456789-08:00","object":{},"type":"ORDER.FILLED"}""")]
    [InlineData("""[{"id":"5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11"}]""")]
    [InlineData("""{"id":"5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11","created_at":"2024-05-01T12:34:56Z","type":"USER.CREATED","object":{}} {}""")]
    public void Validate_EdgeCases_SameAsReference(string json)
    {
        foreach (var names in NameSets) AssertSame(Encoding.UTF8.GetBytes(json), names, json);
    }

    private static EventValidationResult AssertSame(byte[] value, EventFieldNames names, string what)
    {
        var expected = ReferenceEventValidator.Validate(value, names);
        var actual = EventValidator.Validate(value, names);
        var where = $"{what} with {names}: {Convert.ToBase64String(value)}";

        Assert.True(expected.IsValid == actual.IsValid, $"validity differs ({expected.Error} / {actual.Error}) for {where}");
        if (!expected.IsValid)
        {
            Assert.True(expected.Reason == actual.Reason, $"reason {actual.Reason}, expected {expected.Reason}, for {where}");
            Assert.True(expected.Error == actual.Error, $"message '{actual.Error}', expected '{expected.Error}', for {where}");
            return actual;
        }
        Assert.True(expected.Id == actual.Id, $"id {actual.Id}, expected {expected.Id}, for {where}");
        Assert.True(expected.GetEventType(value) == actual.GetEventType(value), $"type differs for {where}");
        Assert.True(expected.TryGetTypeUtf8(value, out var expectedType) == actual.TryGetTypeUtf8(value, out var actualType)
            && expectedType.SequenceEqual(actualType), $"type bytes differ for {where}");
        return actual;
    }
}
