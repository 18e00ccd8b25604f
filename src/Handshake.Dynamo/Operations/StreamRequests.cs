using System.Buffers.Binary;
using System.Globalization;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// What the DynamoDB Streams operations share: the member constraints of AWS's model (a StreamArn is 37 to 1024
/// characters, a ShardId 28 to 65), finding a stream, and its not-found error in AWS's words.
/// </summary>
internal static class StreamRequests
{
    public static void StreamArn(ValidationErrors errors, string? arn, string path, bool required)
    {
        if (arn is null)
        {
            if (required) errors.NotNull(null, path);
            return;
        }
        if (arn.Length < 37) errors.Add(arn, path, "Member must have length greater than or equal to 37");
        if (arn.Length > 1024) errors.Add(arn, path, "Member must have length less than or equal to 1024");
    }

    public static void ShardId(ValidationErrors errors, string? shardId, string path, bool required)
    {
        if (shardId is null)
        {
            if (required) errors.NotNull(null, path);
            return;
        }
        if (shardId.Length < 28) errors.Add(shardId, path, "Member must have length greater than or equal to 28");
        if (shardId.Length > 65) errors.Add(shardId, path, "Member must have length less than or equal to 65");
    }

    public static void Limit(ValidationErrors errors, long? limit, long max)
    {
        if (limit is < 1) errors.Add(limit.Value.ToString(CultureInfo.InvariantCulture), "limit", "Member must have value greater than or equal to 1");
        if (limit > max) errors.Add(limit.Value.ToString(CultureInfo.InvariantCulture), "limit", "Member must have value less than or equal to " + max);
    }

    public static StreamDefinition Find(DynamoStore store, string arn) =>
        store.Streams.TryGet(arn, out var stream) ? stream : throw StreamNotFound(arn);

    public static DynamoException StreamNotFound(string arn) =>
        DynamoException.ResourceNotFound("Requested resource not found: Stream: " + arn + " not found");

    /// <summary>A position before the trim horizon: the records it names are gone.</summary>
    public static DynamoException Trimmed() =>
        new(DynamoErrorCode.TrimmedDataAccessException, "The data you are trying to access has been trimmed.");

    /// <summary>The newest record of a stream that is committed (its start when it has none): where LATEST begins.</summary>
    public static long LastSequence(DynamoStore store, StreamDefinition stream)
    {
        if (stream.EndingSequence is { } ending) return ending;
        return store.Read(session =>
        {
            using var command = session.Connection.CreateCommand();
            command.CommandText = "SELECT MAX(seq) FROM stream_records WHERE stream_id = $s";
            command.Parameters.AddWithValue("$s", stream.InternalId);
            // No record left (none written, or all trimmed): the end is the trim horizon, so that a LATEST iterator
            // on a quiet stream is not refused as if it pointed at trimmed data.
            return command.ExecuteScalar() is long last ? last : Math.Max(stream.StartingSequence - 1, stream.TrimmedThrough);
        });
    }
}

/// <summary>
/// A shard iterator: opaque to clients, and shaped like AWS's (<c>streamArn|1|payload</c>). The payload holds the
/// stream's row id, the position (records after this sequence number come next), when the iterator was issued (it
/// expires 15 minutes later) and a checksum, so an edited or made-up iterator is refused rather than read.
/// </summary>
internal readonly record struct ShardIterator(string StreamArn, long StreamId, long After, long IssuedMs)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    public string Encode()
    {
        Span<byte> payload = stackalloc byte[32];
        BinaryPrimitives.WriteInt64BigEndian(payload, StreamId);
        BinaryPrimitives.WriteInt64BigEndian(payload[8..], After);
        BinaryPrimitives.WriteInt64BigEndian(payload[16..], IssuedMs);
        BinaryPrimitives.WriteUInt64BigEndian(payload[24..], Check(StreamArn, payload[..24]));
        return StreamArn + "|1|" + Convert.ToBase64String(payload);
    }

    public static bool TryDecode(string text, out ShardIterator iterator)
    {
        iterator = default;
        int bar = text.LastIndexOf("|1|", StringComparison.Ordinal);
        if (bar <= 0) return false;
        Span<byte> payload = stackalloc byte[33];
        if (!Convert.TryFromBase64String(text[(bar + 3)..], payload, out int length) || length != 32) return false;
        string arn = text[..bar];
        if (BinaryPrimitives.ReadUInt64BigEndian(payload[24..]) != Check(arn, payload[..24])) return false;
        iterator = new ShardIterator(arn, BinaryPrimitives.ReadInt64BigEndian(payload),
            BinaryPrimitives.ReadInt64BigEndian(payload[8..]), BinaryPrimitives.ReadInt64BigEndian(payload[16..]));
        return true;
    }

    private static ulong Check(string arn, ReadOnlySpan<byte> payload)
    {
        var hash = new System.IO.Hashing.XxHash64(0x53545245414d53);
        hash.Append(System.Text.Encoding.UTF8.GetBytes(arn));
        hash.Append(payload);
        return hash.GetCurrentHashAsUInt64();
    }
}
