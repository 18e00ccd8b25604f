namespace Handshake.Network.Accounting;

/// <summary>Connection counts and traffic for one group of connections, or for all of them.</summary>
public struct ConnectionTotals
{
    public long Opened { get; set; }

    public long Active { get; set; }

    public long Closed { get; set; }

    public long Tls { get; set; }

    public long Requests { get; set; }

    public long BytesIn { get; set; }

    public long BytesOut { get; set; }

    public DateTimeOffset? FirstOpenedAt { get; set; }

    public DateTimeOffset? LastOpenedAt { get; set; }

    public void Add(in ConnectionTotals other)
    {
        Opened += other.Opened;
        Active += other.Active;
        Closed += other.Closed;
        Tls += other.Tls;
        Requests += other.Requests;
        BytesIn += other.BytesIn;
        BytesOut += other.BytesOut;
        if (other.FirstOpenedAt is { } first && (FirstOpenedAt is null || first < FirstOpenedAt))
        {
            FirstOpenedAt = first;
        }

        if (other.LastOpenedAt is { } last && (LastOpenedAt is null || last > LastOpenedAt))
        {
            LastOpenedAt = last;
        }
    }
}
