using System.Collections.Concurrent;
using Handshake.Dynamo;
using Microsoft.Extensions.Logging;

namespace Handshake.Lambda.EventSources;

/// <summary>
/// The host's event source mappings and their pollers. State transitions follow Lambda's: a change is answered with
/// the transitional state (Creating, Enabling, Disabling, Updating, Deleting) and takes effect just after. Each mapping
/// is a document in the host's state database (<see cref="EventSourceMappingDocument"/>), written before a create or an
/// update is answered, removed before a delete is answered, and rewritten at each checkpoint of its poller; a new host
/// on the same data directory lists the same mappings and resumes each one after its last checkpoint.
/// </summary>
public sealed partial class EventSourceMappings
{
    private readonly ConcurrentDictionary<string, EventSourceMapping> _byUuid = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _stopping = new();
    private readonly FunctionHost _host;
    private readonly CancellationToken _hostStopping;
    private readonly ILogger _logger;
    private readonly Lock _creating = new();
    private long _order;

    /// <summary>Mappings brought back at start, whose pollers (for those enabled) wait for <see cref="ResumeRestored"/>.</summary>
    private List<EventSourceMapping> _restored = [];

    /// <summary>1 once <see cref="ResumeRestored"/> has been called: restored mappings may have pollers from then on.</summary>
    private int _resumed;

    internal EventSourceMappings(FunctionHost host, CancellationToken hostStopping)
    {
        _host = host;
        _hostStopping = hostStopping;
        _logger = host.LoggerFactory.CreateLogger("Handshake.Lambda.EventSourceMappings");
    }

    /// <summary>The store's streams, or null when the host runs without a store (no stream ARN then exists).</summary>
    public StreamFeed? Feed => _host.Options.Streams;

    internal EventSourceMappingView Create(
        string eventSourceArn, string startingPosition, long position, EventSourceMappingSettings settings, IReadOnlyDictionary<string, string> tags)
    {
        // One create at a time: two requests for the same stream and function must not both pass the check.
        lock (_creating)
        {
            return CreateLocked(eventSourceArn, startingPosition, position, settings, tags);
        }
    }

    private EventSourceMappingView CreateLocked(
        string eventSourceArn, string startingPosition, long position, EventSourceMappingSettings settings, IReadOnlyDictionary<string, string> tags)
    {
        ThrowIfMapped(eventSourceArn, settings.QualifiedName, except: null);
        EventSourceMapping mapping = new(Guid.NewGuid().ToString(), eventSourceArn, startingPosition, position, Interlocked.Increment(ref _order))
        {
            Settings = settings,
            LastModified = _host.Options.Clock.GetUtcNow(),
            Saving = SaveCheckpoint,
            Tags = tags,
        };
        // Saved before it exists for anyone: a create that cannot be kept is not answered as made.
        lock (mapping.Sync)
        {
            Save(mapping);
        }

        _byUuid[mapping.Uuid] = mapping;
        EventSourceMappingView created = mapping.Snapshot();
        lock (mapping.Sync)
        {
            if (settings.Enabled)
            {
                Start(mapping);
            }
            else
            {
                mapping.SetStateLocked("Disabled");
            }
        }

        return created;
    }

    /// <summary>ResourceConflictException when another mapping already maps the stream to the (qualified) function.</summary>
    private void ThrowIfMapped(string eventSourceArn, string qualifiedName, EventSourceMapping? except)
    {
        foreach (EventSourceMapping existing in _byUuid.Values)
        {
            if (existing != except && existing.EventSourceArn == eventSourceArn && existing.Settings.QualifiedName == qualifiedName)
            {
                // Lambda's wording, quotes and spaces included (as LocalStack's AWS-verified snapshots have it).
                throw LambdaException.Conflict($"The event source arn (\" {eventSourceArn} \") and function (\" {qualifiedName} \") provided mapping already exists. Please update or delete the existing mapping with UUID {existing.Uuid}");
            }
        }
    }

    internal bool TryGet(string uuid, out EventSourceMappingView view)
    {
        if (_byUuid.TryGetValue(uuid, out EventSourceMapping? mapping))
        {
            view = mapping.Snapshot();
            return true;
        }

        view = null!;
        return false;
    }

    /// <summary>Every mapping in creation order.</summary>
    internal List<EventSourceMappingView> List()
    {
        List<EventSourceMapping> all = [.. _byUuid.Values];
        all.Sort(static (a, b) => a.Order.CompareTo(b.Order));
        return all.ConvertAll(static m => m.Snapshot());
    }

    /// <exception cref="LambdaException">ResourceNotFoundException for an unknown UUID; ResourceInUseException while it is being deleted.</exception>
    internal EventSourceMappingView Update(string uuid, Func<EventSourceMappingSettings, EventSourceMappingSettings> change)
    {
        // Under the create lock: a change of function must not pass the uniqueness check alongside a create (or another
        // update) that makes the same stream and function pair.
        lock (_creating)
        {
            return UpdateLocked(uuid, change);
        }
    }

    private EventSourceMappingView UpdateLocked(string uuid, Func<EventSourceMappingSettings, EventSourceMappingSettings> change)
    {
        EventSourceMapping mapping = Find(uuid);
        lock (mapping.Sync)
        {
            if (mapping.State == "Deleting")
            {
                throw InUse();
            }

            EventSourceMappingSettings before = mapping.Settings;
            EventSourceMappingSettings after = change(before);
            if (after.QualifiedName != before.QualifiedName)
            {
                ThrowIfMapped(mapping.EventSourceArn, after.QualifiedName, except: mapping);
            }

            DateTimeOffset modified = mapping.LastModified;
            mapping.Settings = after;
            mapping.LastModified = _host.Options.Clock.GetUtcNow();
            try
            {
                Save(mapping);
            }
            catch
            {
                // Not kept, so not made: the mapping stays as it was, and the caller gets the error.
                mapping.Settings = before;
                mapping.LastModified = modified;
                throw;
            }

            if (after.Enabled && mapping.Poller is null)
            {
                mapping.SetStateLocked("Enabling");
                EventSourceMappingView answer = SnapshotLocked(mapping);
                // A restored mapping gets its poller from ResumeRestored (its function may not be declared yet), which
                // takes this lock and finds it enabled with no poller. Read in this order: ResumeRestored sets the
                // flag before it takes the list.
                if (Volatile.Read(ref _resumed) != 0 || !Volatile.Read(ref _restored).Contains(mapping))
                {
                    Start(mapping);
                }

                return answer;
            }

            if (!after.Enabled && mapping.Poller is { } poller)
            {
                mapping.SetStateLocked("Disabling");
                EventSourceMappingView answer = SnapshotLocked(mapping);
                mapping.Poller = null;
                mapping.PreviousRun = poller.Completion;
                Track(StopAsync(mapping, poller, then: () =>
                {
                    lock (mapping.Sync)
                    {
                        if (mapping.State == "Disabling")
                        {
                            mapping.SetStateLocked("Disabled");
                        }
                    }
                }));
                return answer;
            }

            // The poller reads the settings at its next batch.
            mapping.SetStateLocked("Updating");
            EventSourceMappingView updating = SnapshotLocked(mapping);
            mapping.SetStateLocked(after.Enabled ? "Enabled" : "Disabled");
            return updating;
        }
    }

    /// <exception cref="LambdaException">ResourceNotFoundException for an unknown UUID.</exception>
    internal EventSourceMappingView Delete(string uuid)
    {
        EventSourceMapping mapping = Find(uuid);
        lock (mapping.Sync)
        {
            if (mapping.State == "Deleting")
            {
                throw InUse();
            }

            // Removed before the answer: an acknowledged delete stays done after a restart. The Deleting state keeps the
            // poller's last checkpoint (same lock) from writing the document again.
            _host.SaveState(batch => batch.Delete(EventSourceMappingDocument.Kind, uuid));
            mapping.SetStateLocked("Deleting");
            EventSourceMappingView answer = SnapshotLocked(mapping);
            StreamPoller? poller = mapping.Poller;
            mapping.Poller = null;
            Track(StopAsync(mapping, poller, then: () => _byUuid.TryRemove(uuid, out _)));
            return answer;
        }
    }

    /// <summary>
    /// Brings back the mappings the last host on this data directory had (from the host's constructor): listed at
    /// once, as they were, with their positions; pollers wait for <see cref="ResumeRestored"/>, as the function they
    /// invoke may be declared only after the host is constructed. A document that cannot be read stops the start
    /// (<see cref="Persistence.LambdaStateException"/>), as the functions' documents do.
    /// </summary>
    internal void Restore()
    {
        List<EventSourceMapping> restored = [];
        foreach ((string key, string body) in _host.StateDatabase.Load(EventSourceMappingDocument.Kind))
        {
            EventSourceMapping mapping;
            try
            {
                mapping = EventSourceMappingDocument.FromJson(body, SaveCheckpoint);
            }
            catch (System.Text.Json.JsonException e)
            {
                throw FunctionHost.UnreadableDocument(_host.StateDatabase, EventSourceMappingDocument.Kind, key, e);
            }

            _byUuid[mapping.Uuid] = mapping;
            _order = Math.Max(_order, mapping.Order);
            restored.Add(mapping);
        }

        _restored = restored;
    }

    /// <summary>Restored mappings, enabled, whose pollers wait for <see cref="ResumeRestored"/> (for the warning at dispose).</summary>
    internal int AwaitingResume => Volatile.Read(ref _resumed) != 0 ? 0 : Volatile.Read(ref _restored).Count(m => m.Settings.Enabled);

    /// <summary>Starts the pollers of the restored mappings enabled now (at restore or since) and not being deleted.</summary>
    internal void ResumeRestored()
    {
        Interlocked.Exchange(ref _resumed, 1);
        foreach (EventSourceMapping mapping in Interlocked.Exchange(ref _restored, []))
        {
            lock (mapping.Sync)
            {
                if (mapping.Settings.Enabled && mapping.Poller is null && mapping.State != "Deleting")
                {
                    Start(mapping);
                }
            }
        }
    }

    /// <summary>Writes the mapping's document for a create or an update (its lock held), before the answer.</summary>
    /// <exception cref="LambdaException">ServiceException (500) when it cannot be kept, as for the functions' own changes.</exception>
    private void Save(EventSourceMapping mapping)
    {
        string document = EventSourceMappingDocument.ToJson(mapping);
        _host.SaveState(batch => batch.Put(EventSourceMappingDocument.Kind, mapping.Uuid, document));
    }

    /// <summary>
    /// A poller's checkpoint: a failure is logged, not thrown (the batch is done either way); after a restart the
    /// mapping then resumes from an earlier checkpoint and sends some records again, which Lambda's at-least-once
    /// processing of streams allows.
    /// </summary>
    private void SaveCheckpoint(EventSourceMapping mapping)
    {
        try
        {
            _host.StateDatabase.Put(EventSourceMappingDocument.Kind, mapping.Uuid, EventSourceMappingDocument.ToJson(mapping));
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
        {
            LogCheckpointFailed(_logger, mapping.Uuid, e.Message);
        }
    }

    /// <summary>On host shutdown: every poller stops (an invocation in flight ends with the environments).</summary>
    internal async Task StopAllAsync()
    {
        List<Task> pollers = [.. _stopping.Keys];
        foreach (EventSourceMapping mapping in _byUuid.Values)
        {
            StreamPoller? poller;
            lock (mapping.Sync)
            {
                poller = mapping.Poller;
            }

            if (poller is not null)
            {
                poller.Stop();
                pollers.Add(poller.Completion);
            }
        }

        await Task.WhenAll(pollers).ConfigureAwait(false);
    }

    /// <summary>Pollers not yet finished, and stops not yet done (for tests: none after host shutdown).</summary>
    internal int RunningPollers()
    {
        int running = 0;
        foreach (EventSourceMapping mapping in _byUuid.Values)
        {
            if (mapping.Poller is { Completion.IsCompleted: false } || !mapping.PreviousRun.IsCompleted)
            {
                running++;
            }
        }

        return running + _stopping.Count;
    }

    /// <summary>The mapping's position (records after this stored sequence number come next), or null for an unknown UUID.</summary>
    internal long? PositionOf(string uuid) => _byUuid.TryGetValue(uuid, out EventSourceMapping? mapping) ? mapping.Position : null;

    private static EventSourceMappingView SnapshotLocked(EventSourceMapping mapping) =>
        new(mapping.Uuid, mapping.EventSourceArn, mapping.StartingPosition, mapping.Settings, mapping.State, mapping.LastProcessingResult, mapping.LastModified, mapping.Order);

    private void Start(EventSourceMapping mapping)
    {
        if (_hostStopping.IsCancellationRequested || Feed is not { } feed)
        {
            return;
        }

        // A poller stopped a moment ago may still finish its batch: the new one starts after it, so that one reader at a
        // time moves the position.
        mapping.Poller = new StreamPoller(_host, feed, mapping, mapping.PreviousRun, _hostStopping, _logger);
    }

    private static async Task StopAsync(EventSourceMapping mapping, StreamPoller? poller, Action then)
    {
        if (poller is not null)
        {
            poller.Stop();
            await poller.Completion.ConfigureAwait(false);
        }

        then();
    }

    private void Track(Task task)
    {
        _stopping[task] = 0;
        _ = task.ContinueWith(t => _stopping.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private EventSourceMapping Find(string uuid) =>
        _byUuid.TryGetValue(uuid, out EventSourceMapping? mapping) ? mapping : throw NotFound();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event source mapping {Uuid}: its checkpoint could not be saved ({Reason}); after a restart it resumes from an earlier one")]
    private static partial void LogCheckpointFailed(ILogger logger, string uuid, string reason);

    internal static LambdaException NotFound() =>
        new(404, "ResourceNotFoundException", "The resource you requested does not exist.");

    private static LambdaException InUse() =>
        new(400, "ResourceInUseException", "Cannot update the event source mapping because it is in use.");
}
