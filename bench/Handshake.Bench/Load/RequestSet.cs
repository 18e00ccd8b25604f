namespace Handshake.Bench.Load;

/// <summary>Prebuilt request bytes, sent as they are (like wrk): building and signing happen before the clock starts.</summary>
/// <remarks>
/// A set with <paramref name="alternates"/> (PutItem) sends, for each index, its request and its alternate in turn, over
/// every run that uses the set: the seed writes the first version of each item, and every later put of the item
/// changes it. Putting the same bytes again would measure a write that a storage engine may rightly skip (SQLite leaves
/// a page clean when an update rewrites identical bytes), not the cost of a write.
/// </remarks>
public sealed class RequestSet(string name, IReadOnlyList<ReadOnlyMemory<byte>> requests, IReadOnlyList<ReadOnlyMemory<byte>>? alternates = null)
{
    // Per index: how many times it was sent. One index belongs to one connection at a time, the count is only a parity.
    private readonly int[]? _sent = alternates is null ? null : new int[requests.Count];

    public string Name { get; } = name;

    public int Count => requests.Count;

    public ReadOnlyMemory<byte> this[int index] => requests[index];

    /// <summary>The request to send next for <paramref name="index"/>: the request itself, or its alternate every other time.</summary>
    public ReadOnlyMemory<byte> Next(int index) =>
        _sent is null || (Interlocked.Increment(ref _sent[index]) & 1) == 1 ? requests[index] : alternates![index];
}
