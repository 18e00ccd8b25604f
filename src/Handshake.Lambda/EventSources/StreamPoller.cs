using System.Text.Json;
using Handshake.Dynamo;
using Microsoft.Extensions.Logging;

namespace Handshake.Lambda.EventSources;

/// <summary>
/// The reader of one enabled mapping's shard, inside the host: reads records through the store in-process, sends them
/// in order, one batch at a time, as synchronous invocations, and moves the mapping's position on only past records
/// that were processed or given up. Idle, it waits for the store's next stream commit (or a second at most), so a
/// quiet mapping costs nothing but a wake-up a second.
/// </summary>
internal sealed partial class StreamPoller
{
    /// <summary>The longest idle wait before the stream is looked at again (disabled, trimmed, deleted).</summary>
    private static readonly TimeSpan IdleRecheck = TimeSpan.FromSeconds(1);

    /// <summary>The most records one pass looks at for records that pass the filters, so that a stop is seen soon.</summary>
    private const int MaxScannedPerPass = 10000;

    /// <summary>
    /// The store accepts attributes nested 32 levels, two JSON objects each (<c>{"M": {...}}</c>), under the record,
    /// dynamodb and the image: about 66 levels, past the reader's default 64. 80, as the store's own request reader.
    /// </summary>
    private static readonly JsonDocumentOptions RecordReading = new() { MaxDepth = 80 };

    private readonly FunctionHost _host;
    private readonly StreamFeed _feed;
    private readonly EventSourceMapping _mapping;
    private readonly CancellationTokenSource _stop;
    private readonly CancellationToken _hostStopping;
    private readonly byte[] _recordSuffix;
    private readonly ILogger _logger;

    private readonly Task _previous;

    /// <summary>Records read for filtering, reused by each read.</summary>
    private readonly List<StreamFeedRecord> _chunk = [];

    /// <summary>
    /// With filters: the last record this pass has looked at, passing or filtered out. Filtered-out records count as
    /// processed, so the position moves here once the batch is delivered (or at once when nothing passed).
    /// </summary>
    private long _scanned;

    public StreamPoller(FunctionHost host, StreamFeed feed, EventSourceMapping mapping, Task previous, CancellationToken hostStopping, ILogger logger)
    {
        _host = host;
        _feed = feed;
        _mapping = mapping;
        _hostStopping = hostStopping;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(hostStopping);
        _recordSuffix = DynamoDbEvent.RecordSuffix(mapping.EventSourceArn);
        _logger = logger;
        _previous = previous;
        Completion = Task.Run(RunAsync);
    }

    /// <summary>Completes when the poller has stopped (disabled, deleted, host shutdown, or a closed shard).</summary>
    public Task Completion { get; }

    /// <summary>Stops at the next batch boundary; an invocation in flight is let finish, and its batch counted.</summary>
    public void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It had stopped already (a closed shard, or a failure) and released its token source.
        }
    }

    private async Task RunAsync()
    {
        CancellationToken stop = _stop.Token;
        await _previous.ConfigureAwait(false);
        _mapping.Settle(enabled: true);
        List<StreamFeedRecord> records = [];
        TimeSpan failureBackoff = _host.Options.EventSourceRetryBaseDelay;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (!await PassAsync(records, stop).ConfigureAwait(false))
                    {
                        return;
                    }

                    failureBackoff = _host.Options.EventSourceRetryBaseDelay;
                }
                catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    // Never a crash of the host, nor the end of the mapping (a SqliteException from the feed, say): the
                    // mapping shows the problem, keeps its position, and the pass is tried again after a bounded backoff.
                    _mapping.SetResult("PROBLEM: " + e.GetType().Name);
                    LogPassFailed(_logger, _mapping.Uuid, e);
                    await DelayAsync(failureBackoff, stop).ConfigureAwait(false);
                    failureBackoff = Next(failureBackoff);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_mapping.Sync)
            {
                // A poller that ends on its own (a closed shard) is no longer the mapping's: a later enable starts a new
                // one. A stopped one was already replaced (or cleared) by whoever stopped it.
                if (ReferenceEquals(_mapping.Poller, this))
                {
                    _mapping.Poller = null;
                    _mapping.PreviousRun = Task.CompletedTask;
                }
            }

            _stop.Dispose();
        }
    }

    /// <summary>One read and the delivery of what it found. False when the poller is to end (a closed shard, a stop).</summary>
    private async Task<bool> PassAsync(List<StreamFeedRecord> records, CancellationToken stop)
    {
        EventSourceMappingSettings settings = _mapping.Settings;
        records.Clear();
        Task appended = _feed.NextAppend();
        // No more than one payload's worth is read: a batch is cut at Lambda's limit anyway (the rest is read again).
        // Filtering comes before batching: BatchSize counts only the records that pass. Without filters, the feed is
        // read as it always was.
        FilterCriteria? filters = settings.FilterCriteria is { IsEmpty: false } criteria ? criteria : null;
        StreamFeedStatus status = filters is null
            ? _feed.Read(_mapping.EventSourceArn, _mapping.Position, settings.BatchSize, records, DynamoDbEvent.MaxPayloadBytes)
            : ReadFiltered(filters, _mapping.Position, settings.BatchSize, records, DynamoDbEvent.MaxPayloadBytes, stop);
        if (status == StreamFeedStatus.Trimmed)
        {
            // Lambda reads on from the oldest record still kept; the trimmed ones are lost to it as well.
            _mapping.Checkpoint(_feed.TrimHorizon(_mapping.EventSourceArn));
            return true;
        }

        if (status == StreamFeedStatus.StreamNotFound)
        {
            _mapping.SetResult("PROBLEM: Stream not found");
            await DelayAsync(TimeSpan.FromSeconds(10), stop).ConfigureAwait(false);
            return true;
        }

        if (status == StreamFeedStatus.ShardClosed)
        {
            // The stream was disabled or its table deleted, and everything in it was delivered: nothing more can come.
            LogShardClosed(_logger, _mapping.Uuid, _mapping.EventSourceArn);
            return false;
        }

        if (records.Count == 0)
        {
            if (filters is not null && _scanned > _mapping.Position)
            {
                // Every record read was filtered out: processed without an invocation, as Lambda does.
                _mapping.Checkpoint(_scanned);
                return true;
            }

            await WaitAsync(appended, IdleRecheck, stop).ConfigureAwait(false);
            return true;
        }

        if (records.Count < settings.BatchSize && settings.MaximumBatchingWindowInSeconds > 0
            && !await FillWindowAsync(records, settings, filters, stop).ConfigureAwait(false))
        {
            return false;
        }

        int count = DynamoDbEvent.FittingCount(records, _recordSuffix);
        bool delivered = await ProcessAsync(records, count).ConfigureAwait(false);
        if (delivered && filters is not null && count == records.Count && _scanned > _mapping.Position)
        {
            // The records filtered out after the batch's last one were processed with it.
            _mapping.Checkpoint(_scanned);
        }

        return true;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> more records after <paramref name="after"/> that pass the filters, appended to
    /// <paramref name="into"/> (within <paramref name="budget"/> bytes of JSON, at least one); <see cref="_scanned"/> ends
    /// at the last record looked at. A stop ends the scan early. The feed's status when its first read found nothing,
    /// Open otherwise.
    /// </summary>
    private StreamFeedStatus ReadFiltered(FilterCriteria filters, long after, int limit, List<StreamFeedRecord> into, long budget, CancellationToken stop)
    {
        _scanned = after;
        int added = 0, scanned = 0;
        long bytes = 0;
        bool first = true;
        while (added < limit && scanned < MaxScannedPerPass)
        {
            _chunk.Clear();
            StreamFeedStatus status = _feed.Read(_mapping.EventSourceArn, _scanned, Math.Clamp(limit - added, 100, 1000), _chunk, DynamoDbEvent.MaxPayloadBytes);
            if (status != StreamFeedStatus.Open || _chunk.Count == 0)
            {
                return first ? status : StreamFeedStatus.Open;
            }

            first = false;
            foreach (StreamFeedRecord record in _chunk)
            {
                if (stop.IsCancellationRequested)
                {
                    // Disabled or deleted: up to 10,000 records are parsed per pass, which a stop should not wait for.
                    // What was looked at so far stays counted; the caller sees the stop before any invocation.
                    return StreamFeedStatus.Open;
                }

                bool passes = Passes(filters, record);
                if (passes && added > 0 && bytes + record.Json.Length > budget)
                {
                    // Left for the next batch, unscanned: the batch is full by bytes.
                    return StreamFeedStatus.Open;
                }

                if (passes)
                {
                    into.Add(record);
                    added++;
                    bytes += record.Json.Length;
                }

                _scanned = record.Sequence;
                scanned++;
                if (added == limit || scanned == MaxScannedPerPass)
                {
                    break;
                }
            }
        }

        return StreamFeedStatus.Open;
    }

    /// <summary>
    /// Whether the record, as Lambda would send it, matches one of the filters. A record that cannot be read as JSON
    /// matches none: throwing here would fail the pass, which re-reads the same record after a backoff, forever.
    /// </summary>
    private bool Passes(FilterCriteria filters, StreamFeedRecord record)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(DynamoDbEvent.Record(record, _recordSuffix), RecordReading);
            return filters.Matches(document.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Waits up to the batching window (from the first record read) for the batch to fill. False when stopped meanwhile.
    /// </summary>
    private async Task<bool> FillWindowAsync(List<StreamFeedRecord> records, EventSourceMappingSettings settings, FilterCriteria? filters, CancellationToken stop)
    {
        TimeProvider clock = _host.Options.Clock;
        long deadline = clock.GetTimestamp() + (long)(settings.MaximumBatchingWindowInSeconds * (double)clock.TimestampFrequency);
        while (records.Count < settings.BatchSize)
        {
            long left = deadline - clock.GetTimestamp();
            if (left <= 0)
            {
                break;
            }

            long budget = DynamoDbEvent.MaxPayloadBytes - JsonBytes(records);
            if (budget <= 0)
            {
                break;
            }

            Task appended = _feed.NextAppend();
            int before = records.Count;
            long scannedBefore = _scanned;
            _ = filters is null
                ? _feed.Read(_mapping.EventSourceArn, records[^1].Sequence, settings.BatchSize - records.Count, records, budget)
                : ReadFiltered(filters, _scanned, settings.BatchSize - records.Count, records, budget, stop);
            if (records.Count == before && _scanned == scannedBefore)
            {
                await WaitAsync(appended, TimeSpan.FromSeconds(left / (double)clock.TimestampFrequency), stop).ConfigureAwait(false);
            }
        }

        return !stop.IsCancellationRequested;
    }

    private static long JsonBytes(List<StreamFeedRecord> records)
    {
        long total = 0;
        foreach (StreamFeedRecord record in records)
        {
            total += record.Json.Length;
        }

        return total;
    }

    /// <summary>
    /// Delivers records[0..count) until done: retried on function errors (with backoff) until they succeed, the retries
    /// run out or the records are too old; split in two on errors with BisectBatchOnFunctionError; with
    /// ReportBatchItemFailures, retried from the lowest failed record. Throttles and a missing function are retried
    /// without counting, as Lambda retries them until the records expire. True when every record was delivered or
    /// given up; false when a stop left some undone.
    /// </summary>
    private async Task<bool> ProcessAsync(List<StreamFeedRecord> records, int count)
    {
        // Segments still to deliver, in stream order: bisecting replaces the first by its two halves.
        List<(int Start, int Count)> segments = [(0, count)];
        int attempts = 0;
        TimeSpan backoff = _host.Options.EventSourceRetryBaseDelay;
        CancellationToken stop = _stop.Token;
        while (segments.Count > 0)
        {
            if (stop.IsCancellationRequested)
            {
                // Disabled or deleted while a batch is being retried, bisected or split: the rest of it is left undone.
                // The position is past processed records only, so a later poller sends the rest again.
                return false;
            }

            EventSourceMappingSettings settings = _mapping.Settings;
            (int start, int length) = segments[0];
            byte[] payload = DynamoDbEvent.Build(records, start, length, _recordSuffix);
            InvocationResult result;
            try
            {
                result = await _host.InvokeAsync(settings.FunctionName, new Invocation(Guid.NewGuid().ToString(), payload) { Qualifier = settings.Qualifier }, _hostStopping).ConfigureAwait(false);
            }
            catch (LambdaException e) when (e.StatusCode is 404 or 429)
            {
                _mapping.SetResult(e.StatusCode == 404 ? "PROBLEM: Function not found" : "PROBLEM: Function throttled");
                if (TooOld(records, start, length, settings))
                {
                    Skip(segments, records, ref attempts, "records older than MaximumRecordAgeInSeconds");
                    continue;
                }

                await DelayAsync(backoff, stop).ConfigureAwait(false);
                backoff = Next(backoff);
                continue;
            }
            catch (LambdaException e)
            {
                result = InvocationResult.Error(e.ErrorType, e.Message, reset: false);
            }

            if (result.FunctionError is not null && _hostStopping.IsCancellationRequested)
            {
                // The host is stopping and shut the environment down under the batch: the error is the stop's, not the
                // function's. Not counted and not given up (a checkpoint past it would lose the records after a
                // restart): left undone, the next host sends the batch again.
                return false;
            }

            int failedAt = result.FunctionError is null
                ? (settings.ReportBatchItemFailures ? DynamoDbEvent.FirstFailure(result.Payload, records, start, length) : -1)
                : 0;
            if (failedAt < 0)
            {
                _mapping.SetResult("OK");
                _mapping.Checkpoint(records[start + length - 1].Sequence);
                segments.RemoveAt(0);
                attempts = 0;
                backoff = _host.Options.EventSourceRetryBaseDelay;
                continue;
            }

            if (failedAt > 0)
            {
                // The records before the first failure are done; the rest is the batch that is retried.
                _mapping.Checkpoint(records[start + failedAt - 1].Sequence);
                segments[0] = (start + failedAt, length - failedAt);
                (start, length) = segments[0];
            }

            _mapping.SetResult(result.FunctionError is null ? "OK" : "PROBLEM: Function call failed");
            if (settings.BisectBatchOnFunctionError && length > 1 && result.FunctionError is not null)
            {
                // Splitting does not use up a retry: the halves are tried at once, first half first.
                segments[0] = (start, length / 2);
                segments.Insert(1, (start + length / 2, length - length / 2));
                continue;
            }

            attempts++;
            if ((settings.MaximumRetryAttempts >= 0 && attempts > settings.MaximumRetryAttempts) || TooOld(records, start, length, settings))
            {
                Skip(segments, records, ref attempts, $"{attempts} failed attempts");
                continue;
            }

            await DelayAsync(backoff, stop).ConfigureAwait(false);
            backoff = Next(backoff);
        }

        return true;
    }

    /// <summary>Gives up the first segment: with no OnFailure destination, its records are only logged as skipped.</summary>
    private void Skip(List<(int Start, int Count)> segments, List<StreamFeedRecord> records, ref int attempts, string reason)
    {
        (int start, int length) = segments[0];
        LogBatchSkipped(_logger, _mapping.Uuid, length, StreamFeed.FormatSequence(records[start].Sequence),
            StreamFeed.FormatSequence(records[start + length - 1].Sequence), reason);
        _mapping.Checkpoint(records[start + length - 1].Sequence);
        segments.RemoveAt(0);
        attempts = 0;
    }

    private bool TooOld(List<StreamFeedRecord> records, int start, int length, EventSourceMappingSettings settings) =>
        settings.MaximumRecordAgeInSeconds >= 0 && length > 0
        && _host.Options.Clock.GetUtcNow().ToUnixTimeMilliseconds() - records[start].CreatedUnixMs > settings.MaximumRecordAgeInSeconds * 1000L;

    private TimeSpan Next(TimeSpan backoff) =>
        TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _host.Options.EventSourceRetryMaxDelay.Ticks));

    private async Task DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        // Stopping (disable, delete, shutdown) ends the wait; the loop then sees the token and leaves the batch undone.
        try
        {
            await Task.Delay(delay, _host.Options.Clock, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        stop.ThrowIfCancellationRequested();
    }

    private async Task WaitAsync(Task appended, TimeSpan longest, CancellationToken stop)
    {
        try
        {
            await appended.WaitAsync(longest, _host.Options.Clock, stop).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event source mapping {Uuid} skipped {Count} records ({First} to {Last}): {Reason}")]
    private static partial void LogBatchSkipped(ILogger logger, string uuid, int count, string first, string last, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event source mapping {Uuid}: the shard of {StreamArn} is closed and was read to its end")]
    private static partial void LogShardClosed(ILogger logger, string uuid, string streamArn);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event source mapping {Uuid}: a pass failed; it is tried again after a backoff")]
    private static partial void LogPassFailed(ILogger logger, string uuid, Exception exception);
}
