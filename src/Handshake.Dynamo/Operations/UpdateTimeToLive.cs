using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// UpdateTimeToLive: records the TTL attribute and whether expiry is on; the background sweeper
/// (<see cref="Storage.TimeToLiveSweeper"/>) deletes the expired items of the tables that have it on.
/// </summary>
internal static class UpdateTimeToLive
{
    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        string? tableName = null, attribute = null;
        bool? enabled = null;
        bool specification = false;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("TableName"u8)) { if (JsonRequest.ValueOf(ref reader)) tableName = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("TimeToLiveSpecification"u8))
            {
                if (!JsonRequest.ValueOf(ref reader)) continue;
                JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
                specification = true;
                while (JsonRequest.NextMember(ref reader))
                {
                    if (reader.ValueTextEquals("Enabled"u8)) { if (JsonRequest.ValueOf(ref reader)) enabled = JsonRequest.ReadBoolean(ref reader); }
                    else if (reader.ValueTextEquals("AttributeName"u8)) { if (JsonRequest.ValueOf(ref reader)) attribute = JsonRequest.ReadString(ref reader); }
                    else JsonRequest.SkipValue(ref reader);
                }
            }
            else JsonRequest.SkipValue(ref reader);
        }
        var errors = new ValidationErrors();
        errors.TableNameOrArn(tableName);
        if (!specification) errors.Add(null, "timeToLiveSpecification", "Member must not be null");
        else
        {
            errors.NotNull(enabled, "timeToLiveSpecification.enabled");
            errors.NotNull(attribute, "timeToLiveSpecification.attributeName");
            if (attribute is { Length: 0 }) errors.Add(attribute, "timeToLiveSpecification.attributeName", "Member must have length greater than or equal to 1");
            if (attribute is { Length: > 255 }) errors.Add(attribute, "timeToLiveSpecification.attributeName", "Member must have length less than or equal to 255");
        }
        errors.ThrowIfAny();

        var table = store.GetTable(tableName!, describeMissing: true);
        await store.WriteAsync(new UpdateTableMetadataCommand(table, t =>
        {
            // Another attribute while TTL is on is refused for an enable as for a disable: the disable is captured
            // from AWS (ack-api-quirks), the enable is what celery's DynamoDB backend documents meeting (not a
            // capture); the same attribute again is "already enabled".
            if (t.TimeToLiveEnabled && t.TimeToLiveAttribute != attribute)
                throw DynamoException.Validation("TimeToLive is active on a different AttributeName: current AttributeName is " + t.TimeToLiveAttribute);
            if (enabled == true && t.TimeToLiveEnabled) throw DynamoException.Validation("TimeToLive is already enabled");
            if (enabled == false && !t.TimeToLiveEnabled) throw DynamoException.Validation("TimeToLive is already disabled");
            t.TimeToLiveEnabled = enabled!.Value;
            t.TimeToLiveAttribute = attribute;
        })).ConfigureAwait(false);

        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartObject("TimeToLiveSpecification"u8);
        w.WriteBoolean("Enabled"u8, enabled!.Value);
        w.WriteString("AttributeName"u8, attribute);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
