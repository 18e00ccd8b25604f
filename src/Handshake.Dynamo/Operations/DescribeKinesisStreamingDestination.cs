using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// DescribeKinesisStreamingDestination: no table here streams to Kinesis, so the list is empty (as AWS answers for a
/// table that never had a destination). Terraform's aws_dynamodb_kinesis_streaming_destination and inventory tools
/// read it; Enable/DisableKinesisStreamingDestination remain unknown operations.
/// </summary>
internal static class DescribeKinesisStreamingDestination
{
    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var table = store.GetTable(TableNameRequest.Parse(body.Span), describeMissing: true);
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteString("TableName"u8, table.Name);
        w.WriteStartArray("KinesisDataStreamDestinations"u8);
        w.WriteEndArray();
        w.WriteEndObject();
        return Task.CompletedTask;
    }
}
