namespace Handshake.Dynamo.Model;

/// <summary>
/// ItemCount and size in bytes of a table or an index: loaded at open, moved by each commit's deltas on the writer,
/// read lock-free by DescribeTable.
/// </summary>
public sealed class ItemCounters
{
    private long _itemCount;
    private long _sizeBytes;

    public long ItemCount => Volatile.Read(ref _itemCount);

    public long SizeBytes => Volatile.Read(ref _sizeBytes);

    internal void Set(long itemCount, long sizeBytes)
    {
        Volatile.Write(ref _itemCount, itemCount);
        Volatile.Write(ref _sizeBytes, sizeBytes);
    }

    internal void Add(long itemDelta, long sizeDelta)
    {
        Interlocked.Add(ref _itemCount, itemDelta);
        Interlocked.Add(ref _sizeBytes, sizeDelta);
    }
}
