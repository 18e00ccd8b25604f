using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Handshake.Lambda.Logs;

/// <summary>
/// Every function's log, by function name (Lambda's log group /aws/lambda/NAME). A log outlives its function, as a
/// CloudWatch log group outlives a deleted function: DeleteFunction leaves it, and a function made again under the
/// name goes on in it.
/// </summary>
public sealed partial class FunctionLogStore
{
    private readonly ConcurrentDictionary<string, FunctionLog> _logs = new(StringComparer.Ordinal);
    private readonly int _eventsPerFunction;
    private readonly LogWriter? _writer;

    /// <summary>Logs kept in memory only (a host without a data directory: `up --in-memory`, tests).</summary>
    public FunctionLogStore(int eventsPerFunction)
        : this(eventsPerFunction, writer: null)
    {
    }

    private FunctionLogStore(int eventsPerFunction, LogWriter? writer)
    {
        _eventsPerFunction = eventsPerFunction;
        _writer = writer;
    }

    /// <summary>
    /// The logs kept in <paramref name="directory"/>'s logs.db: what it holds is loaded (each function's newest
    /// <paramref name="eventsPerFunction"/> events), and new events are copied to it in the background. A file that
    /// cannot be opened or read costs the logs' persistence, never the host: the logs are then kept in memory only.
    /// </summary>
    internal static FunctionLogStore Open(string directory, int eventsPerFunction, ILogger logger)
    {
        LogDatabase? database = null;
        List<(string Function, DateTimeOffset CreationTime, List<LogEvent> Events, Dictionary<string, FormerStreamEvents> FormerEvents)> saved;
        try
        {
            database = new LogDatabase(directory);
            saved = database.Load(eventsPerFunction);
        }
        catch (SqliteException e)
        {
            database?.Dispose();
            LogUnavailable(logger, Path.Combine(directory, LogDatabase.FileName), e.Message);
            return new FunctionLogStore(eventsPerFunction);
        }

        FunctionLogStore store = new(eventsPerFunction, new LogWriter(database, eventsPerFunction, logger));
        foreach ((string function, DateTimeOffset creationTime, List<LogEvent> events, Dictionary<string, FormerStreamEvents> formerEvents) in saved)
        {
            store.For(function).Restore(creationTime, events, formerEvents);
        }

        return store;
    }

    /// <summary>Events not written to logs.db since start (0 without one): the writer fell behind or a commit failed.</summary>
    internal long DroppedFromFile => _writer?.Dropped ?? 0;

    public FunctionLog For(string functionName) => _logs.GetOrAdd(functionName, static (name, store) => new FunctionLog(name, store._eventsPerFunction, store._writer), this);

    /// <summary>Every function's log, by name (ordinal order), including logs that have no event yet.</summary>
    public List<KeyValuePair<string, FunctionLog>> All()
    {
        List<KeyValuePair<string, FunctionLog>> all = [.. _logs];
        all.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return all;
    }

    public bool TryGet(string functionName, out FunctionLog log) => _logs.TryGetValue(functionName, out log!);

    /// <summary>At shutdown, after the last environment has stopped: commits what is queued for logs.db, waiting at most <paramref name="timeout"/>.</summary>
    internal Task StopAsync(TimeSpan timeout) => _writer?.StopAsync(timeout) ?? Task.CompletedTask;

    /// <summary>A host that fails to start leaves no thread behind.</summary>
    internal void Abandon() => _writer?.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The function logs cannot be kept in {File} ({Reason}): they are kept in memory only, and a restart loses them")]
    private static partial void LogUnavailable(ILogger logger, string file, string reason);
}
