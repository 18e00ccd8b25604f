using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// GetRecords (DynamoDB Streams): up to Limit (at most 1000) records after the iterator's position, and at most
/// 1 MB of them, with the iterator to continue from. Records are stored as the JSON returned, so a page is a copy.
/// A DISABLED stream's shard is closed: once its last record has been read, there is no NextShardIterator.
/// </summary>
internal static class GetRecords
{
    private const int MaxLimit = 1000;
    private const int MaxBytes = 1024 * 1024;

    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        string? text = null;
        long? limit = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("ShardIterator"u8)) { if (JsonRequest.ValueOf(ref reader)) text = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("Limit"u8)) { if (JsonRequest.ValueOf(ref reader)) limit = JsonRequest.ReadLong(ref reader, JsonShape.Integer); }
            else JsonRequest.SkipValue(ref reader);
        }
        var errors = new ValidationErrors();
        errors.NotNull(text, "shardIterator");
        if (text is { Length: 0 }) errors.Add(text, "shardIterator", "Member must have length greater than or equal to 1");
        if (text is { Length: > 2048 }) errors.Add(text, "shardIterator", "Member must have length less than or equal to 2048");
        StreamRequests.Limit(errors, limit, MaxLimit);
        errors.ThrowIfAny();

        if (!ShardIterator.TryDecode(text!, out var iterator)) throw DynamoException.Validation("Invalid ShardIterator");
        var now = store.Clock.GetUtcNow();
        if (now.ToUnixTimeMilliseconds() - iterator.IssuedMs > (long)ShardIterator.Lifetime.TotalMilliseconds)
            throw new DynamoException(DynamoErrorCode.ExpiredIteratorException, "The provided iterator exceeds the maximum age allowed.");
        if (!store.Streams.TryGet(iterator.StreamArn, out var stream) || stream.InternalId != iterator.StreamId)
            throw StreamRequests.StreamNotFound(iterator.StreamArn);
        if (iterator.After < stream.TrimmedThrough) throw StreamRequests.Trimmed();

        int max = (int)(limit ?? MaxLimit);
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartArray("Records"u8);
        long after = iterator.After;
        // A DISABLED stream's shard is closed: the page that reads to its end carries no NextShardIterator.
        var (_, exhausted, closed) = StreamCatalog.ReadRecords(store, stream, iterator.After, max, MaxBytes, (sequence, _, record) =>
        {
            response.WriteRawValue(record);
            after = sequence;
        });
        w.WriteEndArray();
        if (!(closed && exhausted))
            w.WriteString("NextShardIterator"u8, new ShardIterator(stream.Arn, stream.InternalId, after, now.ToUnixTimeMilliseconds()).Encode());
        w.WriteEndObject();
        return Task.CompletedTask;
    }
}
