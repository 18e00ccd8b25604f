using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>ListTagsOfResource: all of a table's tags in one page (DynamoDB pages at 10 with NextToken; one page is valid).</summary>
internal static class ListTagsOfResource
{
    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        string? arn = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("ResourceArn"u8)) { if (JsonRequest.ValueOf(ref reader)) arn = JsonRequest.ReadString(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }
        var errors = new ValidationErrors();
        errors.NotNull(arn, "resourceArn");
        errors.ThrowIfAny();
        var table = ResourceArns.Resolve(store, arn!);
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartArray("Tags"u8);
        foreach (var (key, value) in table.Tags)
        {
            w.WriteStartObject();
            w.WriteString("Key"u8, key);
            w.WriteString("Value"u8, value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        return Task.CompletedTask;
    }
}
