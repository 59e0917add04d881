using EventRouter.Configuration;
using EventRouter.Validation;
using Microsoft.Extensions.Options;

namespace EventRouter.Tests.Configuration;

public sealed class EventFieldsOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = Validate(new EventFieldsOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_StreamShapeWithPerTopicOverride_Succeeds()
    {
        var options = new EventFieldsOptions { Id = "event_id", Type = "event_type", CreatedAt = "timestamp", Object = "data" };
        options.Prices.Object = "quote";
        // An override may reuse another field's all-topics name, as long as the effective names differ.
        options.Notifications.Id = "id";

        var result = Validate(options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("Id", "", "EventFields:Id: the field name is empty.")]
    [InlineData("Type", "  ", "EventFields:Type: the field name is only whitespace.")]
    [InlineData("CreatedAt", "created_at ", "EventFields:CreatedAt: the field name 'created_at ' starts or ends with whitespace.")]
    [InlineData("Object", "da\tta", "EventFields:Object: the field name contains a control character.")]
    public void Validate_UnusableName_NamesTheSettingAndTheProblem(string setting, string value, string expected)
    {
        var options = new EventFieldsOptions();
        typeof(EventFieldsOptions).GetProperty(setting)!.SetValue(options, value);

        var result = Validate(options);

        Assert.False(result.Succeeded);
        Assert.Equal(expected, Assert.Single(result.Failures!));
    }

    [Fact]
    public void Validate_NameTooLong_NamesTheSettingAndTheLimit()
    {
        var result = Validate(new EventFieldsOptions { Type = new string('t', 129) });

        Assert.Equal("EventFields:Type: the field name is 129 characters long (at most 128).", Assert.Single(result.Failures!));
    }

    [Fact]
    public void Validate_TwoFieldsOneName_NamesBothSettings()
    {
        var result = Validate(new EventFieldsOptions { Type = "kind", Object = "kind" });

        Assert.Equal("EventFields:Object: field 'kind' is already the field of EventFields:Type; id, type, created_at and object each need their own field.",
            Assert.Single(result.Failures!));
    }

    [Fact]
    public void Validate_NameOfAnotherFieldsDefault_NamesBothSettings()
    {
        // Mapping only the id to "type" leaves the type field at its default "type": a clash.
        var result = Validate(new EventFieldsOptions { Id = "type" });

        Assert.Equal("EventFields:Type: field 'type' is already the field of EventFields:Id; id, type, created_at and object each need their own field.",
            Assert.Single(result.Failures!));
    }

    [Fact]
    public void Validate_TopicOverrideClashesWithAnAllTopicsName_BlamesTheOverride()
    {
        var options = new EventFieldsOptions { Type = "event_type" };
        options.Prices.Id = "event_type";

        var result = Validate(options);

        Assert.Equal("EventFields:Prices:Id: field 'event_type' is already the field of EventFields:Type; id, type, created_at and object each need their own field.",
            Assert.Single(result.Failures!));
    }

    [Fact]
    public void Validate_EmptyTopicOverride_NamesTheOverrideSetting()
    {
        var options = new EventFieldsOptions();
        options.Notifications.Type = "";

        var result = Validate(options);

        Assert.Equal("EventFields:Notifications:Type: the field name is empty.", Assert.Single(result.Failures!));
    }

    [Fact]
    public void Validate_ValidOptions_BuildAMapping()
    {
        var options = new EventFieldsOptions { Type = "event_type" };
        options.Prices.Object = "quote";
        Assert.True(Validate(options).Succeeded);

        var mapping = new EventFieldMapping(options, "Notifications", "Prices");

        Assert.Equal("quote", mapping.For("Prices").Object);
    }

    private static ValidateOptionsResult Validate(EventFieldsOptions options) => new EventFieldsOptionsValidator().Validate(null, options);
}
