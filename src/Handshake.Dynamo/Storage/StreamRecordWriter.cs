using System.Buffers;
using System.Text.Json;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Microsoft.Data.Sqlite;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// Appends stream records on the writer thread, in the transaction of the item write that causes them: a write that
/// is acknowledged has its record, and a write that fails (a condition, a cancelled transaction, a failed commit)
/// leaves none. The record is stored as the exact JSON GetRecords returns, so reading it is a copy.
/// </summary>
internal sealed class StreamRecordWriter : IDisposable
{
    private readonly SqliteStatement _insert;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;
    private readonly string _region;
    private long _next;
    private bool _appended;

    public StreamRecordWriter(SqliteConnection connection, string region)
    {
        _insert = new SqliteStatement(connection, "INSERT INTO stream_records(seq, stream_id, created_ms, record) VALUES (?1, ?2, ?3, ?4)");
        _writer = new Utf8JsonWriter(_buffer, AttributeValueJson.WriterOptions);
        _region = region;
        _next = StreamCatalog.NextSequence(connection);
    }

    /// <summary>
    /// The number the next record gets. Numbers taken by a command that then failed are skipped, not reused: AWS's
    /// sequence numbers grow but are not contiguous either.
    /// </summary>
    public long NextSequence => Volatile.Read(ref _next);

    /// <summary>
    /// Appends the record of one item change, or nothing when the change is none: a delete of a missing item, or a
    /// put or update that leaves the item as it was. <paramref name="oldItem"/> and <paramref name="newItem"/> are
    /// stored item JSON (null: absent).
    /// </summary>
    public void Append(StreamDefinition stream, byte[]? oldItem, byte[]? newItem, bool byTimeToLive, DateTimeOffset now)
    {
        if (oldItem is null && newItem is null) return;
        Dictionary<string, AttributeValue>? oldMap = oldItem is null ? null : StoredItem.Parse(oldItem);
        Dictionary<string, AttributeValue>? newMap = newItem is null ? null : StoredItem.Parse(newItem);
        if (oldMap is not null && newMap is not null && (oldItem.AsSpan().SequenceEqual(newItem) || SameItem(oldMap, newMap))) return;

        string eventName = oldMap is null ? "INSERT" : newMap is null ? "REMOVE" : "MODIFY";
        var source = newMap ?? oldMap!;
        var keys = new Dictionary<string, AttributeValue>(2, StringComparer.Ordinal) { [stream.Hash.Name] = source[stream.Hash.Name] };
        if (stream.Range is { } range) keys[range.Name] = source[range.Name];
        bool withNew = newItem is not null && stream.IncludesNewImage;
        bool withOld = oldItem is not null && stream.IncludesOldImage;
        // The record's size as DynamoDB counts item bytes: its keys and the images it carries.
        int size = ItemSize.Of(keys) + (withNew ? ItemSize.Of(newMap!) : 0) + (withOld ? ItemSize.Of(oldMap!) : 0);

        long sequence = _next++;
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        var w = _writer;
        w.WriteStartObject();
        w.WriteString("awsRegion"u8, _region);
        w.WriteStartObject("dynamodb"u8);
        w.WriteNumber("ApproximateCreationDateTime"u8, now.ToUnixTimeSeconds());
        w.WritePropertyName("Keys"u8);
        AttributeValueJson.WriteMap(w, keys);
        if (withNew)
        {
            w.WritePropertyName("NewImage"u8);
            w.WriteRawValue(newItem, skipInputValidation: true);
        }
        if (withOld)
        {
            w.WritePropertyName("OldImage"u8);
            w.WriteRawValue(oldItem, skipInputValidation: true);
        }
        w.WriteString("SequenceNumber"u8, StreamCatalog.FormatSequence(sequence));
        w.WriteNumber("SizeBytes"u8, size);
        w.WriteString("StreamViewType"u8, stream.ViewType);
        w.WriteEndObject();
        w.WriteString("eventID"u8, Guid.NewGuid().ToString("N"));
        w.WriteString("eventName"u8, eventName);
        w.WriteString("eventSource"u8, "aws:dynamodb"u8);
        w.WriteString("eventVersion"u8, "1.1"u8);
        if (byTimeToLive)
        {
            // A TTL deletion is DynamoDB's own: the Streams API names the service as the principal.
            w.WriteStartObject("userIdentity"u8);
            w.WriteString("PrincipalId"u8, "dynamodb.amazonaws.com"u8);
            w.WriteString("Type"u8, "Service"u8);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.Flush();

        _insert.Bind(1, sequence);
        _insert.Bind(2, stream.InternalId);
        _insert.Bind(3, now.ToUnixTimeMilliseconds());
        _insert.Bind(4, _buffer.WrittenSpan);
        _insert.Execute();
        _appended = true;
    }

    /// <summary>True once per commit that appended records since the last call (writer thread only).</summary>
    public bool TakeAppended()
    {
        bool appended = _appended;
        _appended = false;
        return appended;
    }

    private static bool SameItem(Dictionary<string, AttributeValue> a, Dictionary<string, AttributeValue> b)
    {
        if (a.Count != b.Count) return false;
        foreach (var (name, value) in a)
            if (!b.TryGetValue(name, out var other) || !value.ValueEquals(other)) return false;
        return true;
    }

    public void Dispose()
    {
        _insert.Dispose();
        _writer.Dispose();
    }
}
