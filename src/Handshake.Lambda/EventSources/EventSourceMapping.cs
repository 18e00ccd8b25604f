namespace Handshake.Lambda.EventSources;

/// <summary>
/// What a caller may change on a mapping (UpdateEventSourceMapping): replaced whole, so the poller reads one
/// consistent set at each batch.
/// </summary>
internal sealed record EventSourceMappingSettings
{
    public required string FunctionName { get; init; }

    /// <summary>A version or an alias of the function (a qualified FunctionName), or null for $LATEST.</summary>
    public string? Qualifier { get; init; }

    /// <summary>The function as FunctionArn names it: qualified when the mapping names a version or an alias.</summary>
    public string QualifiedName => Qualifier is null ? FunctionName : FunctionName + ":" + Qualifier;

    public bool Enabled { get; init; } = true;

    /// <summary>1 to 10,000; Lambda's default for streams is 100.</summary>
    public int BatchSize { get; init; } = 100;

    public int MaximumBatchingWindowInSeconds { get; init; }

    /// <summary>-1: retry until the records expire (Lambda's default).</summary>
    public int MaximumRetryAttempts { get; init; } = -1;

    /// <summary>-1: no age limit (Lambda's default).</summary>
    public int MaximumRecordAgeInSeconds { get; init; } = -1;

    public bool BisectBatchOnFunctionError { get; init; }

    /// <summary>Echoed only: one batch at a time per shard is processed whatever it says (README).</summary>
    public int ParallelizationFactor { get; init; } = 1;

    /// <summary>FunctionResponseTypes holds ReportBatchItemFailures.</summary>
    public bool ReportBatchItemFailures { get; init; }

    /// <summary>
    /// The mapping's FilterCriteria, or null when it was never given one (then the answers have no FilterCriteria).
    /// One with no filters (cleared by an update) passes every record, as null does.
    /// </summary>
    public FilterCriteria? FilterCriteria { get; init; }
}

/// <summary>The whole of a mapping at one moment, for EventSourceMappingConfiguration.</summary>
internal sealed record EventSourceMappingView(
    string Uuid, string EventSourceArn, string StartingPosition, EventSourceMappingSettings Settings, string State,
    string LastProcessingResult, DateTimeOffset LastModified, long Order);

/// <summary>
/// One event source mapping: a DynamoDB stream read in order by one poller, whose batches invoke one function. Kept
/// in the host's state database with its position (records after this stored sequence number come next), which
/// survives disabling and restarts, so re-enabling or a new host goes on where it stopped.
/// </summary>
internal sealed class EventSourceMapping(string uuid, string eventSourceArn, string startingPosition, long position, long order)
{
    private readonly Lock _lock = new();
    private long _position = position;

    public string Uuid { get; } = uuid;

    public string EventSourceArn { get; } = eventSourceArn;

    public string StartingPosition { get; } = startingPosition;

    /// <summary>Creation order, for ListEventSourceMappings' pages.</summary>
    public long Order { get; } = order;

    public required EventSourceMappingSettings Settings { get; set; }

    public string State { get; private set; } = "Creating";

    public string LastProcessingResult { get; private set; } = "No records processed";

    public DateTimeOffset LastModified { get; set; }

    /// <summary>The mapping's tags (Lambda tags mappings since 2024): replaced whole, under the lock, by each change.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();

    /// <summary>Records after this stored sequence number are the next to deliver (moved by <see cref="Checkpoint"/>).</summary>
    public long Position => Volatile.Read(ref _position);

    /// <summary>Saves the mapping (its lock held): set by <see cref="EventSourceMappings"/>, which owns the database.</summary>
    public Action<EventSourceMapping>? Saving { get; init; }

    /// <summary>
    /// Records up to this sequence number are done (delivered, filtered out, given up, or trimmed from the stream): the
    /// position moves past them and is saved before the poller goes on, so a restart resumes after them. Not saved
    /// once the mapping is being deleted: its document is gone and must not come back.
    /// </summary>
    public void Checkpoint(long position)
    {
        lock (_lock)
        {
            Volatile.Write(ref _position, position);
            if (State != "Deleting")
            {
                Saving?.Invoke(this);
            }
        }
    }

    /// <summary>The running poller, or null while disabled.</summary>
    public StreamPoller? Poller { get; set; }

    /// <summary>The last stopped poller's run: a new poller waits for it.</summary>
    public Task PreviousRun { get; set; } = Task.CompletedTask;

    public Lock Sync => _lock;

    public EventSourceMappingView Snapshot()
    {
        lock (_lock)
        {
            return new EventSourceMappingView(Uuid, EventSourceArn, StartingPosition, Settings, State, LastProcessingResult, LastModified, Order);
        }
    }

    /// <summary>Sets the state under the lock (callers that already hold it use <see cref="SetStateLocked"/>).</summary>
    public void SetState(string state)
    {
        lock (_lock)
        {
            State = state;
        }
    }

    public void SetStateLocked(string state) => State = state;

    /// <summary>A transition (Creating, Enabling, Updating) has taken effect: the mapping is Enabled again.</summary>
    public void Settle(bool enabled)
    {
        lock (_lock)
        {
            if (State is "Creating" or "Enabling" or "Updating")
            {
                State = enabled ? "Enabled" : "Disabled";
            }
        }
    }

    public void SetResult(string result) => LastProcessingResult = result;
}
