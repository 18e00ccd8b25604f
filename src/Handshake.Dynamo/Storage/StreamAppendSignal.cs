namespace Handshake.Dynamo.Storage;

/// <summary>
/// Wakes in-process stream readers (the function host's event source mappings) when a commit has appended stream
/// records, so that an idle reader waits instead of polling. Costs one volatile read per such commit while nobody
/// waits, and nothing on commits without stream records.
/// </summary>
internal sealed class StreamAppendSignal
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _waiting;

    /// <summary>Completes at the next commit that appends a stream record (any stream). Take it before reading.</summary>
    public Task Next()
    {
        lock (_lock)
        {
            // Continuations run asynchronously: a reader's wake-up must never run on the store's writer thread.
            _waiting ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiting.Task;
        }
    }

    /// <summary>Called on the writer thread after a commit that appended records.</summary>
    public void Publish()
    {
        if (Volatile.Read(ref _waiting) is null) return;
        TaskCompletionSource? waiting;
        lock (_lock)
        {
            waiting = _waiting;
            _waiting = null;
        }
        waiting?.TrySetResult();
    }
}
