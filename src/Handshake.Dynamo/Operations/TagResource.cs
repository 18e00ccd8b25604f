using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>TagResource: adds or replaces tags on a table (at most 50 per resource, as in DynamoDB).</summary>
internal static class TagResource
{
    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        string? arn = null;
        List<(string? Key, string? Value)>? tags = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("ResourceArn"u8)) { if (JsonRequest.ValueOf(ref reader)) arn = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("Tags"u8)) { if (JsonRequest.ValueOf(ref reader)) tags = SchemaJson.ReadPairs(ref reader, "Key"u8, "Value"u8); }
            else JsonRequest.SkipValue(ref reader);
        }
        var errors = new ValidationErrors();
        errors.NotNull(arn, "resourceArn");
        errors.NotNull(tags, "tags");
        if (arn is { Length: < 1 or > 1283 }) errors.Add(arn, "resourceArn", arn.Length < 1 ? "Member must have length greater than or equal to 1" : "Member must have length less than or equal to 1283");
        errors.ThrowIfAny();
        if (tags!.Count == 0) throw DynamoException.Validation("Atleast one Tag needs to be provided as Input.");
        TagRules.Check(tags);
        var table = ResourceArns.Resolve(store, arn!);
        await store.WriteAsync(new UpdateTableMetadataCommand(table, t =>
        {
            var updated = new Dictionary<string, string>(t.Tags, StringComparer.Ordinal);
            foreach (var (k, v) in tags) updated[k!] = v!;
            // Counted after the merge, as AWS does: re-tagging keys already there never trips the limit.
            if (updated.Count > TagRules.MaxTags) throw DynamoException.Validation(TagRules.TooMany);
            t.Tags = updated;
        })).ConfigureAwait(false);
        // No output members: DynamoDB sends an empty body, and the SDKs check x-amz-crc32 against what they read.
    }
}
