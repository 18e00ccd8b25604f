using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// Deletes expired items of the tables with TTL enabled. An item is expired when its TTL attribute is a Number of
/// epoch seconds before now (by the store's clock); other types are ignored, and, as in DynamoDB, values more than
/// five years in the past are not processed. Candidates are found on a read connection, page by page, and each
/// page is deleted by one writer command that checks every item again, so a write that renewed an item in the
/// meantime wins. Deletes go through <see cref="WriteContext.Delete"/>, so secondary indexes follow.
/// Each tick also trims stream records older than 24 hours (<see cref="StreamTrimCommand"/>).
/// The background loop ticks on a PeriodicTimer driven by the store's TimeProvider: a fake clock drives it too.
/// </summary>
internal sealed class TimeToLiveSweeper : IAsyncDisposable
{
    private const int PageItems = 500;
    private static readonly TimeSpan MaxAge = TimeSpan.FromDays(5 * 365);

    private readonly DynamoStore _store;
    private readonly SqliteDatabase _database;
    private readonly SemaphoreSlim _oneSweep = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private TaskCompletionSource<int> _nextSweep = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TimeToLiveSweeper(DynamoStore store, SqliteDatabase database)
    {
        _store = store;
        _database = database;
        var interval = store.Options.TimeToLiveSweepInterval;
        // The timer starts now, not when the loop first runs, so a fake clock advanced right after open fires it.
        _loop = interval > TimeSpan.Zero ? LoopAsync(new PeriodicTimer(interval, store.Clock)) : Task.CompletedTask;
    }

    private async Task LoopAsync(PeriodicTimer timer)
    {
        await Task.Yield();
        using var _ = timer;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                int deleted = -1;
                try
                {
                    deleted = await SweepAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A sweep that failed (store closing, I/O error) is retried at the next tick.
                }
                try
                {
                    // Stream records older than 24 hours go on the same tick: no timer of their own, and each trim
                    // command is bounded; a store with no streams returns before any query.
                    await _store.TrimStreamsAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Retried at the next tick, as the sweep is.
                }
                Interlocked.Exchange(ref _nextSweep, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(deleted);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Completes after the next background sweep with the number of items it deleted (-1: it failed).</summary>
    public Task<int> NextBackgroundSweep => Volatile.Read(ref _nextSweep).Task;

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await _oneSweep.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long now = _store.Clock.GetUtcNow().ToUnixTimeSeconds();
            int deleted = 0;
            foreach (var name in _store.Catalog.SortedNames())
            {
                if (!_store.Catalog.TryGet(name, out var table) || !table.TimeToLiveEnabled || table.TimeToLiveAttribute is not { } attribute)
                    continue;
                deleted += await SweepTableAsync(table, attribute, now, cancellationToken).ConfigureAwait(false);
            }
            return deleted;
        }
        finally
        {
            _oneSweep.Release();
        }
    }

    private async Task<int> SweepTableAsync(TableDefinition table, string attribute, long now, CancellationToken cancellationToken)
    {
        int deleted = 0;
        byte[]? afterHash = null, afterRange = null;
        using var connection = _database.OpenReader();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var expired = new List<PrimaryKey>();
            int read = 0;
            using (var select = connection.CreateCommand())
            {
                select.CommandText = afterHash is null
                    ? "SELECT hash_key, range_key, item FROM items WHERE table_id = $t ORDER BY hash_key, range_key LIMIT $n"
                    : "SELECT hash_key, range_key, item FROM items WHERE table_id = $t AND (hash_key, range_key) > ($h, $r) ORDER BY hash_key, range_key LIMIT $n";
                select.Parameters.AddWithValue("$t", table.InternalId);
                select.Parameters.AddWithValue("$n", PageItems);
                if (afterHash is not null)
                {
                    select.Parameters.AddWithValue("$h", afterHash);
                    select.Parameters.AddWithValue("$r", afterRange!);
                }
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    read++;
                    afterHash = (byte[])reader.GetValue(0);
                    afterRange = (byte[])reader.GetValue(1);
                    if (IsExpired((byte[])reader.GetValue(2), attribute, now)) expired.Add(new PrimaryKey(afterHash, afterRange));
                }
            }
            if (expired.Count > 0)
            {
                var command = new DeleteExpiredCommand(table, attribute, now, expired);
                await _store.WriteAsync(command).ConfigureAwait(false);
                deleted += command.Deleted;
            }
            if (read < PageItems) return deleted;
        }
    }

    internal static bool IsExpired(byte[] item, string attribute, long now)
    {
        // Most items of a table without that attribute need no parse: the stored JSON does not mention its name.
        if (item.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(attribute)) < 0) return false;
        var parsed = StoredItem.Parse(item);
        if (!parsed.TryGetValue(attribute, out var value) || value.Type != AttributeType.N) return false;
        var expiry = value.N;
        var nowNumber = DynamoNumber.Parse(now.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var oldest = DynamoNumber.Parse((now - (long)MaxAge.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return expiry.CompareTo(nowNumber) < 0 && expiry.CompareTo(oldest) >= 0;
    }

    private sealed class DeleteExpiredCommand(TableDefinition table, string attribute, long now, List<PrimaryKey> keys) : WriteCommand
    {
        public int Deleted { get; private set; }

        public override bool NeedsSavepoint => true;

        public override void Apply(WriteContext context)
        {
            if (table.IsDeleted) return;
            foreach (var key in keys)
            {
                if (!context.TryReadItem(table, key, wantItem: true, out int size, out var item)) continue;
                if (!IsExpired(item!, attribute, now)) continue;
                context.Delete(table, key, size, item, byTimeToLive: true);
                Deleted++;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _oneSweep.Dispose();
    }
}
