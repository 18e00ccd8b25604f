using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Handshake.Network.Link;

/// <summary>
/// An emulated network link: a TCP relay on 127.0.0.1 that clients use instead of the store's port. It adds a round-trip
/// time per exchange and per handshake, so that local numbers project what a region's latency makes of them, and it can
/// stand in for Lambda's frozen network: a close from the store that arrives while the connection is idle is held back,
/// and the client's next write on it is answered with a reset, which is counted. Everything here is emulated, and the
/// reports say so.
/// </summary>
public sealed class EmulatedLink : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly EmulatedLinkOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<LinkConnection> _connections = [];
    private readonly Task _acceptLoop;
    private readonly LinkTimer? _timer;
    private long _accepted;
    private long _resets;
    private long _heldCloses;

    private EmulatedLink(Socket listener, EmulatedLinkOptions options)
    {
        _listener = listener;
        _options = options;
        _timer = options.RoundTripTime > TimeSpan.Zero ? new LinkTimer() : null;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Starts listening on 127.0.0.1:0. Set <see cref="Upstream"/> before the first client connects.</summary>
    public static EmulatedLink Start(EmulatedLinkOptions options)
    {
        Socket listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4096);
        return new EmulatedLink(listener, options);
    }

    public int Port { get; }

    public EmulatedLinkOptions Options => _options;

    /// <summary>Where the link forwards to (the store's HTTP or HTTPS port).</summary>
    public IPEndPoint? Upstream { get; set; }

    /// <summary>Client connections accepted.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Writes on a connection the store had already closed, answered with a reset (RST).</summary>
    public long Resets => Interlocked.Read(ref _resets);

    /// <summary>Store closes held back because the connection was idle.</summary>
    public long HeldCloses => Interlocked.Read(ref _heldCloses);

    /// <summary>Completes at the Stopwatch timestamp <paramref name="due"/>, to within tens of microseconds (see <see cref="LinkTimer"/>).</summary>
    internal Task WaitUntilAsync(long due) => _timer?.WaitUntilAsync(due) ?? Task.CompletedTask;

    internal void CountReset() => Interlocked.Increment(ref _resets);

    internal void CountHeldClose() => Interlocked.Increment(ref _heldCloses);

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            LinkConnection connection = new(this, client, _stopping.Token);
            lock (_connections)
            {
                _connections.Add(connection);
            }

            _ = RunAsync(connection);
        }
    }

    private async Task RunAsync(LinkConnection connection)
    {
        try
        {
            await connection.RunAsync(Upstream ?? throw new InvalidOperationException("EmulatedLink.Upstream is not set")).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            connection.Abort();
        }
        finally
        {
            lock (_connections)
            {
                _connections.Remove(connection);
            }
        }
    }

    internal static long Now => Stopwatch.GetTimestamp();

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        LinkConnection[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }

        foreach (LinkConnection connection in open)
        {
            connection.Abort();
        }

        _timer?.Dispose();
        _stopping.Dispose();
    }
}
