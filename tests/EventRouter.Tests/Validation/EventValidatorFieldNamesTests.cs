using System.Text;
using EventRouter.Validation;
using static EventRouter.Testing.EventJson;

namespace EventRouter.Tests.Validation;

/// <summary>The validator with configured field names: a stream shaped <c>{"event_id", "event_type", "timestamp", "data"}</c>.</summary>
public sealed class EventValidatorFieldNamesTests
{
    private static readonly EventFieldNames Fields = StreamFields;

    [Fact]
    public void Validate_StreamShapedEvent_IsValidWithTheSameIdAndTypeAsTheProviderShape()
    {
        var mapped = Utf8(Build(Fields));
        var provider = Utf8(Build());

        var mappedResult = EventValidator.Validate(mapped, Fields);
        var providerResult = EventValidator.Validate(provider);

        Assert.True(mappedResult.IsValid, mappedResult.Error);
        Assert.Equal(providerResult.Id, mappedResult.Id);
        Assert.Equal(providerResult.GetEventType(provider), mappedResult.GetEventType(mapped));
        Assert.True(mappedResult.TryGetTypeUtf8(mapped, out var typeUtf8));
        Assert.Equal(EventType, Encoding.UTF8.GetString(typeUtf8));
    }

    [Fact]
    public void Validate_ProviderShapedEventWithMappedNames_IsMissingTheMappedIdField()
    {
        var result = EventValidator.Validate(Utf8(Build()), Fields);

        Assert.False(result.IsValid);
        Assert.Equal(PoisonReason.MissingField, result.Reason);
        Assert.Equal("field 'event_id' is missing", result.Error);
    }

    [Fact]
    public void Validate_StreamShapedEventWithDefaultNames_IsMissingId()
    {
        var result = EventValidator.Validate(Utf8(Build(Fields)));

        Assert.False(result.IsValid);
        Assert.Equal(PoisonReason.MissingField, result.Reason);
        Assert.Equal("field 'id' is missing", result.Error);
    }

    // Every reason that names a field names it as configured.
    public static TheoryData<string, PoisonReason, string> Failures => new()
    {
        { Build(Fields, id: null), PoisonReason.MissingField, "field 'event_id' is missing" },
        { Build(Fields, createdAt: null), PoisonReason.MissingField, "field 'timestamp' is missing" },
        { Build(Fields, type: null), PoisonReason.MissingField, "field 'event_type' is missing" },
        { Build(Fields, obj: null), PoisonReason.MissingField, "field 'data' is missing" },
        { Build(Fields, id: "42"), PoisonReason.WrongType, "field 'event_id' must be a string, found number" },
        { Build(Fields, createdAt: "null"), PoisonReason.WrongType, "field 'timestamp' must be a string, found null" },
        { Build(Fields, type: "[]"), PoisonReason.WrongType, "field 'event_type' must be a string, found array" },
        { Build(Fields, obj: "\"x\""), PoisonReason.WrongType, "field 'data' must be an object, found string" },
        { Build(Fields, id: Quote("42")), PoisonReason.InvalidId, "field 'event_id' is not a UUID (expected the 36-character hyphenated form)" },
        { Build(Fields, createdAt: Quote("22/11/2026")), PoisonReason.InvalidCreatedAt, "field 'timestamp' is not an RFC 3339 date-time" },
        { Build(Fields, type: Quote("")), PoisonReason.EmptyType, "field 'event_type' is empty" },
        { Build(Fields, type: "\"\\ud800\""), PoisonReason.InvalidJson, "field 'event_type' contains an escaped unpaired UTF-16 surrogate and is not Unicode text" },
        { WithMember(Build(Fields), "\"event_type\":\"ORDER.FILLED\""), PoisonReason.DuplicateField, "field 'event_type' appears more than once" },
        { WithMember(Build(Fields), "\"data\":{}"), PoisonReason.DuplicateField, "field 'data' appears more than once" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Validate_InvalidStreamShapedEvent_ReasonNamesTheMappedField(string json, PoisonReason reason, string error)
    {
        var result = EventValidator.Validate(Utf8(json), Fields);

        Assert.False(result.IsValid);
        Assert.Equal(reason, result.Reason);
        Assert.Equal(error, result.Error);
    }

    [Fact]
    public void Validate_MappedFieldNameWrittenWithEscapes_MatchesAndCountsAsADuplicate()
    {
        // "event\u005ftype" is the member name event_type: it is the type field, so a second one is a duplicate.
        var escaped = Utf8(Build(Fields).Replace("\"event_type\"", "\"event\\u005ftype\"", StringComparison.Ordinal));
        var duplicate = Utf8(WithMember(Build(Fields), "\"event\\u005ftype\":\"ORDER.FILLED\""));

        var escapedResult = EventValidator.Validate(escaped, Fields);
        var duplicateResult = EventValidator.Validate(duplicate, Fields);

        Assert.True(escapedResult.IsValid, escapedResult.Error);
        Assert.Equal(EventType, escapedResult.GetEventType(escaped));
        Assert.Equal(PoisonReason.DuplicateField, duplicateResult.Reason);
        Assert.Equal("field 'event_type' appears more than once", duplicateResult.Error);
    }

    // With names mapped, the provider's names are ordinary unknown fields: kept, never read, never a duplicate.
    [Fact]
    public void Validate_ProviderNamesBesideMappedOnes_AreUnknownFieldsAndIgnored()
    {
        var json = Build(Fields);
        json = WithMember(json, "\"id\":42");
        json = WithMember(json, "\"type\":\"ORDER.FILLED\"");
        json = WithMember(json, "\"type\":[]");
        json = WithMember(json, "\"object\":\"not an object\"");
        var value = Utf8(json);

        var result = EventValidator.Validate(value, Fields);

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(Guid.Parse(Id), result.Id);
        Assert.Equal(EventType, result.GetEventType(value));
    }

    // Names may be another field's default: here id and type are swapped.
    [Fact]
    public void Validate_SwappedNames_ReadsEachFieldFromItsMappedName()
    {
        var swapped = new EventFieldNames(id: "type", type: "id", createdAt: "created_at", @object: "object");
        var value = Utf8($$"""{"type":"{{Id}}","id":"ORDER.FILLED","created_at":"{{CreatedAt}}","object":{} }""");

        var result = EventValidator.Validate(value, swapped);
        var withDefaults = EventValidator.Validate(value);

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(Guid.Parse(Id), result.Id);
        Assert.Equal("ORDER.FILLED", result.GetEventType(value));
        Assert.Equal(PoisonReason.InvalidId, withDefaults.Reason);
    }

    [Fact]
    public void Validate_NamesDifferOnlyInCase_IsMissingTheField()
    {
        var value = Utf8(Build(Fields).Replace("\"event_type\"", "\"Event_Type\"", StringComparison.Ordinal));

        var result = EventValidator.Validate(value, Fields);

        Assert.Equal(PoisonReason.MissingField, result.Reason);
        Assert.Equal("field 'event_type' is missing", result.Error);
    }

    [Fact]
    public void Validate_NonAsciiFieldNames_Match()
    {
        var fields = new EventFieldNames("ид", "тип", "zeit→", "😀");
        var value = Utf8(Build(fields));

        var result = EventValidator.Validate(value, fields);

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(EventType, result.GetEventType(value));
    }

    [Fact]
    public void Validate_DefaultOverloadAndDefaultNames_AgreeOnValidAndInvalidEvents()
    {
        foreach (var json in new[] { Build(), Build(id: null), Build(type: Quote("")), "[]", "{" })
        {
            var value = Utf8(json);
            var implicitDefault = EventValidator.Validate(value);
            var explicitDefault = EventValidator.Validate(value, EventFieldNames.Default);
            Assert.Equal((implicitDefault.IsValid, implicitDefault.Reason, implicitDefault.Error), (explicitDefault.IsValid, explicitDefault.Reason, explicitDefault.Error));
        }
    }

    [Fact]
    public void Validate_ValidStreamShapedEvent_AllocatesNoMoreThanTheDefaultPath()
    {
        var mapped = Utf8(Build(Fields));
        var provider = Utf8(Build());
        for (var i = 0; i < 1000; i++)
        {
            EventValidator.Validate(mapped, Fields);
            EventValidator.Validate(provider);
        }

        var providerBytes = AllocatedBy(() => EventValidator.Validate(provider));
        var mappedBytes = AllocatedBy(() => EventValidator.Validate(mapped, Fields));

        Assert.Equal(providerBytes, mappedBytes);
#if !DEBUG
        // Optimised code allocates nothing for a valid event; a Debug build's unoptimised
        // code does (72 bytes per call, with or without mapped names), so only Release checks zero.
        Assert.Equal(0, mappedBytes);
#endif
    }

    // The benchmarks' "id not a UUID" poison case allocated nothing with literal names; its message is
    // still built once per set of names, not per event.
    [Fact]
    public void Validate_IdNotAUuid_AllocatesNoMoreThanTheDefaultPath()
    {
        var mapped = Utf8(Build(Fields, id: Quote("not-a-uuid")));
        var provider = Utf8(Build(id: Quote("not-a-uuid")));
        for (var i = 0; i < 1000; i++)
        {
            EventValidator.Validate(mapped, Fields);
            EventValidator.Validate(provider);
        }

        var providerBytes = AllocatedBy(() => EventValidator.Validate(provider));
        var mappedBytes = AllocatedBy(() => EventValidator.Validate(mapped, Fields));

        Assert.Equal(providerBytes, mappedBytes);
        Assert.Same(EventValidator.Validate(mapped, Fields).Error, EventValidator.Validate(mapped, Fields).Error);
#if !DEBUG
        Assert.Equal(0, mappedBytes);
#endif
    }

    private static long AllocatedBy(Action validate)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) validate();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
