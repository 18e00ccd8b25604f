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
        // Read before the records: a stream disabled by now gets no more, so reading to its end closes the shard.
        // The writer marks the stream disabled before its group commits, and that group may also hold the stream's
        // last record: the shard is only closed once the database has the disable (checked below, first).
        bool disabled = !stream.Enabled;
        bool exhausted = true;
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartArray("Records"u8);
        long after = store.Read(session =>
        {
            if (disabled) disabled = StreamCatalog.IsDisabledInDatabase(session.Connection, stream.InternalId);
            using var select = session.Connection.CreateCommand();
            select.CommandText = "SELECT seq, record FROM stream_records WHERE stream_id = $s AND seq > $a ORDER BY seq LIMIT $n";
            select.Parameters.AddWithValue("$s", stream.InternalId);
            select.Parameters.AddWithValue("$a", iterator.After);
            select.Parameters.AddWithValue("$n", max);
            using var rows = select.ExecuteReader();
            long position = iterator.After;
            long bytes = 0;
            int remaining = max;
            while (rows.Read())
            {
                var record = (byte[])rows.GetValue(1);
                // At least one record a page, then stop before the page passes 1 MB.
                if (bytes > 0 && bytes + record.Length > MaxBytes)
                {
                    exhausted = false;
                    break;
                }
                bytes += record.Length;
                response.WriteRawValue(record);
                position = rows.GetInt64(0);
                if (--remaining == 0) exhausted = false;
            }
            return position;
        });
        w.WriteEndArray();
        if (!(disabled && exhausted))
            w.WriteString("NextShardIterator"u8, new ShardIterator(stream.Arn, stream.InternalId, after, now.ToUnixTimeMilliseconds()).Encode());
        w.WriteEndObject();
        return Task.CompletedTask;
    }
}
