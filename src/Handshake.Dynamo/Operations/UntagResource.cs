using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>UntagResource: removes the given tag keys from a table; unknown keys are ignored, as in DynamoDB.</summary>
internal static class UntagResource
{
    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        string? arn = null;
        List<string>? keys = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("ResourceArn"u8)) { if (JsonRequest.ValueOf(ref reader)) arn = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("TagKeys"u8)) { if (JsonRequest.ValueOf(ref reader)) keys = GetItem.ReadStrings(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }
        var errors = new ValidationErrors();
        errors.NotNull(arn, "resourceArn");
        errors.NotNull(keys, "tagKeys");
        errors.ThrowIfAny();
        if (keys!.Count == 0) throw DynamoException.Validation("Atleast one Tag Key needs to be provided as Input.");
        // AWS checks each key as TagResource does (an aws: key cannot be removed either) and refuses more than 50 keys
        // with the tag-count message, though removing them could never exceed the limit.
        foreach (var key in keys) TagRules.CheckKey(key);
        if (keys.Count > TagRules.MaxTags) throw DynamoException.Validation(TagRules.TooMany);
        var table = ResourceArns.Resolve(store, arn!);
        await store.WriteAsync(new UpdateTableMetadataCommand(table, t =>
        {
            var updated = new Dictionary<string, string>(t.Tags, StringComparer.Ordinal);
            foreach (var k in keys) updated.Remove(k);
            t.Tags = updated;
        })).ConfigureAwait(false);
        // No output members: DynamoDB sends an empty body, and the SDKs check x-amz-crc32 against what they read.
    }
}
