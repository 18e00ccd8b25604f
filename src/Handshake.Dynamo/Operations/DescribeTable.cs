using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>DescribeTable: the full TableDescription, always ACTIVE (transitions complete at once).</summary>
internal static class DescribeTable
{
    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var table = store.GetTable(TableNameRequest.Parse(body.Span), describeMissing: true);
        var w = response.Writer;
        w.WriteStartObject();
        w.WritePropertyName("Table"u8);
        TableDescription.Write(w, table, "ACTIVE");
        w.WriteEndObject();
        return Task.CompletedTask;
    }
}
