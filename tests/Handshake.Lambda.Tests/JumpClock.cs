namespace Handshake.Lambda.Tests;

/// <summary>The system's clock, moved forward on demand (a host's Clock in tests of ages and expiries): timers and delays stay real.</summary>
internal sealed class JumpClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
