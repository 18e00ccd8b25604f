using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// DescribeEndpoints: the regional endpoint, as DynamoDB answers. SDKs only use it for endpoint discovery, which
/// is off by default and ignored when an explicit endpoint (this store's URL) is configured.
/// </summary>
internal static class DescribeEndpoints
{
    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        while (JsonRequest.NextMember(ref reader)) JsonRequest.SkipValue(ref reader);
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartArray("Endpoints"u8);
        w.WriteStartObject();
        w.WriteString("Address"u8, "dynamodb." + store.Options.Region + ".amazonaws.com");
        w.WriteNumber("CachePeriodInMinutes"u8, 1440);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        return Task.CompletedTask;
    }
}
