namespace Handshake.Bench.Load;

/// <summary>Prebuilt request bytes, sent as they are (like wrk): building and signing happen before the clock starts.</summary>
public sealed class RequestSet(string name, IReadOnlyList<ReadOnlyMemory<byte>> requests)
{
    public string Name { get; } = name;

    public int Count => requests.Count;

    public ReadOnlyMemory<byte> this[int index] => requests[index];
}
