using Handshake.Dynamo.Operations;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo;

/// <summary>What a <see cref="StreamFeed.Read"/> found.</summary>
public enum StreamFeedStatus
{
    /// <summary>Records (possibly none yet) after the position; more may come.</summary>
    Open,

    /// <summary>The stream is disabled (or its table deleted) and every record after the position has been read.</summary>
    ShardClosed,

    /// <summary>No such stream (never existed, or gone 24 hours after it was disabled).</summary>
    StreamNotFound,

    /// <summary>The position is before the stream's trim horizon: the records after it are partly gone.</summary>
    Trimmed,
}

/// <summary>One stream record as GetRecords returns it (the JSON), with its sequence number and creation time.</summary>
public readonly record struct StreamFeedRecord(long Sequence, long CreatedUnixMs, byte[] Json);

/// <summary>
/// The store's streams for an in-process reader (the function host's event source mappings): the same records
/// GetRecords returns, read without HTTP, signing or shard iterators. A position is a stored sequence number: records
/// after it come next. Streams have one shard here, so a stream ARN names the shard.
/// </summary>
public sealed class StreamFeed
{
    private readonly DynamoStore _store;

    internal StreamFeed(DynamoStore store) => _store = store;

    /// <summary>True when the stream exists (enabled, or disabled less than 24 hours ago).</summary>
    public bool Exists(string streamArn) => _store.Streams.TryGet(streamArn, out _);

    /// <summary>
    /// Where a reader starts: TRIM_HORIZON (before the oldest record kept) or LATEST (after the newest committed one),
    /// as GetShardIterator places them. Null when the stream does not exist.
    /// </summary>
    public long? StartingPosition(string streamArn, bool latest)
    {
        if (!_store.Streams.TryGet(streamArn, out var stream)) return null;
        return latest ? StreamRequests.LastSequence(_store, stream) : Math.Max(stream.StartingSequence - 1, stream.TrimmedThrough);
    }

    /// <summary>The stream's trim horizon: a reader told <see cref="StreamFeedStatus.Trimmed"/> goes on from here.</summary>
    public long TrimHorizon(string streamArn) =>
        _store.Streams.TryGet(streamArn, out var stream) ? Math.Max(stream.StartingSequence - 1, stream.TrimmedThrough) : 0;

    /// <summary>
    /// Up to <paramref name="limit"/> records after <paramref name="after"/>, appended to <paramref name="into"/>, oldest
    /// first. With <paramref name="maxBytes"/>, reading stops before the record whose JSON would take the running size
    /// of the records read past it (at least one record is read, however large).
    /// </summary>
    public StreamFeedStatus Read(string streamArn, long after, int limit, List<StreamFeedRecord> into, long maxBytes = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (!_store.Streams.TryGet(streamArn, out var stream)) return StreamFeedStatus.StreamNotFound;
        if (after < stream.TrimmedThrough) return StreamFeedStatus.Trimmed;
        var (read, _, closed) = StreamCatalog.ReadRecords(_store, stream, after, limit, maxBytes,
            (sequence, createdMs, json) => into.Add(new StreamFeedRecord(sequence, createdMs, json)));
        return read == 0 && closed ? StreamFeedStatus.ShardClosed : StreamFeedStatus.Open;
    }

    /// <summary>
    /// Completes at the next commit that appends a record to any stream. Take it before <see cref="Read"/>, and wait on
    /// it when the read found nothing: a record committed in between completes it, so none is missed.
    /// </summary>
    public Task NextAppend() => _store.Streams.Appended.Next();

    /// <summary>The wire form of a sequence number (SequenceNumber in records).</summary>
    public static string FormatSequence(long sequence) => StreamCatalog.FormatSequence(sequence);

    /// <summary>The stored number of a wire sequence number; false for anything that is not one.</summary>
    public static bool TryParseSequence(string text, out long sequence) => StreamCatalog.TryParseSequence(text, out sequence);
}
