using Microsoft.Data.Sqlite;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// Moves WAL checkpoints off the writer. SQLite's automatic checkpoint runs inside the commit that crosses the
/// threshold, so one unlucky write pays for copying the WAL into the database and two fsyncs. Here the writer has
/// auto-checkpointing off, and this loop runs a PASSIVE checkpoint (which never blocks the writer or readers) on its
/// own connection once a second. Disposal runs a final TRUNCATE checkpoint so a clean stop leaves a small WAL.
/// </summary>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly SqliteConnection _connection;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WalCheckpointer(SqliteDatabase database, TimeProvider clock)
    {
        _connection = database.OpenReader(forCheckpoints: true);
        _loop = RunAsync(clock);
    }

    private async Task RunAsync(TimeProvider clock)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false)) Checkpoint("PASSIVE");
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void Checkpoint(string mode)
    {
        try
        {
            SqliteDatabase.Execute(_connection, "PRAGMA wal_checkpoint(" + mode + ");");
        }
        catch (SqliteException)
        {
            // Busy or locked: the next tick tries again; a checkpoint is an optimisation, never a correctness step.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        Checkpoint("TRUNCATE");
        _connection.Dispose();
        _stop.Dispose();
    }
}
