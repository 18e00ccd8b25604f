using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Handshake.Network.Link;
using Xunit.Abstractions;

namespace Handshake.Network.Tests;

/// <summary>
/// The emulated link's delay (`bench --link-rtt`). Its one property is elapsed time, so these tests time it, bounded in
/// count (a few dozen exchanges or a hundred waits) and in time (well under a second each): no exchange pays less
/// than the round-trip time, counted exchange by exchange, and its median pays not much more (a loose bound, for a
/// loaded machine). Task.Delay, which the link used before, fails both: a 0.5 or 2 ms round trip added about nothing
/// (its sub-millisecond waits were none), a 5 ms one about 8 ms (each half rounded up to its 4 ms timer tick).
/// </summary>
public sealed class EmulatedLinkTests(ITestOutputHelper output)
{
    private const int Exchanges = 40;
    private const int Size = 64;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // Generous: on a busy 2-core machine a thread-pool hop can take a millisecond.
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(2);

    [Theory]
    [InlineData(0.5)]
    [InlineData(2)]
    [InlineData(5)]
    public async Task Each_exchange_pays_the_round_trip_time_and_not_much_more(double milliseconds)
    {
        TimeSpan rtt = TimeSpan.FromMilliseconds(milliseconds);
        using Socket listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        Task echo = EchoOneConnectionAsync(listener);
        await using EmulatedLink link = EmulatedLink.Start(new EmulatedLinkOptions { RoundTripTime = rtt });
        link.Upstream = (IPEndPoint)listener.LocalEndPoint!;

        TimeSpan[] took = new TimeSpan[Exchanges];
        using (Socket client = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true })
        {
            // The first exchange is timed from the connect, since the link's handshake delay starts at its accept.
            long start = Stopwatch.GetTimestamp();
            await client.ConnectAsync(IPAddress.Loopback, link.Port).WaitAsync(Timeout);
            byte[] request = new byte[Size];
            byte[] answer = new byte[Size];
            for (int i = 0; i < Exchanges; i++)
            {
                Array.Fill(request, (byte)i);
                start = i == 0 ? start : Stopwatch.GetTimestamp();
                await client.SendAsync(request).WaitAsync(Timeout);
                for (int read = 0; read < Size;)
                {
                    int n = await client.ReceiveAsync(answer.AsMemory(read)).AsTask().WaitAsync(Timeout);
                    Assert.NotEqual(0, n);
                    read += n;
                }

                took[i] = Stopwatch.GetElapsedTime(start);
                Assert.Equal(request, answer);
            }
        }

        await echo.WaitAsync(Timeout);

        // The first exchange waits for the emulated TCP handshake (one round trip) as well.
        Assert.True(took[0] >= 2 * rtt, $"first exchange {took[0].TotalMilliseconds:F3} ms, under 2 x {milliseconds} ms");
        TimeSpan[] warm = took[1..];
        output.WriteLine($"{milliseconds} ms round trip: first exchange {took[0].TotalMilliseconds:F3} ms, then " + string.Join(" ", warm.Select(t => t.TotalMilliseconds.ToString("F2", System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(0, warm.Count(t => t < rtt));
        // The median, not the mean: the link forwards on the thread pool, which the test runner's own blocking work
        // can starve for up to a second (seen once in a few runs: one exchange of 845 ms, none with more pool threads).
        double median = warm.Select(t => t.TotalMilliseconds).Order().ElementAt(warm.Length / 2);
        Assert.True(median <= (rtt + Slack).TotalMilliseconds, $"median exchange {median:F3} ms for a {milliseconds} ms round trip");

    }

    [Fact]
    public async Task The_timer_releases_no_wait_before_its_deadline_and_cancels_the_rest_when_disposed()
    {
        const int Waits = 100;
        LinkTimer timer = new();
        try
        {
            // Registered latest first, every one earlier than the one armed: each re-arms the timer from this thread.
            // The earliest is 15 ms away, so that all are registered before any is due (a wait registered after its
            // deadline completes at once, and would count as late).
            long latest = LinkTimer.After(TimeSpan.FromMilliseconds(20));
            long step = Stopwatch.Frequency / 20_000; // 50 µs: the deadlines span 20 ms down to 15 ms from now
            long[] due = [.. Enumerable.Range(0, Waits).Select(i => latest - i * step)];
            long[] released = await Task.WhenAll(due.Select(async d =>
            {
                await timer.WaitUntilAsync(d).ConfigureAwait(false);
                return Stopwatch.GetTimestamp();
            })).WaitAsync(Timeout);

            Assert.Equal(0, due.Zip(released).Count(p => p.Second < p.First));
            // Late by little: the median well under a millisecond (a Task.Delay of 1 ms was about 3 ms late here).
            double[] lateMs = [.. due.Zip(released).Select(p => (p.Second - p.First) * 1000.0 / Stopwatch.Frequency).Order()];
            Assert.True(lateMs[Waits / 2] < 1, $"median lateness {lateMs[Waits / 2]:F3} ms");
            output.WriteLine($"lateness: median {lateMs[Waits / 2]:F3} ms, p90 {lateMs[Waits * 9 / 10]:F3} ms, max {lateMs[^1]:F3} ms");

            Task pending = timer.WaitUntilAsync(LinkTimer.After(TimeSpan.FromMinutes(1)));
            timer.Dispose();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Timeout));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => timer.WaitUntilAsync(LinkTimer.After(TimeSpan.FromSeconds(1))));
        }
        finally
        {
            timer.Dispose();
        }
    }

    private static async Task EchoOneConnectionAsync(Socket listener)
    {
        using Socket connection = await listener.AcceptAsync().WaitAsync(Timeout).ConfigureAwait(false);
        connection.NoDelay = true;
        byte[] buffer = new byte[4096];
        int read;
        while ((read = await connection.ReceiveAsync(buffer).WaitAsync(Timeout).ConfigureAwait(false)) > 0)
        {
            await connection.SendAsync(buffer.AsMemory(0, read)).AsTask().WaitAsync(Timeout).ConfigureAwait(false);
        }
    }
}
