using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Handshake.Network.Link;

/// <summary>
/// One client connection through the link: a pump each way that delays every chunk by half the round-trip time, plus
/// the stale-socket rule (a client write after the store closed is answered with a reset).
/// </summary>
internal sealed class LinkConnection(EmulatedLink link, Socket client, CancellationToken stopping)
{
    private const int ChunkSize = 16 * 1024;
    private readonly Socket _upstream = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private long _lastActivity = Stopwatch.GetTimestamp();
    private volatile bool _upstreamClosed;
    private int _aborted;

    public async Task RunAsync(IPEndPoint upstream)
    {
        client.NoDelay = true;
        TimeSpan rtt = link.Options.RoundTripTime;
        if (rtt > TimeSpan.Zero)
        {
            // The TCP handshake: SYN out, SYN-ACK back, before the first byte can travel.
            await link.WaitUntilAsync(LinkTimer.After(rtt)).WaitAsync(stopping).ConfigureAwait(false);
        }

        await _upstream.ConnectAsync(upstream, stopping).ConfigureAwait(false);
        TimeSpan oneWay = rtt / 2;
        Task outbound = AbortOnFailureAsync(PumpOutboundAsync(oneWay));
        Task inbound = AbortOnFailureAsync(PumpInboundAsync(oneWay));
        await Task.WhenAll(outbound, inbound).ConfigureAwait(false);
        Close();
    }

    /// <summary>Client to store. A write after the store closed is the stale-socket failure: answered with RST.</summary>
    private async Task PumpOutboundAsync(TimeSpan delay)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            DelayedWriter writer = new(link, _upstream, delay, stopping);
            while (true)
            {
                int read = await client.ReceiveAsync(buffer, SocketFlags.None, stopping).ConfigureAwait(false);
                if (read == 0)
                {
                    await writer.CompleteAsync().ConfigureAwait(false);
                    TryShutdown(_upstream);
                    return;
                }

                if (_upstreamClosed)
                {
                    link.CountReset();
                    Abort();
                    return;
                }

                Touch();
                await writer.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Store to client. The store's close passes on, unless it came while idle and the link holds it back.</summary>
    private async Task PumpInboundAsync(TimeSpan delay)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            DelayedWriter writer = new(link, client, delay, stopping);
            while (true)
            {
                int read;
                try
                {
                    read = await _upstream.ReceiveAsync(buffer, SocketFlags.None, stopping).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    read = 0;
                }

                if (read == 0)
                {
                    await writer.CompleteAsync().ConfigureAwait(false);
                    _upstreamClosed = true;
                    bool idle = Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastActivity)) >= link.Options.IdleThreshold;
                    if (link.Options.HoldIdleCloses && idle)
                    {
                        link.CountHeldClose();
                    }
                    else
                    {
                        TryShutdown(client);
                    }

                    return;
                }

                Touch();
                await writer.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // A pump that fails (a reset, a disposed socket) takes the whole connection down, so the other pump never waits forever.
    private async Task AbortOnFailureAsync(Task pump)
    {
        try
        {
            await pump.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            Abort();
        }
    }

    private void Touch() => Interlocked.Exchange(ref _lastActivity, Stopwatch.GetTimestamp());

    private static void TryShutdown(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes both sides with a reset (linger 0), as a peer that has forgotten the connection does.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        foreach (Socket socket in new[] { client, _upstream })
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }

            socket.Dispose();
        }
    }

    private void Close()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        client.Dispose();
        _upstream.Dispose();
    }

    /// <summary>Writes chunks in order, each no earlier than its arrival plus the one-way delay (pipelined, not serialised).</summary>
    private sealed class DelayedWriter
    {
        private readonly EmulatedLink _link;
        private readonly Socket _target;
        private readonly TimeSpan _delay;
        private readonly CancellationToken _stopping;
        private readonly Channel<(long Due, byte[] Chunk, int Length)>? _queue;
        private readonly Task? _drain;

        public DelayedWriter(EmulatedLink link, Socket target, TimeSpan delay, CancellationToken stopping)
        {
            _link = link;
            _target = target;
            _delay = delay;
            _stopping = stopping;
            if (delay > TimeSpan.Zero)
            {
                _queue = Channel.CreateUnbounded<(long, byte[], int)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
                _drain = DrainAsync();
            }
        }

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data)
        {
            if (_queue is null)
            {
                await SendAllAsync(data).ConfigureAwait(false);
                return;
            }

            byte[] chunk = ArrayPool<byte>.Shared.Rent(data.Length);
            data.CopyTo(chunk);
            _queue.Writer.TryWrite((LinkTimer.After(_delay), chunk, data.Length));
        }

        public async Task CompleteAsync()
        {
            if (_queue is not null)
            {
                _queue.Writer.TryComplete();
                await _drain!.ConfigureAwait(false);
            }
        }

        private async Task DrainAsync()
        {
            await foreach ((long due, byte[] chunk, int length) in _queue!.Reader.ReadAllAsync(_stopping).ConfigureAwait(false))
            {
                try
                {
                    // Not Task.Delay: it would round a sub-millisecond wait down to none and the rest up to its timer tick.
                    await _link.WaitUntilAsync(due).ConfigureAwait(false);
                    await SendAllAsync(chunk.AsMemory(0, length)).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // The other side is gone; drop the rest, the pumps notice on their own.
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                }
            }
        }

        private async ValueTask SendAllAsync(ReadOnlyMemory<byte> data)
        {
            while (!data.IsEmpty)
            {
                int sent = await _target.SendAsync(data, SocketFlags.None, _stopping).ConfigureAwait(false);
                data = data[sent..];
            }
        }
    }
}
