using Azure.Storage.Queues.Models;
using EventRouter.Functions.Hosting;

namespace EventRouter.Functions.Hosting.Tests;

public sealed class QueueDeliveryFactoryTests
{
    [Fact]
    public void FromQueueMessage_CopiesIdDequeueCountBodyAndInsertionTime()
    {
        var inserted = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var message = QueuesModelFactory.QueueMessage("m-1", "pop", """{"event":{}}""", 3, insertedOn: inserted);

        var delivery = QueueDeliveryFactory.FromQueueMessage(message);

        Assert.Equal("m-1", delivery.MessageId);
        Assert.Equal(3, delivery.DequeueCount);
        Assert.Equal("""{"event":{}}""", delivery.Body.ToString());
        Assert.Equal(inserted, delivery.InsertedOn);
    }

    [Fact]
    public void FromQueueMessage_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => QueueDeliveryFactory.FromQueueMessage(null!));
    }
}
