using EventRouter.Cli.Sandbox;

namespace EventRouter.Cli.Tests.Sandbox;

public sealed class StorageRequestCounterTests
{
    [Theory]
    [InlineData("POST", "/devstoreaccount1/events-user/messages", "", "queue: write")]
    [InlineData("GET", "/devstoreaccount1/events-user/messages", "?numofmessages=32&visibilitytimeout=600", "queue: receive")]
    [InlineData("DELETE", "/devstoreaccount1/events-user/messages/7c0a", "?popreceipt=x", "queue: delete")]
    [InlineData("PUT", "/devstoreaccount1/events-user/messages/7c0a", "?popreceipt=x&visibilitytimeout=0", "queue: update")]
    [InlineData("PUT", "/devstoreaccount1/events-user", "", "create queue or container")]
    [InlineData("PUT", "/devstoreaccount1/event-archive", "?restype=container", "create queue or container")]
    [InlineData("PUT", "/devstoreaccount1/event-archive/2026/12/03/USER.CREATED/1.json", "", "blob: archive")]
    [InlineData("PUT", "/devstoreaccount1/event-idempotency/archive/1", "", "blob: idempotency claim")]
    [InlineData("PUT", "/devstoreaccount1/event-idempotency/archive/1", "?comp=metadata", "blob: idempotency complete")]
    [InlineData("HEAD", "/devstoreaccount1/event-idempotency/archive/1", "", "blob: idempotency read")]
    [InlineData("PUT", "/devstoreaccount1/event-payloads/events/Notifications/0/1.json", "", "blob: payload")]
    public void Classify_EmulatorPaths_NamesWhatTheRequestDoes(string method, string path, string query, string expected)
        => Assert.Equal(expected, StorageRequestCounter.Classify(method, path, query));
}
