using System.Collections.Concurrent;

namespace Handshake.Lambda.Logs;

/// <summary>Every function's log, by function name (Lambda's log group /aws/lambda/NAME).</summary>
public sealed class FunctionLogStore(int eventsPerFunction)
{
    private readonly ConcurrentDictionary<string, FunctionLog> _logs = new(StringComparer.Ordinal);

    public FunctionLog For(string functionName) => _logs.GetOrAdd(functionName, static (_, capacity) => new FunctionLog(capacity), eventsPerFunction);

    /// <summary>Every function's log, by name (ordinal order), including logs that have no event yet.</summary>
    public List<KeyValuePair<string, FunctionLog>> All()
    {
        List<KeyValuePair<string, FunctionLog>> all = [.. _logs];
        all.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return all;
    }

    public bool TryGet(string functionName, out FunctionLog log) => _logs.TryGetValue(functionName, out log!);
}
