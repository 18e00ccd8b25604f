namespace Handshake.Reliability.Tests.Infrastructure;

/// <summary>The one bound every await in these tests has: a hang fails the test instead of the run.</summary>
internal static class Timeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);
}
