using System.Text;
using EventRouter.Testing;
using EventRouter.Validation;
using static EventRouter.Testing.EventJson;

namespace EventRouter.Tests.Validation;

public sealed class EventValidatorTests
{
    // ---- valid events ----------------------------------------------------------------------

    [Fact]
    public void Validate_MinimalValidEvent_IsValidWithIdAndType()
    {
        var value = Utf8(Build());

        var result = EventValidator.Validate(value);

        Assert.True(result.IsValid, result.Error);
        Assert.Null(result.Error);
        Assert.Equal(Guid.Parse(Id), result.Id);
        Assert.Equal(EventType, result.GetEventType(value));
        Assert.True(result.TryGetTypeUtf8(value, out var typeUtf8));
        Assert.Equal(EventType, Encoding.UTF8.GetString(typeUtf8));
    }

    [Theory]
    [InlineData("""{"object":{},"type":"USER.CREATED","created_at":"2024-05-01T12:34:56Z","id":"5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11"}""")]
    [InlineData("""{"extra":1,"id":"5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11","nested":{"id":42,"type":null,"object":[1,2]},"created_at":"2024-05-01T12:34:56Z","list":[{"a":[true,false,null]}],"type":"USER.CREATED","object":{"id":7,"created_at":false,"type":[],"object":"x","deep":{"deeper":[[[]]]}},"tail":"last"}""")]
    [InlineData(" \r\n\t{ \"id\" : \"5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11\" ,\n \"created_at\":\"2024-05-01T12:34:56Z\", \"type\" :\"USER.CREATED\",\"object\" : { } }\n ")]
    [InlineData("""{"id":"5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11","created_at":"2024-05-01T12:34:56Z","type":"USER.CREATED","object":{},"ID":3,"Type":false,"unicode":"é→😀"}""")]
    [InlineData("""{"id":"5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11","created_at":"2024-05-01T12:34:56Z","type":"USER.CREATED","object":{},"dup":1,"dup":2}""")]
    public void Validate_UnknownFieldsOrderAndWhitespace_IsValid(string json)
    {
        var value = Utf8(json);

        var result = EventValidator.Validate(value);

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(Guid.Parse(Id), result.Id);
        Assert.Equal("USER.CREATED", result.GetEventType(value));
    }

    [Fact]
    public void Validate_UppercaseHexId_IsValid()
    {
        var upper = Id.ToUpperInvariant();

        var result = EventValidator.Validate(Utf8(Build(id: Quote(upper))));

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(Guid.Parse(upper), result.Id);
    }

    [Theory]
    [InlineData("2024-05-01t12:34:56z")]
    [InlineData("2024-05-01T12:34:56+05:30")]
    [InlineData("2024-05-01T12:34:56-08:00")]
    [InlineData("2024-05-01T12:34:56.123456789Z")]
    [InlineData("2016-12-31T23:59:60Z")]
    [InlineData("2024-02-29T00:00:00Z")]
    public void Validate_Rfc3339CreatedAtVariants_IsValid(string createdAt)
    {
        var result = EventValidator.Validate(Utf8(Build(createdAt: Quote(createdAt))));

        Assert.True(result.IsValid, result.Error);
    }

    [Theory]
    [InlineData("\"\\u0055SER.CREATED\"", "USER.CREATED")]
    [InlineData("\"USER\\u002ECREATED\"", "USER.CREATED")]
    [InlineData("\"ACCOUNT_GROUP.CREATED\\u0041\"", "ACCOUNT_GROUP.CREATEDA")]
    [InlineData("\"USER.CREATED\\/X\"", "USER.CREATED/X")]
    public void Validate_EscapedType_TypeIsUnescaped(string typeJson, string expected)
    {
        var value = Utf8(Build(type: typeJson));

        var result = EventValidator.Validate(value);

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(expected, result.GetEventType(value));
        // The raw bytes are not the type: routing must not use them.
        Assert.False(result.TryGetTypeUtf8(value, out _));
    }

    [Fact]
    public void Validate_PartlyEscapedId_IsValidWithSameId()
    {
        var escaped = "\\u0035" + Id[1..];

        var result = EventValidator.Validate(Utf8(Build(id: Quote(escaped))));

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(Guid.Parse(Id), result.Id);
    }

    [Fact]
    public void Validate_FullyEscapedId_IsValidWithSameId()
    {
        // Every character escaped: 216 bytes of JSON for a 36-character UUID.
        var result = EventValidator.Validate(Utf8(Build(id: Quote(EscapeAll(Id)))));

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(Guid.Parse(Id), result.Id);
    }

    [Theory]
    [InlineData("2024-05-01T12:34:56Z")]
    [InlineData("2024-05-01T12:34:56.123456+05:30")]
    [InlineData("2024-05-01T12:34:56.000000000000000000000000000000000000000000000000000000000001Z")]
    public void Validate_FullyEscapedCreatedAt_IsValid(string createdAt)
    {
        var result = EventValidator.Validate(Utf8(Build(createdAt: Quote(EscapeAll(createdAt)))));

        Assert.True(result.IsValid, result.Error);
    }

    [Fact]
    public void Validate_EscapedInvalidCreatedAt_IsInvalidCreatedAt()
    {
        var result = EventValidator.Validate(Utf8(Build(createdAt: Quote(EscapeAll("2024-02-30T00:00:00Z")))));

        AssertPoison(result, PoisonReason.InvalidCreatedAt, "invalid-created-at", "created_at");
    }

    [Fact]
    public void Validate_EscapedNonUuidId_IsInvalidId()
    {
        var result = EventValidator.Validate(Utf8(Build(id: Quote(EscapeAll("{" + Id + "}")))));

        AssertPoison(result, PoisonReason.InvalidId, "invalid-id", "id");
    }

    // An escaped unpaired surrogate is JSON by the grammar but not Unicode text; Utf8JsonReader
    // throws InvalidOperationException (not JsonException) when asked to unescape it, which used to
    // escape the validator and fail the whole batch again on every retry.
    [Theory]
    [InlineData("\"\\ud800" + "f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11\"", null, null, PoisonReason.InvalidId, "id")]
    [InlineData(null, "\"2024-05-01T12:34:56Z\\udc00\"", null, PoisonReason.InvalidCreatedAt, "created_at")]
    [InlineData(null, null, "\"USER.\\ud800\"", PoisonReason.InvalidJson, "type")]
    [InlineData(null, null, "\"\\udc00\"", PoisonReason.InvalidJson, "type")]
    public void Validate_EscapedUnpairedSurrogateInRequiredField_IsPoisonNotAnException(string? id, string? createdAt, string? type, PoisonReason reason, string field)
    {
        var json = Build(id: id ?? Quote(Id), createdAt: createdAt ?? Quote(CreatedAt), type: type ?? Quote(EventType));

        var result = EventValidator.Validate(Utf8(json));

        Assert.False(result.IsValid);
        Assert.Equal(reason, result.Reason);
        Assert.Contains(field, result.Error);
    }

    [Fact]
    public void Validate_EscapedUnpairedSurrogateOutsideRequiredFields_IsValid()
    {
        var result = EventValidator.Validate(Utf8(WithMember(Build(), "\"\\ud800\":\"\\udc00\"")));

        Assert.True(result.IsValid, result.Error);
    }

    [Fact]
    public void Validate_NestingOf64Levels_IsValid()
    {
        var result = EventValidator.Validate(Utf8(Build(obj: Nested(EventValidator.MaxDepth - 1))));

        Assert.True(result.IsValid, result.Error);
    }

    // ---- empty, encoding and JSON syntax ---------------------------------------------------

    [Fact]
    public void Validate_EmptyValue_IsEmptyValue()
    {
        var result = EventValidator.Validate(ReadOnlySpan<byte>.Empty);

        AssertPoison(result, PoisonReason.EmptyValue, "empty-value", "value");
    }

    public static TheoryData<string, byte[]> NotUtf8Values => new()
    {
        { "lone continuation byte", Splice(0x80) },
        { "invalid byte FF", Splice(0xFF) },
        { "overlong slash (C0 AF)", Splice(0xC0, 0xAF) },
        { "overlong NUL (C0 80)", Splice(0xC0, 0x80) },
        { "overlong 3-byte slash (E0 80 AF)", Splice(0xE0, 0x80, 0xAF) },
        { "overlong 4-byte (F0 80 80 AF)", Splice(0xF0, 0x80, 0x80, 0xAF) },
        { "UTF-16 surrogate (ED A0 80)", Splice(0xED, 0xA0, 0x80) },
        { "beyond U+10FFFF (F4 90 80 80)", Splice(0xF4, 0x90, 0x80, 0x80) },
        { "truncated sequence (E2 82)", Splice(0xE2, 0x82) },
        { "Latin-1 é", Splice(0xE9) },
    };

    [Theory]
    [MemberData(nameof(NotUtf8Values))]
    public void Validate_NotUtf8_IsNotUtf8(string because, byte[] value)
    {
        var result = EventValidator.Validate(value);

        Assert.False(result.IsValid, because);
        AssertPoison(result, PoisonReason.NotUtf8, "not-utf8", "value");
    }

    [Theory]
    [InlineData("truncated object", "{\"id\":\"5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11\",\"created_at\":\"2024")]
    [InlineData("truncated after open brace", "{")]
    [InlineData("whitespace only", "   ")]
    [InlineData("unquoted key", "{id:1}")]
    [InlineData("single quotes", "{'id':'x'}")]
    [InlineData("NaN literal", "NaN")]
    [InlineData("unescaped control character", "{\"type\":\"A\tB\"}")]
    public void Validate_MalformedJson_IsInvalidJson(string because, string json)
    {
        var result = EventValidator.Validate(Utf8(json));

        Assert.False(result.IsValid, because);
        AssertPoison(result, PoisonReason.InvalidJson, "invalid-json", "value");
    }

    [Theory]
    [InlineData(" x")]
    [InlineData("}")]
    [InlineData(" {}")]
    [InlineData("[]")]
    [InlineData(",")]
    [InlineData("\0")]
    public void Validate_TrailingGarbageAfterValidEvent_IsInvalidJson(string garbage)
    {
        var result = EventValidator.Validate(Utf8(Build() + garbage));

        AssertPoison(result, PoisonReason.InvalidJson, "invalid-json", "value");
    }

    [Theory]
    [InlineData("[1] x")]
    [InlineData("\"text\" \"more\"")]
    [InlineData("42 43")]
    public void Validate_TrailingGarbageAfterNonObject_IsInvalidJson(string json)
    {
        var result = EventValidator.Validate(Utf8(json));

        AssertPoison(result, PoisonReason.InvalidJson, "invalid-json", "value");
    }

    [Fact]
    public void Validate_ByteOrderMark_IsInvalidJson()
    {
        var value = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Utf8(Build())).ToArray();

        var result = EventValidator.Validate(value);

        AssertPoison(result, PoisonReason.InvalidJson, "invalid-json", "byte order mark");
    }

    [Fact]
    public void Validate_NestingDeeperThan64_IsInvalidJson()
    {
        var result = EventValidator.Validate(Utf8(Build(obj: Nested(EventValidator.MaxDepth))));

        AssertPoison(result, PoisonReason.InvalidJson, "invalid-json", "depth");
    }

    [Fact]
    public void Validate_DeeplyNestedArrayInUnknownField_IsInvalidJson()
    {
        var json = WithMember(Build(), "\"x\":" + new string('[', 10_000) + new string(']', 10_000));

        var result = EventValidator.Validate(Utf8(json));

        AssertPoison(result, PoisonReason.InvalidJson, "invalid-json", "value");
    }

    [Theory]
    [InlineData("block comment before", "/* c */")]
    [InlineData("line comment before", "// c\n")]
    public void Validate_CommentBeforeEvent_IsInvalidJson(string because, string comment)
    {
        var result = EventValidator.Validate(Utf8(comment + Build()));

        Assert.False(result.IsValid, because);
        AssertPoison(result, PoisonReason.InvalidJson, "invalid-json", "value");
    }

    [Fact]
    public void Validate_CommentInsideObject_IsInvalidJson()
    {
        var result = EventValidator.Validate(Utf8(Build(obj: "{/* note */\"a\":1}")));

        AssertPoison(result, PoisonReason.InvalidJson, "invalid-json", "value");
    }

    [Theory]
    [InlineData("trailing comma at root")]
    [InlineData("trailing comma in object field")]
    [InlineData("trailing comma in nested array")]
    public void Validate_TrailingComma_IsInvalidJson(string where)
    {
        var json = where switch
        {
            "trailing comma at root" => Build()[..^1] + ",}",
            "trailing comma in object field" => Build(obj: "{\"a\":1,}"),
            _ => Build(obj: "{\"a\":[1,2,]}"),
        };

        var result = EventValidator.Validate(Utf8(json));

        AssertPoison(result, PoisonReason.InvalidJson, "invalid-json", "value");
    }

    [Theory]
    [InlineData("[]", "array")]
    [InlineData("[{\"id\":1}]", "array")]
    [InlineData("\"a string\"", "string")]
    [InlineData("42", "number")]
    [InlineData("-1.5e3", "number")]
    [InlineData("true", "boolean")]
    [InlineData("null", "null")]
    public void Validate_NotAnObject_IsNotAnObject(string json, string kind)
    {
        var result = EventValidator.Validate(Utf8(json));

        AssertPoison(result, PoisonReason.NotAnObject, "not-an-object", "value");
        Assert.Contains(kind, result.Error);
    }

    // ---- required fields -------------------------------------------------------------------

    [Theory]
    [InlineData("id")]
    [InlineData("created_at")]
    [InlineData("type")]
    [InlineData("object")]
    public void Validate_MissingField_IsMissingFieldNamingIt(string field)
    {
        var json = field switch
        {
            "id" => Build(id: null),
            "created_at" => Build(createdAt: null),
            "type" => Build(type: null),
            _ => Build(obj: null),
        };

        var result = EventValidator.Validate(Utf8(json));

        AssertPoison(result, PoisonReason.MissingField, "missing-field", $"'{field}'");
    }

    [Fact]
    public void Validate_EmptyObject_IsMissingField()
    {
        var result = EventValidator.Validate(Utf8("{}"));

        AssertPoison(result, PoisonReason.MissingField, "missing-field", "'id'");
    }

    [Fact]
    public void Validate_RequiredFieldOnlyNestedInsideObject_IsMissingField()
    {
        var json = Build(type: null, obj: """{"type":"USER.CREATED"}""");

        var result = EventValidator.Validate(Utf8(json));

        AssertPoison(result, PoisonReason.MissingField, "missing-field", "'type'");
    }

    [Fact]
    public void Validate_FieldNameDiffersOnlyInCase_IsMissingField()
    {
        var json = WithMember(Build(id: null), "\"ID\":\"" + Id + "\"");

        var result = EventValidator.Validate(Utf8(json));

        AssertPoison(result, PoisonReason.MissingField, "missing-field", "'id'");
    }

    public static TheoryData<string, string, string> WrongTypes()
    {
        var data = new TheoryData<string, string, string>();
        var kinds = new (string Json, string Name)[]
        {
            ("123", "number"), ("1.5", "number"), ("true", "boolean"), ("false", "boolean"), ("null", "null"),
            ("[]", "array"), ("[\"" + Id + "\"]", "array"), ("{}", "object"), ("\"text\"", "string"),
        };
        foreach (var field in new[] { "id", "created_at", "type", "object" })
        {
            foreach (var (json, name) in kinds)
            {
                var expectsString = field != "object";
                if (expectsString && name == "string") continue;
                if (!expectsString && name == "object") continue;
                data.Add(field, json, name);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void Validate_FieldOfWrongJsonType_IsWrongTypeNamingFieldAndKind(string field, string valueJson, string kind)
    {
        var json = field switch
        {
            "id" => Build(id: valueJson),
            "created_at" => Build(createdAt: valueJson),
            "type" => Build(type: valueJson),
            _ => Build(obj: valueJson),
        };

        var result = EventValidator.Validate(Utf8(json));

        AssertPoison(result, PoisonReason.WrongType, "wrong-type", $"'{field}'");
        Assert.Contains(kind, result.Error);
    }

    [Theory]
    [InlineData("id", "\"id\":\"" + Id + "\"")]
    [InlineData("created_at", "\"created_at\":\"" + CreatedAt + "\"")]
    [InlineData("type", "\"type\":\"ORDER.CREATED\"")]
    [InlineData("object", "\"object\":{}")]
    [InlineData("id", "\"\\u0069d\":\"" + Id + "\"")]
    public void Validate_DuplicateRequiredField_IsDuplicateFieldNamingIt(string field, string duplicateMember)
    {
        var json = WithMember(Build(), duplicateMember);

        var result = EventValidator.Validate(Utf8(json));

        AssertPoison(result, PoisonReason.DuplicateField, "duplicate-field", $"'{field}'");
    }

    [Fact]
    public void Validate_DuplicateFieldBeforeOtherFields_IsDuplicateField()
    {
        var json = "{\"type\":\"A.B\",\"type\":\"A.B\",\"id\":\"" + Id + "\",\"created_at\":\"" + CreatedAt + "\",\"object\":{}}";

        var result = EventValidator.Validate(Utf8(json));

        AssertPoison(result, PoisonReason.DuplicateField, "duplicate-field", "'type'");
    }

    // ---- field values ----------------------------------------------------------------------

    [Theory]
    [InlineData("{5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11}")]
    [InlineData("(5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11)")]
    [InlineData("5f0c7a363d0e4f6b9a532a6b0f6f1c11")]
    [InlineData("5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c1")]
    [InlineData("5f0c7a36-3d0e-4f6b-9a53")]
    [InlineData("5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c111")]
    [InlineData("5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1cgg")]
    [InlineData(" 5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c1")]
    [InlineData("5f0c7a36_3d0e_4f6b_9a53_2a6b0f6f1c11")]
    [InlineData("")]
    [InlineData("not-a-uuid")]
    [InlineData("{0x5f0c7a36,0x3d0e,0x4f6b,{0x9a,0x53,0x2a,0x6b,0x0f,0x6f,0x1c,0x11}}")]
    public void Validate_IdNotAUuid_IsInvalidId(string id)
    {
        var result = EventValidator.Validate(Utf8(Build(id: Quote(id))));

        AssertPoison(result, PoisonReason.InvalidId, "invalid-id", "'id'");
    }

    [Theory]
    [InlineData("2024-05-01T12:34:56")]
    [InlineData("2024-05-01 12:34:56Z")]
    [InlineData("2024-02-30T00:00:00Z")]
    [InlineData("2024-05-01T24:00:00Z")]
    [InlineData("2024-05-01")]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("1714566896")]
    public void Validate_CreatedAtNotRfc3339_IsInvalidCreatedAt(string createdAt)
    {
        var result = EventValidator.Validate(Utf8(Build(createdAt: Quote(createdAt))));

        AssertPoison(result, PoisonReason.InvalidCreatedAt, "invalid-created-at", "'created_at'");
    }

    [Fact]
    public void Validate_EmptyType_IsEmptyType()
    {
        var result = EventValidator.Validate(Utf8(Build(type: "\"\"")));

        AssertPoison(result, PoisonReason.EmptyType, "empty-type", "'type'");
    }

    [Fact]
    public void Validate_FirstFailureWins_ReportsEarliestProblem()
    {
        var json = "{\"id\":\"nope\",\"created_at\":\"nope\",\"type\":\"\",\"object\":[]}";

        var result = EventValidator.Validate(Utf8(json));

        AssertPoison(result, PoisonReason.InvalidId, "invalid-id", "'id'");
    }

    [Fact]
    public void Validate_FieldProblemThenBrokenJson_IsInvalidJson()
    {
        // A syntax error anywhere outranks a field problem found earlier.
        var json = Build(id: "\"nope\"")[..^1] + ",}";

        var result = EventValidator.Validate(Utf8(json));

        AssertPoison(result, PoisonReason.InvalidJson, "invalid-json", "value");
    }

    [Fact]
    public void GetEventType_InvalidResult_Throws()
    {
        var value = Utf8("[]");
        var result = EventValidator.Validate(value);

        Assert.Throws<InvalidOperationException>(() => result.GetEventType(value));
        Assert.False(result.TryGetTypeUtf8(value, out _));
    }

    // ---- robustness ------------------------------------------------------------------------

    [Fact]
    public void Validate_EveryProperPrefixOfValidEvent_IsInvalidAndDoesNotThrow()
    {
        var value = Utf8(Build(obj: """{"a":[1,2.5,true,null,"x\"y"],"b":{"c":{}}}"""));

        for (var length = 0; length < value.Length; length++)
        {
            var result = EventValidator.Validate(value.AsSpan(0, length));

            Assert.False(result.IsValid, $"prefix of {length} bytes");
            Assert.Equal(length == 0 ? PoisonReason.EmptyValue : PoisonReason.InvalidJson, result.Reason);
        }
    }

    [Fact]
    public void Validate_RandomBytes_NeverThrowsAndAlwaysExplains()
    {
        var random = new Random(20241122);
        for (var i = 0; i < 2_000; i++)
        {
            var value = new byte[random.Next(0, 300)];
            random.NextBytes(value);
            // Half the time start with '{' so the reader gets past the first byte.
            if (value.Length > 0 && i % 2 == 0) value[0] = (byte)'{';

            var result = EventValidator.Validate(value);

            Assert.False(result.IsValid, $"random value #{i}");
            Assert.False(string.IsNullOrEmpty(result.Error));
            Assert.True(Enum.IsDefined(result.Reason));
        }
    }

    [Fact]
    public void Validate_RandomMutationsOfValidEvent_NeverThrow()
    {
        var original = Utf8(Build(obj: """{"a":[1,{"b":"\u00e9"}],"n":-0.5e-3}"""));
        var random = new Random(42);
        var invalid = 0;
        for (var i = 0; i < 5_000; i++)
        {
            var value = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                value[random.Next(value.Length)] = (byte)random.Next(256);
            }

            var result = EventValidator.Validate(value);

            if (result.IsValid)
            {
                Assert.Null(result.Error);
                _ = result.GetEventType(value);
            }
            else
            {
                invalid++;
                Assert.False(string.IsNullOrEmpty(result.Error));
                Assert.True(Enum.IsDefined(result.Reason));
            }
        }
        Assert.True(invalid > 1_000, $"only {invalid} of 5000 mutations were rejected");
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static void AssertPoison(EventValidationResult result, PoisonReason reason, string code, string errorMentions)
    {
        Assert.False(result.IsValid);
        Assert.Equal(reason, result.Reason);
        Assert.Equal(code, result.Reason.ToCode());
        Assert.NotNull(result.Error);
        Assert.Contains(errorMentions, result.Error, StringComparison.Ordinal);
    }

    /// <summary>A valid event whose <c>type</c> value has <paramref name="bytes"/> spliced into it.</summary>
    private static byte[] Splice(params byte[] bytes)
    {
        var before = Utf8(Build(type: null)[..^1] + ",\"type\":\"USER.");
        var after = Utf8("\"}");
        return [.. before, .. bytes, .. after];
    }

    /// <summary>An object nested <paramref name="depth"/> levels deep: <c>{"a":{"a":{}}}</c> for 3.</summary>
    private static string Nested(int depth)
    {
        var builder = new StringBuilder();
        for (var i = 1; i < depth; i++) builder.Append("{\"a\":");
        builder.Append("{}");
        builder.Append('}', depth - 1);
        return builder.ToString();
    }
}
