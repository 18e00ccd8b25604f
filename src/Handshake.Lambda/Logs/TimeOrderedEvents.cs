namespace Handshake.Lambda.Logs;

/// <summary>
/// A log's events in CloudWatch's read order: by timestamp (milliseconds, CloudWatch's resolution), ties by sequence
/// number (the order they were logged or put). A circular buffer whose insert and remove shift the shorter side, so the
/// common case costs O(1): a function's lines arrive in timestamp order (appended at the end), and the cap drops the
/// oldest logged and a retention expires the oldest by timestamp (both removed at the front). An event put with an
/// older timestamp is placed by binary search and costs a shift of at most half the buffer. Not thread-safe:
/// <see cref="FunctionLog"/> calls it under its lock.
/// </summary>
internal sealed class TimeOrderedEvents(int capacity)
{
    private readonly LogEvent?[] _items = new LogEvent?[capacity];
    private int _head;

    public int Count { get; private set; }

    public LogEvent this[int index] => _items[Slot(index)]!;

    /// <summary>The order: timestamp in milliseconds, then sequence number.</summary>
    public static int Compare(long timestamp, long sequence, LogEvent e)
    {
        long other = e.Timestamp.ToUnixTimeMilliseconds();
        return timestamp != other ? timestamp.CompareTo(other) : sequence.CompareTo(e.Sequence);
    }

    public void Add(LogEvent e)
    {
        if (Count == _items.Length)
        {
            throw new InvalidOperationException("The ordered events are full; the log removes what its ring drops first.");
        }

        long timestamp = e.Timestamp.ToUnixTimeMilliseconds();
        // In order (the common case): after the last. Otherwise the first position whose event sorts after it.
        int index = Count == 0 || Compare(timestamp, e.Sequence, this[Count - 1]) > 0 ? Count : LowerBound(timestamp, e.Sequence);
        Insert(index, e);
    }

    /// <summary>Removes the event (found by its timestamp and sequence number); false when it is not here.</summary>
    public bool Remove(LogEvent e)
    {
        long timestamp = e.Timestamp.ToUnixTimeMilliseconds();
        int index = Count > 0 && ReferenceEquals(this[0], e) ? 0 : LowerBound(timestamp, e.Sequence);
        if (index < Count && this[index].Sequence == e.Sequence)
        {
            RemoveAt(index);
            return true;
        }

        return false;
    }

    /// <summary>The index of the first event at or after the position (<paramref name="timestamp"/>, <paramref name="sequence"/>) (Count when none).</summary>
    public int LowerBound(long timestamp, long sequence)
    {
        int low = 0;
        int high = Count;
        while (low < high)
        {
            int middle = low + ((high - low) / 2);
            if (Compare(timestamp, sequence, this[middle]) > 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>Removes the oldest event (retention's expiry, which goes from the front): O(1).</summary>
    public void RemoveFirst()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("There is no event to remove.");
        }

        RemoveAt(0);
    }

    public void Clear()
    {
        Array.Clear(_items);
        _head = 0;
        Count = 0;
    }

    /// <summary>Removes the events <paramref name="remove"/> accepts, keeping the others' order (O(n)).</summary>
    public void RemoveAll(Func<LogEvent, bool> remove)
    {
        List<LogEvent> kept = new(Count);
        for (int i = 0; i < Count; i++)
        {
            if (!remove(this[i]))
            {
                kept.Add(this[i]);
            }
        }

        Replace(kept);
    }

    /// <summary>Puts <paramref name="events"/> in place of what is here, sorted (the order is total: sequence numbers are unique).</summary>
    public void Replace(List<LogEvent> events)
    {
        Clear();
        LogEvent[] sorted = [.. events];
        Array.Sort(sorted, static (a, b) => Compare(a.Timestamp.ToUnixTimeMilliseconds(), a.Sequence, b));
        sorted.CopyTo(_items, 0);
        Count = sorted.Length;
    }

    public List<LogEvent> ToList()
    {
        List<LogEvent> list = new(Count);
        for (int i = 0; i < Count; i++)
        {
            list.Add(this[i]);
        }

        return list;
    }

    private int Slot(int index) => (_head + index) % _items.Length;

    private void Insert(int index, LogEvent e)
    {
        if (index < Count / 2)
        {
            // Shift the front part one place towards the head.
            _head = (_head - 1 + _items.Length) % _items.Length;
            for (int i = 0; i < index; i++)
            {
                _items[Slot(i)] = _items[Slot(i + 1)];
            }
        }
        else
        {
            for (int i = Count; i > index; i--)
            {
                _items[Slot(i)] = _items[Slot(i - 1)];
            }
        }

        _items[Slot(index)] = e;
        Count++;
    }

    private void RemoveAt(int index)
    {
        if (index < Count / 2)
        {
            for (int i = index; i > 0; i--)
            {
                _items[Slot(i)] = _items[Slot(i - 1)];
            }

            _items[_head] = null;
            _head = (_head + 1) % _items.Length;
        }
        else
        {
            for (int i = index; i < Count - 1; i++)
            {
                _items[Slot(i)] = _items[Slot(i + 1)];
            }

            _items[Slot(Count - 1)] = null;
        }

        Count--;
    }
}
