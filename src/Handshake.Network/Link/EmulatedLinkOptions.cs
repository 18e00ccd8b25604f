namespace Handshake.Network.Link;

public sealed class EmulatedLinkOptions
{
    /// <summary>Added to every exchange (half on the way out, half on the way back) and once more to each TCP handshake.</summary>
    public TimeSpan RoundTripTime { get; init; }

    /// <summary>
    /// Hold back a close from the store that arrives while the connection is idle, as a paused Lambda microVM never
    /// sees it: the client learns only when it next writes, and gets a reset. Off: closes pass through at once.
    /// </summary>
    public bool HoldIdleCloses { get; init; }

    /// <summary>A connection with no bytes either way for this long counts as idle (a Connection: close answer does not).</summary>
    public TimeSpan IdleThreshold { get; init; } = TimeSpan.FromMilliseconds(250);
}
