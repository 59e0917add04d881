using EventRouter.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace EventRouter.Functions;

/// <summary>Hands the primitive parts of the extension's <see cref="KafkaRecord"/> to the core's factory.</summary>
internal static class KafkaRecordAdapter
{
    public static InboundRecord[] ToInboundRecords(this KafkaRecord[] records) =>
        Array.ConvertAll(records, record => InboundRecordFactory.Create(
            record.Topic,
            record.Partition,
            record.Offset,
            record.Timestamp is { Type: not KafkaTimestampType.NotAvailable } timestamp ? timestamp.UnixTimestampMs : null,
            record.Key,
            record.Value,
            record.Headers?.Select(header => ((string?)header.Key, (byte[]?)header.Value))));
}
