using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// GetShardIterator (DynamoDB Streams): a position in the stream's shard. TRIM_HORIZON is the oldest record still
/// kept, LATEST just after the newest committed one, AT_ and AFTER_SEQUENCE_NUMBER at or after a record. A sequence
/// number at or before the stream's trim horizon (its record is gone) is TrimmedDataAccessException.
/// </summary>
internal static class GetShardIterator
{
    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        string? arn = null, shardId = null, type = null, sequenceNumber = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("StreamArn"u8)) { if (JsonRequest.ValueOf(ref reader)) arn = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ShardId"u8)) { if (JsonRequest.ValueOf(ref reader)) shardId = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ShardIteratorType"u8)) { if (JsonRequest.ValueOf(ref reader)) type = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("SequenceNumber"u8)) { if (JsonRequest.ValueOf(ref reader)) sequenceNumber = JsonRequest.ReadString(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }
        var errors = new ValidationErrors();
        StreamRequests.StreamArn(errors, arn, "streamArn", required: true);
        StreamRequests.ShardId(errors, shardId, "shardId", required: true);
        errors.NotNull(type, "shardIteratorType");
        errors.Enum(type, "shardIteratorType", "TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER",
            "TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER");
        if (sequenceNumber is { Length: < 21 }) errors.Add(sequenceNumber, "sequenceNumber", "Member must have length greater than or equal to 21");
        if (sequenceNumber is { Length: > 40 }) errors.Add(sequenceNumber, "sequenceNumber", "Member must have length less than or equal to 40");
        errors.ThrowIfAny();

        bool bySequence = type is "AT_SEQUENCE_NUMBER" or "AFTER_SEQUENCE_NUMBER";
        long sequence = 0;
        if (bySequence)
        {
            if (sequenceNumber is null)
                throw DynamoException.Validation("Must specify a sequence number for AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER iterator types");
            if (!StreamCatalog.TryParseSequence(sequenceNumber, out sequence))
                throw DynamoException.Validation("Invalid SequenceNumber: " + sequenceNumber);
        }

        var stream = StreamRequests.Find(store, arn!);
        if (shardId != stream.ShardId)
            throw DynamoException.ResourceNotFound("Requested resource not found: Shard does not exist");

        long trimmed = stream.TrimmedThrough;
        long after = type switch
        {
            "TRIM_HORIZON" => Math.Max(stream.StartingSequence - 1, trimmed),
            "LATEST" => StreamRequests.LastSequence(store, stream),
            "AT_SEQUENCE_NUMBER" => sequence == 0 ? 0 : sequence - 1,
            _ => sequence,
        };
        if (bySequence && after < trimmed) throw StreamRequests.Trimmed();

        var iterator = new ShardIterator(stream.Arn, stream.InternalId, after, store.Clock.GetUtcNow().ToUnixTimeMilliseconds());
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteString("ShardIterator"u8, iterator.Encode());
        w.WriteEndObject();
        return Task.CompletedTask;
    }
}
