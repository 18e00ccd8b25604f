using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>DescribeLimits: DynamoDB's default account and table quotas (nothing is throttled here).</summary>
internal static class DescribeLimits
{
    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        while (JsonRequest.NextMember(ref reader)) JsonRequest.SkipValue(ref reader);
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteNumber("AccountMaxReadCapacityUnits"u8, 80000);
        w.WriteNumber("AccountMaxWriteCapacityUnits"u8, 80000);
        w.WriteNumber("TableMaxReadCapacityUnits"u8, 40000);
        w.WriteNumber("TableMaxWriteCapacityUnits"u8, 40000);
        w.WriteEndObject();
        return Task.CompletedTask;
    }
}
