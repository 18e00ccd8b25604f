using Handshake.Lambda.Persistence;
using Microsoft.Extensions.Logging;

namespace Handshake.Lambda;

/// <summary>
/// The Event invocation queue, kept in the state database so that an acknowledged Event invocation is not lost to a
/// stop or a kill -9. One document per accepted invocation (<see cref="QueuedEvent"/>): written before the 202,
/// rewritten when a failed attempt schedules a retry, removed when it finishes (success, retries exhausted, expired or
/// dropped), in the same transaction that queues its destination record, if any. Delivery is at least once, as
/// Lambda's: an attempt in flight when the host stops is not counted and runs again at the next start.
/// </summary>
public sealed partial class FunctionHost
{
    /// <summary>The state database's kind for queued Event invocations.</summary>
    internal const string QueuedEventKind = "event-invocation";

    /// <summary>Invocations found in the database at start, delivered from <see cref="ResumeSavedWork"/> on.</summary>
    private List<QueuedEvent> _restoredEvents = [];

    /// <summary>Accepted Event invocations not yet finished (in memory; each has its document). For tests and diagnostics.</summary>
    internal int PendingEventInvocations => _eventInvocations.Count;

    /// <summary>The queue's documents in the state database (for tests: empty once everything accepted has finished).</summary>
    internal int SavedEventInvocations => StateDatabase.Load(QueuedEventKind).Count;

    /// <summary>
    /// Reads the queue the last host left (a document that cannot be read stops the start). Nothing runs yet: the
    /// functions of a project file are declared after the host is constructed, so delivery waits for
    /// <see cref="ResumeSavedWork"/>.
    /// </summary>
    private void RestoreEventQueue()
    {
        List<QueuedEvent> restored = [];
        foreach ((string key, string body) in StateDatabase.Load(QueuedEventKind))
        {
            try
            {
                restored.Add(QueuedEvent.FromJson(key, body));
            }
            catch (System.Text.Json.JsonException e)
            {
                // As for the functions' documents: the host does not start without an invocation it acknowledged.
                throw UnreadableDocument(StateDatabase, QueuedEventKind, key, e);
            }
        }

        _restoredEvents = restored;
    }

    /// <summary>
    /// Delivers the restored queue. Started in key order, but nothing waits on that: as on Lambda, queued Event
    /// invocations may run in any order (retries, throttles and concurrent environments reorder them).
    /// </summary>
    private void ResumeEventQueue()
    {
        List<QueuedEvent> restored = Interlocked.Exchange(ref _restoredEvents, []);
        foreach (QueuedEvent queued in restored)
        {
            StartDelivery(queued);
        }
    }

    /// <summary>The invocation is accepted: its document is committed before this returns, so before the 202.</summary>
    /// <exception cref="LambdaException">ServiceException (500) when the document cannot be written: not accepted.</exception>
    private QueuedEvent Enqueue(string functionName, Invocation invocation)
    {
        QueuedEvent queued = new(Guid.CreateVersion7().ToString("N"), functionName, invocation, Options.Clock.GetUtcNow());
        SaveState(batch => batch.Put(QueuedEventKind, queued.Key, queued.ToJson()));
        return queued;
    }

    /// <summary>An attempt failed and a retry is scheduled: the attempt count and the retry's time are kept.</summary>
    private void SaveRetry(QueuedEvent queued) =>
        WriteQueue(queued, batch => batch.Put(QueuedEventKind, queued.Key, queued.ToJson()));

    /// <summary>
    /// The invocation is done: its document goes, and its destination record (an Event invocation of its own), if any,
    /// is queued in the same transaction, so that a kill between the two neither loses the record nor runs the
    /// invocation again.
    /// </summary>
    /// <remarks>
    /// When the write fails, the record is not sent now: it was not saved, and the invocation, still saved, finishes
    /// again after a restart and produces it then (sending it now too would deliver it twice).
    /// </remarks>
    private void Dequeue(QueuedEvent queued, QueuedEvent? record)
    {
        bool saved = WriteQueue(queued, batch =>
        {
            if (record is not null)
            {
                batch.Put(QueuedEventKind, record.Key, record.ToJson());
            }

            batch.Delete(QueuedEventKind, queued.Key);
        });
        if (saved && record is not null)
        {
            StartDelivery(record);
        }
    }

    /// <summary>
    /// A write of the queue after the 202: a failure is logged, not thrown, as nobody waits for it. The invocation then
    /// runs (or is sent on) again at the next start, which at-least-once delivery allows.
    /// </summary>
    /// <returns>False when the write failed.</returns>
    private bool WriteQueue(QueuedEvent queued, Action<LambdaStateDatabase.Batch> changes)
    {
        try
        {
            StateDatabase.Write(changes);
            return true;
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
        {
            LogQueueWriteFailed(_logger, queued.FunctionName, queued.RequestId, e.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event invocation {RequestId} of {FunctionName}: the queue's document could not be written ({Reason}); it may run again after a restart")]
    private static partial void LogQueueWriteFailed(ILogger logger, string functionName, string requestId, string reason);

    /// <summary>
    /// A saved document that cannot be read stops the start, with the file and the document named, as SavedFunction
    /// does for the functions' documents: starting without it would silently drop what was acknowledged.
    /// </summary>
    internal static LambdaStateException UnreadableDocument(LambdaStateDatabase database, string kind, string key, Exception e) =>
        new($"{database.FilePath}: the saved Lambda document '{kind}/{key}' cannot be read ({e.Message}). " +
            "Move the file aside to start without the saved Lambda state, or use another --data-dir.", e);
}
