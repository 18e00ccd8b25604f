using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// Trims the stream records older than 24 hours, oldest first, at most <see cref="BatchRecords"/> per command so a
/// trim never holds the writer for long; and forgets the streams disabled more than 24 hours ago. Records are trimmed
/// as a prefix of the store-wide sequence; each stream remembers the last of its own records that went (its trim
/// horizon), which is what TrimmedDataAccessException is decided by.
/// </summary>
internal sealed class StreamTrimCommand(DateTimeOffset now) : WriteCommand
{
    private const int BatchRecords = 1000;

    public int Trimmed { get; private set; }

    public override bool NeedsSavepoint => true;

    /// <summary>Trims until nothing old is left; returns how many records went.</summary>
    public static async Task<int> RunAsync(DynamoStore store)
    {
        // Records exist only while their stream does: a store without streams commits nothing here.
        if (store.Streams.IsEmpty) return 0;
        int total = 0;
        while (true)
        {
            var command = new StreamTrimCommand(store.Clock.GetUtcNow());
            await store.WriteAsync(command).ConfigureAwait(false);
            total += command.Trimmed;
            if (command.Trimmed < BatchRecords) return total;
        }
    }

    public override void Apply(WriteContext context)
    {
        long cutoff = (now - StreamCatalog.Retention).ToUnixTimeMilliseconds();
        long through = -1;
        int count = 0;
        var horizons = new Dictionary<long, long>();
        using (var select = context.CreateCommand("SELECT seq, created_ms, stream_id FROM stream_records ORDER BY seq LIMIT $n"))
        {
            select.Parameters.AddWithValue("$n", BatchRecords);
            using var reader = select.ExecuteReader();
            // Records are numbered in commit order, so the old ones are a prefix; the first young one ends it.
            while (reader.Read() && reader.GetInt64(1) < cutoff)
            {
                through = reader.GetInt64(0);
                horizons[reader.GetInt64(2)] = through;
                count++;
            }
        }
        if (count > 0)
        {
            using var delete = context.CreateCommand("DELETE FROM stream_records WHERE seq <= $s");
            delete.Parameters.AddWithValue("$s", through);
            delete.ExecuteNonQuery();
            foreach (var stream in context.Streams.InCreationOrder())
            {
                if (!horizons.TryGetValue(stream.InternalId, out long last)) continue;
                long previous = stream.TrimmedThrough;
                stream.TrimmedThrough = last;
                try
                {
                    StreamCatalog.Save(context, stream);
                }
                catch
                {
                    stream.TrimmedThrough = previous;
                    throw;
                }
            }
        }
        Trimmed = count;

        foreach (var stream in context.Streams.InCreationOrder())
        {
            if (stream.DisabledAt is not { } disabled || disabled > now - StreamCatalog.Retention) continue;
            using (var records = context.CreateCommand("DELETE FROM stream_records WHERE stream_id = $id"))
            {
                records.Parameters.AddWithValue("$id", stream.InternalId);
                records.ExecuteNonQuery();
            }
            using (var row = context.CreateCommand("DELETE FROM streams WHERE id = $id"))
            {
                row.Parameters.AddWithValue("$id", stream.InternalId);
                row.ExecuteNonQuery();
            }
            context.Streams.Remove(stream);
            // The table keeps describing it as its latest stream no longer.
            if (context.Catalog.TryGet(stream.TableName, out var table) && table.LatestStream == stream) table.LatestStream = null;
        }
    }
}
