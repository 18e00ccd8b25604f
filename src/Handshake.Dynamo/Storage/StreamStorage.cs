using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Microsoft.Data.Sqlite;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// The streams of the store. Streams are rows of <c>streams</c> (a JSON
/// definition each); records are rows of <c>stream_records</c>, keyed by a store-wide sequence number that only grows
/// (AUTOINCREMENT: trimmed numbers are never handed out again). Changed on the writer thread only, read anywhere.
/// </summary>
internal sealed class StreamCatalog
{
    /// <summary>Records are kept this long, and a disabled stream stays describable this long, as on AWS.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    public const string Schema = """
        CREATE TABLE IF NOT EXISTS streams(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            definition TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS stream_records(
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            stream_id INTEGER NOT NULL,
            created_ms INTEGER NOT NULL,
            record BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS stream_records_by_stream ON stream_records(stream_id, seq);
        """;

    private readonly ConcurrentDictionary<string, StreamDefinition> _byArn = new(StringComparer.Ordinal);

    public bool IsEmpty => _byArn.IsEmpty;

    /// <summary>Completed by each commit that appends records: in-process readers wait on it (see <see cref="StreamFeed"/>).</summary>
    public StreamAppendSignal Appended { get; } = new();

    public bool TryGet(string arn, out StreamDefinition stream) => _byArn.TryGetValue(arn, out stream!);

    public void Add(StreamDefinition stream) => _byArn[stream.Arn] = stream;

    public void Remove(StreamDefinition stream) => _byArn.TryRemove(stream.Arn, out _);

    /// <summary>The streams in creation order (ListStreams sorts them by ARN for its pages).</summary>
    public List<StreamDefinition> InCreationOrder()
    {
        var list = new List<StreamDefinition>(_byArn.Values);
        list.Sort(static (a, b) => a.InternalId.CompareTo(b.InternalId));
        return list;
    }

    /// <summary>Loads every stream and links each table to its latest one (by TableId). At open and after a failed commit.</summary>
    public void Load(SqliteConnection connection, TableCatalog tables)
    {
        _byArn.Clear();
        var latest = new Dictionary<string, StreamDefinition>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, definition FROM streams ORDER BY id";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var stream = Deserialize(reader.GetInt64(0), reader.GetString(1));
                _byArn[stream.Arn] = stream;
                latest[stream.TableId] = stream;
            }
        }
        foreach (var name in tables.SortedNames())
        {
            if (!tables.TryGet(name, out var table)) continue;
            latest.TryGetValue(table.TableId, out var stream);
            table.LatestStream = stream;
            table.Stream = stream is { Enabled: true } ? stream : null;
        }
    }

    /// <summary>The next sequence number: one past the largest ever used, trimmed or not.</summary>
    public static long NextSequence(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'stream_records'), 0)";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) + 1;
    }

    /// <summary>
    /// Enables a new stream on <paramref name="table"/> in the open transaction. The label is the creation time; a
    /// stream enabled within the same millisecond as another of the table's name (re-enabled, or on a table deleted and
    /// created again, whose old stream stays readable for 24 hours) gets the next free one, so every stream has its own ARN.
    /// </summary>
    public static StreamDefinition Enable(WriteContext context, TableDefinition table, string viewType, DateTimeOffset now)
    {
        var created = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        if (table.LatestStream is { } previous && previous.CreationDateTime >= created) created = previous.CreationDateTime.AddMilliseconds(1);
        string label = Label(created);
        while (context.Streams.TryGet(table.Arn + "/stream/" + label, out _))
        {
            created = created.AddMilliseconds(1);
            label = Label(created);
        }
        var stream = new StreamDefinition
        {
            Arn = table.Arn + "/stream/" + label,
            Label = label,
            TableName = table.Name,
            TableId = table.TableId,
            ViewType = viewType,
            Hash = table.Hash,
            Range = table.Range,
            CreationDateTime = created,
            ShardId = "shardId-" + created.ToUnixTimeMilliseconds().ToString("D20", CultureInfo.InvariantCulture) + "-"
                + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 4)),
            StartingSequence = context.StreamRecords.NextSequence,
        };
        using var insert = context.CreateCommand("INSERT INTO streams(definition) VALUES ($d) RETURNING id");
        insert.Parameters.AddWithValue("$d", Serialize(stream));
        stream.InternalId = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
        context.Streams.Add(stream);
        table.Stream = stream;
        table.LatestStream = stream;
        return stream;
    }

    private static string Label(DateTimeOffset created) => created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture);

    /// <summary>
    /// The records of <paramref name="stream"/> after <paramref name="after"/>, oldest first, each handed to
    /// <paramref name="onRecord"/> (sequence number, creation time in ms, the record's JSON): at most
    /// <paramref name="limit"/>, and no more than <paramref name="maxBytes"/> of JSON past the first record. The one read
    /// of records that GetRecords and the in-process <see cref="StreamFeed"/> share. Exhausted: the read ran out of
    /// records before the limit or the byte budget stopped it. Closed: the stream was disabled before the read began and
    /// the database has the disable, so every record it will ever have was there to read.
    /// </summary>
    public static (int Count, bool Exhausted, bool Closed) ReadRecords(
        DynamoStore store, StreamDefinition stream, long after, int limit, long maxBytes, Action<long, long, byte[]> onRecord)
    {
        // Read before the records: a stream disabled by now gets no more. The writer marks the stream disabled before
        // its group commits, and that group may also hold the stream's last record: the disable counts only once the
        // database has it (checked first, so the records read after it include that group's).
        bool disabled = !stream.Enabled;
        return store.Read(session =>
        {
            bool closed = disabled && IsDisabledInDatabase(session.Connection, stream.InternalId);
            using var select = session.Connection.CreateCommand();
            select.CommandText = "SELECT seq, created_ms, record FROM stream_records WHERE stream_id = $s AND seq > $a ORDER BY seq LIMIT $n";
            select.Parameters.AddWithValue("$s", stream.InternalId);
            select.Parameters.AddWithValue("$a", after);
            select.Parameters.AddWithValue("$n", limit);
            using var rows = select.ExecuteReader();
            int count = 0;
            long bytes = 0;
            bool exhausted = true;
            while (rows.Read())
            {
                var record = (byte[])rows.GetValue(2);
                // At least one record, then stop before the running size passes the budget.
                if (count > 0 && bytes + record.Length > maxBytes)
                {
                    exhausted = false;
                    break;
                }
                bytes += record.Length;
                onRecord(rows.GetInt64(0), rows.GetInt64(1), record);
                if (++count == limit) exhausted = false;
            }
            return (count, exhausted, closed);
        });
    }

    /// <summary>
    /// Whether the committed definition of stream <paramref name="id"/> says disabled (or is gone, forgotten after 24
    /// hours). A reader that sees this has, in its later statements, every record the stream will ever have: the
    /// disable commits with or after the stream's last write.
    /// </summary>
    private static bool IsDisabledInDatabase(SqliteConnection connection, long id)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT definition FROM streams WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        if (command.ExecuteScalar() is not string json) return true;
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty("Disabled", out _);
    }

    /// <summary>Persists a stream's definition after a change (its status, its trim horizon) in the open transaction.</summary>
    public static void Save(WriteContext context, StreamDefinition stream)
    {
        using var update = context.CreateCommand("UPDATE streams SET definition = $d WHERE id = $id");
        update.Parameters.AddWithValue("$d", Serialize(stream));
        update.Parameters.AddWithValue("$id", stream.InternalId);
        update.ExecuteNonQuery();
    }

    /// <summary>Disables the table's stream in the open transaction: it stays readable, DISABLED, for 24 hours.</summary>
    public static void Disable(WriteContext context, TableDefinition table, DateTimeOffset now)
    {
        if (table.Stream is not { } stream) return;
        stream.DisabledAt = now;
        stream.EndingSequence = context.StreamRecords.NextSequence - 1;
        try
        {
            Save(context, stream);
        }
        catch
        {
            // The command fails and its savepoint is rolled back: the stream stays as the database has it, enabled.
            stream.DisabledAt = null;
            stream.EndingSequence = null;
            throw;
        }
        table.Stream = null;
    }

    private static string Serialize(StreamDefinition s)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("Arn", s.Arn);
            w.WriteString("Label", s.Label);
            w.WriteString("TableName", s.TableName);
            w.WriteString("TableId", s.TableId);
            w.WriteString("ViewType", s.ViewType);
            w.WriteString("HashName", s.Hash.Name);
            w.WriteString("HashType", s.Hash.Type.ToString());
            if (s.Range is { } range)
            {
                w.WriteString("RangeName", range.Name);
                w.WriteString("RangeType", range.Type.ToString());
            }
            w.WriteNumber("Created", s.CreationDateTime.ToUnixTimeMilliseconds());
            w.WriteString("ShardId", s.ShardId);
            w.WriteNumber("StartingSequence", s.StartingSequence);
            if (s.DisabledAt is { } disabled) w.WriteNumber("Disabled", disabled.ToUnixTimeMilliseconds());
            if (s.EndingSequence is { } ending) w.WriteNumber("EndingSequence", ending);
            if (s.TrimmedThrough > 0) w.WriteNumber("TrimmedThrough", s.TrimmedThrough);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static StreamDefinition Deserialize(long id, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        return new StreamDefinition
        {
            InternalId = id,
            Arn = r.GetProperty("Arn").GetString()!,
            Label = r.GetProperty("Label").GetString()!,
            TableName = r.GetProperty("TableName").GetString()!,
            TableId = r.GetProperty("TableId").GetString()!,
            ViewType = r.GetProperty("ViewType").GetString()!,
            Hash = new KeyAttribute(r.GetProperty("HashName").GetString()!, Enum.Parse<AttributeType>(r.GetProperty("HashType").GetString()!)),
            Range = r.TryGetProperty("RangeName", out var rangeName)
                ? new KeyAttribute(rangeName.GetString()!, Enum.Parse<AttributeType>(r.GetProperty("RangeType").GetString()!)) : null,
            CreationDateTime = DateTimeOffset.FromUnixTimeMilliseconds(r.GetProperty("Created").GetInt64()),
            ShardId = r.GetProperty("ShardId").GetString()!,
            StartingSequence = r.GetProperty("StartingSequence").GetInt64(),
            DisabledAt = r.TryGetProperty("Disabled", out var disabled) ? DateTimeOffset.FromUnixTimeMilliseconds(disabled.GetInt64()) : null,
            EndingSequence = r.TryGetProperty("EndingSequence", out var ending) ? ending.GetInt64() : null,
            TrimmedThrough = r.TryGetProperty("TrimmedThrough", out var trimmed) ? trimmed.GetInt64() : 0,
        };
    }

    /// <summary>The wire form of a sequence number: 21 digits, 10^20 plus the stored number, so text and numeric order agree.</summary>
    public static string FormatSequence(long sequence) => "1" + sequence.ToString("D20", CultureInfo.InvariantCulture);

    /// <summary>
    /// The stored number of a wire sequence number (21 to 40 digits); false for anything that is not a number. A
    /// number below every one this store issues reads as 0, one above them as long.MaxValue.
    /// </summary>
    public static bool TryParseSequence(string text, out long sequence)
    {
        sequence = 0;
        foreach (char c in text) if (c is < '0' or > '9') return false;
        if (!System.Numerics.BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return false;
        var offset = value - System.Numerics.BigInteger.Pow(10, 20);
        sequence = offset.Sign < 0 ? 0 : offset > long.MaxValue ? long.MaxValue : (long)offset;
        return true;
    }
}
