using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// DescribeStream (DynamoDB Streams): status, view type, key schema and the stream's one shard. The shard's range
/// starts at the first sequence number the stream could hold and, once the stream is DISABLED, ends at its last.
/// </summary>
internal static class DescribeStream
{
    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        string? arn = null, startShard = null;
        long? limit = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("StreamArn"u8)) { if (JsonRequest.ValueOf(ref reader)) arn = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ExclusiveStartShardId"u8)) { if (JsonRequest.ValueOf(ref reader)) startShard = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("Limit"u8)) { if (JsonRequest.ValueOf(ref reader)) limit = JsonRequest.ReadLong(ref reader, JsonShape.Integer); }
            else JsonRequest.SkipValue(ref reader);
        }
        var errors = new ValidationErrors();
        StreamRequests.StreamArn(errors, arn, "streamArn", required: true);
        StreamRequests.Limit(errors, limit, long.MaxValue);
        StreamRequests.ShardId(errors, startShard, "exclusiveStartShardId", required: false);
        errors.ThrowIfAny();

        var stream = StreamRequests.Find(store, arn!);
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartObject("StreamDescription"u8);
        w.WriteString("StreamArn"u8, stream.Arn);
        w.WriteString("StreamLabel"u8, stream.Label);
        w.WriteString("StreamStatus"u8, stream.Status);
        w.WriteString("StreamViewType"u8, stream.ViewType);
        w.WriteNumber("CreationRequestDateTime"u8, TableDescription.EpochSeconds(stream.CreationDateTime));
        w.WriteString("TableName"u8, stream.TableName);
        TableDescription.WriteKeySchema(w, stream.Hash, stream.Range);
        w.WriteStartArray("Shards"u8);
        // The one shard comes after any ExclusiveStartShardId that sorts before it, as shard ids page in order.
        if (startShard is null || string.CompareOrdinal(startShard, stream.ShardId) < 0)
        {
            w.WriteStartObject();
            w.WriteString("ShardId"u8, stream.ShardId);
            w.WriteStartObject("SequenceNumberRange"u8);
            w.WriteString("StartingSequenceNumber"u8, StreamCatalog.FormatSequence(stream.StartingSequence));
            if (stream.EndingSequence is { } ending)
                w.WriteString("EndingSequenceNumber"u8, StreamCatalog.FormatSequence(Math.Max(ending, stream.StartingSequence)));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        return Task.CompletedTask;
    }
}
