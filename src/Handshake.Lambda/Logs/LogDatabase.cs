using Microsoft.Data.Sqlite;

namespace Handshake.Lambda.Logs;

/// <summary>
/// The functions' log events kept across restarts, in <c>logs.db</c> next to the host's <c>lambda.db</c>: one row per
/// event (function, sequence number, timestamp, log stream, message), one per log group (its creation time), and one
/// per log stream that events have left, whether its group's retention expired them or the cap pruned them
/// (<see cref="FormerStreamEvents"/>: the stream stays, with its first and last event timestamps, when all its events
/// are gone). That table is named expired_log_streams, after the first of the two: the name is kept so that a logs.db
/// of either age is the same file to a host of either age.
///
/// The schema is made with IF NOT EXISTS at every open, which is also the migration: a logs.db written before the
/// expired streams' table and the timestamp index gets both the first time it is opened (the index built then, over
/// the rows it holds, which are at most the newest events per function). A logs.db written before the cap's pruning
/// kept streams has streams the cap emptied already gone: nothing in it says they were there.
///
/// A file of its own rather than tables in lambda.db: the log is written all the time (every line a function prints),
/// the control-plane state seldom and synchronously, before its request is answered. In one file they would share
/// SQLite's single writer lock and WAL, so a batch of log lines being committed would hold up an acknowledged
/// control-plane change (and a checkpoint of megabytes of log would stall it); apart, neither waits for the other, and
/// a logs file that is lost, locked or full degrades the logs alone.
///
/// WAL with synchronous=NORMAL: a commit is not fsynced, so kill -9 (or a power cut) may lose the last batch or so of
/// log lines (the writer commits every <see cref="LogWriter.FlushInterval"/>), never the Lambda state in lambda.db.
/// Only the <see cref="LogWriter"/>'s thread writes; reads happen once, at start, before it runs.
/// </summary>
internal sealed class LogDatabase : IDisposable
{
    public const string FileName = "logs.db";

    private readonly SqliteConnection _connection;

    /// <exception cref="SqliteException">The file cannot be opened or created (the host then keeps its logs in memory only).</exception>
    public LogDatabase(string directory)
    {
        FilePath = Path.Combine(directory, FileName);
        _connection = Persistence.SqliteFile.Open(FilePath, """
            CREATE TABLE IF NOT EXISTS log_groups(
                function TEXT NOT NULL PRIMARY KEY,
                creation_time INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS log_events(
                function TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                timestamp INTEGER NOT NULL,
                log_stream TEXT NOT NULL,
                message TEXT NOT NULL,
                PRIMARY KEY(function, sequence)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS expired_log_streams(
                function TEXT NOT NULL,
                log_stream TEXT NOT NULL,
                first_event_timestamp INTEGER NOT NULL,
                last_event_timestamp INTEGER NOT NULL,
                PRIMARY KEY(function, log_stream)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS log_events_by_timestamp ON log_events(function, timestamp);
            """);
    }

    public string FilePath { get; }

    /// <summary>
    /// A retention's expiry: a range of the timestamp index, since the expired rows are the function's oldest by
    /// timestamp, so the delete reads those and no other. The index is named, not left to the planner, which without
    /// statistics may take the primary key's range on sequence instead (all the function's rows, the newest too).
    /// </summary>
    internal const string ExpireEvents =
        "DELETE FROM log_events INDEXED BY log_events_by_timestamp WHERE function = $function AND timestamp < $cutoff AND sequence < $before;";

    /// <summary>
    /// Every log group with its newest <paramref name="eventsPerFunction"/> events, oldest first, and the streams events
    /// have left (expired or pruned), with those events' times; older rows than the newest <paramref name="eventsPerFunction"/>
    /// (a file written with a larger cap, not yet pruned to this one) count as pruned. Sequence numbers may have gaps
    /// (events the writer had to drop).
    /// </summary>
    public List<(string Function, DateTimeOffset CreationTime, List<LogEvent> Events, Dictionary<string, FormerStreamEvents> FormerEvents)> Load(int eventsPerFunction)
    {
        List<(string, DateTimeOffset, List<LogEvent>, Dictionary<string, FormerStreamEvents>)> groups = [];
        using (SqliteCommand command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT function, creation_time FROM log_groups ORDER BY function;";
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                groups.Add((reader.GetString(0), FromTicks(reader.GetInt64(1)), [], new(StringComparer.Ordinal)));
            }
        }

        using (SqliteCommand streams = _connection.CreateCommand())
        {
            streams.CommandText = "SELECT log_stream, first_event_timestamp, last_event_timestamp FROM expired_log_streams WHERE function = $function;";
            SqliteParameter group = streams.Parameters.Add("$function", SqliteType.Text);
            foreach ((string name, _, _, Dictionary<string, FormerStreamEvents> former) in groups)
            {
                group.Value = name;
                using SqliteDataReader reader = streams.ExecuteReader();
                while (reader.Read())
                {
                    former[reader.GetString(0)] = new(FromTicks(reader.GetInt64(1)), FromTicks(reader.GetInt64(2)));
                }
            }
        }

        using SqliteCommand beyond = _connection.CreateCommand();
        beyond.CommandText = "SELECT log_stream, MIN(timestamp), MAX(timestamp) FROM log_events WHERE function = $function AND sequence < $before GROUP BY log_stream;";
        SqliteParameter beyondFunction = beyond.Parameters.Add("$function", SqliteType.Text);
        SqliteParameter beyondBefore = beyond.Parameters.Add("$before", SqliteType.Integer);

        using SqliteCommand events = _connection.CreateCommand();
        // The newest N by the primary key, read backwards, then put in order.
        events.CommandText = "SELECT sequence, timestamp, log_stream, message FROM log_events WHERE function = $function ORDER BY sequence DESC LIMIT $limit;";
        SqliteParameter function = events.Parameters.Add("$function", SqliteType.Text);
        events.Parameters.AddWithValue("$limit", eventsPerFunction);
        foreach ((string name, _, List<LogEvent> list, Dictionary<string, FormerStreamEvents> former) in groups)
        {
            function.Value = name;
            using (SqliteDataReader reader = events.ExecuteReader())
            {
                while (reader.Read())
                {
                    list.Add(new LogEvent(reader.GetInt64(0), FromTicks(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3)));
                }
            }

            list.Reverse();
            if (list.Count == eventsPerFunction)
            {
                // Rows older than these (a seek on the primary key that finds none unless the cap was lowered).
                beyondFunction.Value = name;
                beyondBefore.Value = list[0].Sequence;
                using SqliteDataReader reader = beyond.ExecuteReader();
                while (reader.Read())
                {
                    FormerStreamEvents pruned = new(FromTicks(reader.GetInt64(1)), FromTicks(reader.GetInt64(2)));
                    former[reader.GetString(0)] = former.TryGetValue(reader.GetString(0), out FormerStreamEvents kept)
                        ? new(Min(kept.FirstEventTimestamp, pruned.FirstEventTimestamp), Max(kept.LastEventTimestamp, pruned.LastEventTimestamp))
                        : pruned;
                }
            }
        }

        return groups;
    }

    /// <summary>
    /// Each function's events numbered below this were in a group since deleted (see <see cref="Write"/>); only the
    /// writer's thread reads and writes it.
    /// </summary>
    private readonly Dictionary<string, long> _deletedBefore = new(StringComparer.Ordinal);

    /// <summary>The same for deleted log streams (DeleteLogStream), by function and stream; only the writer's thread uses it.</summary>
    private readonly Dictionary<(string Function, string Stream), long> _streamDeletedBefore = new();

    /// <summary>The same for a retention's expiry: by function, the position and the cutoff (ticks) of its latest; only the writer's thread uses it.</summary>
    private readonly Dictionary<string, (long Before, long Cutoff)> _expired = new(StringComparer.Ordinal);

    /// <summary>
    /// Writes the changes in one transaction, in order: events (with a group's row at its first batch), and deleted
    /// groups (DeleteLogGroup: the function's events numbered below the deletion and its group row go), and deleted
    /// streams (DeleteLogStream: that stream's events numbered below the deletion go), and expiries (a retention: the
    /// events numbered below the expiry and stamped before its cutoff go; the group row stays, and each stream the expiry
    /// took events from gets or widens its expired_log_streams row, unless the stream or its group was deleted at or
    /// after the expiry's position: that deletion was made after it in memory and only reached the writer first).
    /// A deleted stream's or group's expired_log_streams rows go with its events. Then prunes each written function
    /// to its newest <paramref name="eventsPerFunction"/> events, as the ring's cap drops them in memory: each stream the
    /// pruned rows were in gets or widens its expired_log_streams row with their oldest and newest timestamps (one
    /// grouped read of the rows about to go), and the rows go; both a seek on the primary key per function and batch,
    /// never a statement per event. An event numbered below its function's (or its stream's) deletion, or below an
    /// expiry and stamped before its cutoff, is not written: it was appended before the deletion or expiry but reached
    /// the channel after it (the log hands events over outside its lock).
    /// </summary>
    public void Write(IReadOnlyList<LogWriter.Change> batch, int eventsPerFunction)
    {
        using SqliteTransaction transaction = _connection.BeginTransaction();
        using SqliteCommand insert = Command(transaction,
            "INSERT INTO log_events(function, sequence, timestamp, log_stream, message) VALUES ($function, $sequence, $time, $stream, $message) ON CONFLICT DO NOTHING;",
            "$function", "$sequence", "$time", "$stream", "$message");
        // The group's creation time is its first event's (the lowest number, which need not have the earliest
        // timestamp: two environments' lines race to the log), as FunctionLog.FirstTimestamp has it.
        using SqliteCommand group = Command(transaction, "INSERT INTO log_groups(function, creation_time) VALUES ($function, $time) ON CONFLICT(function) DO NOTHING;",
            "$function", "$time");
        using SqliteCommand deleteEvents = Command(transaction, "DELETE FROM log_events WHERE function = $function AND sequence < $before;", "$function", "$before");
        using SqliteCommand deleteGroup = Command(transaction, "DELETE FROM log_groups WHERE function = $function;", "$function");
        using SqliteCommand deleteExpiredStreams = Command(transaction, "DELETE FROM expired_log_streams WHERE function = $function;", "$function");
        using SqliteCommand deleteStream = Command(transaction,
            "DELETE FROM log_events WHERE function = $function AND log_stream = $stream AND sequence < $before;", "$function", "$stream", "$before");
        using SqliteCommand deleteExpiredStream = Command(transaction,
            "DELETE FROM expired_log_streams WHERE function = $function AND log_stream = $stream;", "$function", "$stream");
        using SqliteCommand expire = Command(transaction, ExpireEvents, "$function", "$cutoff", "$before");
        using SqliteCommand keepExpiredStream = Command(transaction,
            """
            INSERT INTO expired_log_streams(function, log_stream, first_event_timestamp, last_event_timestamp) VALUES ($function, $stream, $first, $last)
            """ + WidenStream,
            "$function", "$stream", "$first", "$last");
        Dictionary<string, (LogEvent Oldest, long Newest)> written = new(StringComparer.Ordinal);
        foreach (LogWriter.Change change in batch)
        {
            string function = change.Function;
            if (change.Event is null && change.ExpiredBefore is long cutoff)
            {
                Run(expire, function, cutoff, change.DeleteBefore);
                _expired[function] = (change.DeleteBefore, cutoff);
                foreach ((string expiredStream, FormerStreamEvents times) in change.ExpiredStreams ?? new Dictionary<string, FormerStreamEvents>())
                {
                    if ((_deletedBefore.TryGetValue(function, out long groupDeleted) && groupDeleted >= change.DeleteBefore)
                        || (_streamDeletedBefore.TryGetValue((function, expiredStream), out long streamDeleted) && streamDeleted >= change.DeleteBefore))
                    {
                        continue;
                    }

                    Run(keepExpiredStream, function, expiredStream, times.FirstEventTimestamp.UtcTicks, times.LastEventTimestamp.UtcTicks);
                }

                continue;
            }

            if (change.Event is null && change.Stream is { } stream)
            {
                // A deleted stream: its rows go (the group's row stays, with the other streams' events).
                Run(deleteStream, function, stream, change.DeleteBefore);
                Run(deleteExpiredStream, function, stream);
                _streamDeletedBefore[(function, stream)] = change.DeleteBefore;
                continue;
            }

            if (change.Event is not { } e)
            {
                // Events of this batch written before the deletion go with the rest; the group row is made again by
                // the first event after it (below, from what is left in `written`).
                Run(deleteEvents, function, change.DeleteBefore);
                Run(deleteGroup, function);
                Run(deleteExpiredStreams, function);
                _deletedBefore[function] = change.DeleteBefore;
                written.Remove(function);
                continue;
            }

            if ((_deletedBefore.TryGetValue(function, out long before) && e.Sequence < before)
                || (_streamDeletedBefore.TryGetValue((function, e.LogStreamName), out long streamBefore) && e.Sequence < streamBefore)
                || (_expired.TryGetValue(function, out var expiry) && e.Sequence < expiry.Before && e.Timestamp.UtcTicks < expiry.Cutoff))
            {
                continue;
            }

            written[function] = written.TryGetValue(function, out var seen)
                ? (e.Sequence < seen.Oldest.Sequence ? e : seen.Oldest, Math.Max(seen.Newest, e.Sequence))
                : (e, e.Sequence);
            Run(insert, function, e.Sequence, e.Timestamp.UtcTicks, e.LogStreamName, e.Message);
        }

        // The streams of the rows the prune deletes keep those rows' times first (the WHERE before ON CONFLICT is what
        // tells SQLite's parser that ON starts the upsert).
        using SqliteCommand keepPruned = Command(transaction,
            """
            INSERT INTO expired_log_streams(function, log_stream, first_event_timestamp, last_event_timestamp)
            SELECT $function, log_stream, MIN(timestamp), MAX(timestamp) FROM log_events WHERE function = $function AND sequence <= $before GROUP BY log_stream
            """ + WidenStream,
            "$function", "$before");
        using SqliteCommand prune = Command(transaction, "DELETE FROM log_events WHERE function = $function AND sequence <= $before;", "$function", "$before");
        foreach ((string function, (LogEvent oldest, long newest)) in written)
        {
            Run(group, function, oldest.Timestamp.UtcTicks);
            if (newest - eventsPerFunction >= 0)
            {
                Run(keepPruned, function, newest - eventsPerFunction);
                Run(prune, function, newest - eventsPerFunction);
            }
        }

        transaction.Commit();
    }

    /// <summary>
    /// A stream's expired_log_streams row met again (an expiry, a prune) is widened to the oldest and newest times of
    /// both, never narrowed: what either took from the stream stays described.
    /// </summary>
    private const string WidenStream = """

        ON CONFLICT(function, log_stream) DO UPDATE SET
            first_event_timestamp = MIN(first_event_timestamp, excluded.first_event_timestamp),
            last_event_timestamp = MAX(last_event_timestamp, excluded.last_event_timestamp);
        """;

    public void Dispose() => _connection.Dispose();

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    // Ticks rather than milliseconds: an event read back is the event that was appended, to the tick.
    private static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    private SqliteCommand Command(SqliteTransaction transaction, string sql, params string[] parameters)
    {
        SqliteCommand command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (string parameter in parameters)
        {
            // Typed by the value at each execution (text or integer).
            command.Parameters.AddWithValue(parameter, DBNull.Value);
        }

        return command;
    }

    private static void Run(SqliteCommand command, params object[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        command.ExecuteNonQuery();
    }
}
