using Azure.Storage.Queues.Models;
using EventRouter.Processing;

namespace EventRouter.Functions.Hosting;

/// <summary>
/// Turns a received <see cref="QueueMessage"/> (what the Azure Functions queue trigger binds, and
/// what our own pump receives) into the <see cref="QueueDelivery"/> that
/// <see cref="QueueDeliveryHandler"/> takes.
/// </summary>
public static class QueueDeliveryFactory
{
    /// <summary>Copies id, dequeue count, the decoded body and the insertion time.</summary>
    /// <remarks>The Functions host decodes Base64 (host.json <c>queues.messageEncoding</c>) before it
    /// hands the message over, so <see cref="QueueMessage.Body"/> is the UTF-8 JSON the router wrote.</remarks>
    public static QueueDelivery FromQueueMessage(QueueMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new QueueDelivery(message.MessageId, message.DequeueCount, message.Body ?? BinaryData.Empty, message.InsertedOn);
    }
}
