using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>DescribeTimeToLive: ENABLED with the attribute, or DISABLED (changes apply at once, never ENABLING).</summary>
internal static class DescribeTimeToLive
{
    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var table = store.GetTable(TableNameRequest.Parse(body.Span), describeMissing: true);
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartObject("TimeToLiveDescription"u8);
        w.WriteString("TimeToLiveStatus"u8, table.TimeToLiveEnabled ? "ENABLED" : "DISABLED");
        if (table.TimeToLiveEnabled && table.TimeToLiveAttribute is not null) w.WriteString("AttributeName"u8, table.TimeToLiveAttribute);
        w.WriteEndObject();
        w.WriteEndObject();
        return Task.CompletedTask;
    }
}
