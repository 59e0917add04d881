using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EventRouter.Formats;
using EventRouter.Testing;

namespace EventRouter.Tests.Formats;

/// <summary>The W3C trace context a routed envelope carries from the routing batch's span to the queue stage.</summary>
public sealed class RoutedMessageTraceContextTests
{
    private static readonly DateTimeOffset RoutedAt = new(2024, 5, 1, 14, 0, 0, TimeSpan.Zero);
    private static readonly InboundRecord Record = InboundRecord.Create("Notifications", 3, 42, EventJson.Valid());

    private static ActivityContext Context(string? traceState = null, ActivityTraceFlags flags = ActivityTraceFlags.Recorded) =>
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), flags, traceState);

    [Fact]
    public void Create_WithTraceContext_RoundTripsTraceparentAndTracestate()
    {
        var context = Context("vendor=a1,other=b2");

        var message = RoutedMessage.Create(EventJson.Valid(), Record, RoutedAt, context);

        using var document = JsonDocument.Parse(message);
        Assert.Equal($"00-{context.TraceId}-{context.SpanId}-01", document.RootElement.GetProperty("traceparent").GetString());
        Assert.Equal("vendor=a1,other=b2", document.RootElement.GetProperty("tracestate").GetString());
        Assert.Equal(EventJson.Build(), document.RootElement.GetProperty("event").GetRawText());
        var read = RoutedMessage.Read(message).TraceContext;
        Assert.NotEqual(default, read);
        Assert.Equal(context.TraceId, read.TraceId);
        Assert.Equal(context.SpanId, read.SpanId);
        Assert.Equal(ActivityTraceFlags.Recorded, read.TraceFlags);
        Assert.Equal("vendor=a1,other=b2", read.TraceState);
        Assert.True(read.IsRemote);
    }

    [Fact]
    public void CreateOffloaded_WithTraceContext_RoundTrips_WithoutTracestateWhenThereIsNone()
    {
        var context = Context(flags: ActivityTraceFlags.None);

        var message = RoutedMessage.CreateOffloaded("events/Notifications/3/42.json", Guid.NewGuid(), "USER.CREATED", Record, RoutedAt, context);

        using var document = JsonDocument.Parse(message);
        Assert.Equal($"00-{context.TraceId}-{context.SpanId}-00", document.RootElement.GetProperty("traceparent").GetString());
        Assert.False(document.RootElement.TryGetProperty("tracestate", out _));
        var read = RoutedMessage.Read(message).TraceContext;
        Assert.NotEqual(default, read);
        Assert.Equal(context.SpanId, read.SpanId);
        Assert.Equal(ActivityTraceFlags.None, read.TraceFlags);
    }

    [Fact]
    public void Create_UnderACurrentActivity_CarriesItsContext()
    {
        using var activity = new Activity("route batch").SetIdFormat(ActivityIdFormat.W3C).Start();
        activity.TraceStateString = "k=v";

        var message = RoutedMessage.Create(EventJson.Valid(), Record, RoutedAt);
        var offloaded = RoutedMessage.CreateOffloaded("b", Guid.NewGuid(), "USER.CREATED", Record, RoutedAt);

        Assert.All(new[] { message, offloaded }, m =>
        {
            var read = RoutedMessage.Read(m).TraceContext;
            Assert.NotEqual(default, read);
            Assert.Equal(activity.TraceId, read.TraceId);
            Assert.Equal(activity.SpanId, read.SpanId);
            Assert.Equal("k=v", read.TraceState);
        });
    }

    [Fact]
    public void Create_WithoutACurrentActivity_WritesNoTraceContext()
    {
        Assert.Null(Activity.Current);

        var message = RoutedMessage.Create(EventJson.Valid(), Record, RoutedAt);

        using var document = JsonDocument.Parse(message);
        Assert.Equal(["event", "source", "routedAt"], document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(default, RoutedMessage.Read(message).TraceContext);
    }

    [Fact]
    public void Create_TracestateOverTheW3CLimit_IsLeftOut_TheIdsStay()
    {
        var context = Context("k=" + new string('v', 600));

        var message = RoutedMessage.Create(EventJson.Valid(), Record, RoutedAt, context);

        var read = RoutedMessage.Read(message).TraceContext;
        Assert.NotEqual(default, read);
        Assert.Equal(context.SpanId, read.SpanId);
        Assert.Null(read.TraceState);
    }

    // Envelopes written before they carried a trace context, and messages that are not envelopes at all.
    [Theory]
    [InlineData("{\"event\":{\"id\":\"x\"},\"source\":{\"topic\":\"t\",\"partition\":0,\"offset\":1,\"timestamp\":null},\"routedAt\":\"2024-05-01T14:00:00Z\"}")]
    [InlineData("{\"event\":{\"traceparent\":\"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\"},\"routedAt\":\"x\"}")]
    [InlineData("{\"traceparent\":\"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331\"}")]
    [InlineData("{\"traceparent\":\"zz-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\"}")]
    [InlineData("{\"traceparent\":\"00-00000000000000000000000000000000-b7ad6b7169203331-01\"}")]
    [InlineData("{\"traceparent\":42}")]
    [InlineData("{\"traceparent\":\"\\ud800\"}")]
    [InlineData("[\"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\"]")]
    [InlineData("{\"event\":{\"a\":[1,2,")]
    [InlineData("not json")]
    [InlineData("")]
    public void Read_NoValidTopLevelTraceparent_HasNoTraceContext(string message)
    {
        Assert.Equal(default, RoutedMessage.Read(Encoding.UTF8.GetBytes(message)).TraceContext);
    }

    [Fact]
    public void Read_AfterAnEventNestedDeep_StillFindsIt()
    {
        var context = Context();
        var deep = EventJson.Valid(obj: "{\"a\":" + new string('[', 60) + new string(']', 60) + "}");

        var message = RoutedMessage.Create(deep, Record, RoutedAt, context);

        var read = RoutedMessage.Read(message).TraceContext;
        Assert.NotEqual(default, read);
        Assert.Equal(context.SpanId, read.SpanId);
    }
}
