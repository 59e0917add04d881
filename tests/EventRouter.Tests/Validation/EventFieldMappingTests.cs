using EventRouter.Validation;

namespace EventRouter.Tests.Validation;

public sealed class EventFieldMappingTests
{
    [Fact]
    public void For_NoOverrides_EveryTopicGetsTheAllTopicsNames()
    {
        var mapping = new EventFieldMapping(new EventFieldsOptions { Type = "event_type", Object = "data" }, "Notifications", "Prices");

        Assert.Same(mapping.AllTopics, mapping.For("Notifications"));
        Assert.Same(mapping.AllTopics, mapping.For("Prices"));
        Assert.Equal(("id", "event_type", "created_at", "data"), (mapping.AllTopics.Id, mapping.AllTopics.Type, mapping.AllTopics.CreatedAt, mapping.AllTopics.Object));
    }

    [Fact]
    public void For_PricesOverride_AppliesOnlyToThePricesTopicAndKeepsTheOtherNames()
    {
        var options = new EventFieldsOptions { Type = "event_type" };
        options.Prices.Object = "quote";

        var mapping = new EventFieldMapping(options, "upvest.notifications", "upvest.prices");

        var prices = mapping.For("upvest.prices");
        Assert.Equal(("id", "event_type", "created_at", "quote"), (prices.Id, prices.Type, prices.CreatedAt, prices.Object));
        Assert.Same(mapping.AllTopics, mapping.For("upvest.notifications"));
        Assert.Same(mapping.AllTopics, mapping.For("Prices"));
    }

    [Fact]
    public void For_NotificationsOverride_AppliesToTheNotificationsTopic()
    {
        var options = new EventFieldsOptions();
        options.Notifications.Id = "event_id";

        var mapping = new EventFieldMapping(options, "Notifications", "Prices");

        Assert.Equal("event_id", mapping.For("Notifications").Id);
        Assert.Equal("id", mapping.For("Prices").Id);
    }

    [Fact]
    public void Default_IsTheProvidersNamesEverywhere()
    {
        Assert.Same(EventFieldNames.Default, EventFieldMapping.Default.For("anything"));
    }
}
