using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Handshake.Dynamo.Storage;
using Handshake.Sockets;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// The store's plain-HTTP listener: each loop is one thread that runs its share of the connections as non-blocking
/// sockets around epoll(7), reads the plain requests (<see cref="PlainRequest"/>) that one wait brought, runs them,
/// commits their writes together in one transaction, and sends the answers, with no thread hand-off on the way. Any
/// other request hands its connection to Kestrel's HTTP layer through <see cref="DynamoTransport"/>.
/// </summary>
/// <remarks>
/// Why: on Kestrel's transport a store request crossed four threads (the socket engine's epoll thread, a thread-pool
/// read, the group commit's drain, the output's I/O queue), and on a 2-core machine each crossing waits to be scheduled
/// while thread-pool workers spin for work: a third of a core stayed idle at 32 connections while threads queued for the
/// other (schedstat, see the README). An event loop makes the group commit fall out of the loop itself: the writes of
/// every request one epoll wait returned share a commit.
/// Operations that can run long (Query, Scan, table and transaction calls) run on the thread pool instead, so that they
/// do not hold up the loop's other connections; their answers come back through a queue and an eventfd.
/// </remarks>
internal sealed partial class DynamoEventLoop : IDisposable
{
    private const ulong ListenerToken = ulong.MaxValue;
    private const ulong WakeToken = ulong.MaxValue - 1;
    private const int InputBufferBytes = 16 * 1024;

    // Kestrel's default MaxResponseBufferSize: how far answers may run ahead of a client that does not read them.
    private const int MaxUnsentBytes = 64 * 1024;

    // A request already arriving gets 30 s for the rest, as Kestrel gives a request's head.
    private static readonly long RequestTimeoutTicks = 30 * Stopwatch.Frequency;

    // 50 us: PutItem at 1 connection p50 0.050 ms against 0.104 without polling, 0.052 with 150 us (2026-11-27 05:31 UTC);
    // at 32 connections the loop rarely finds nothing to do, so the polling costs nothing there.
    private static readonly long SpinTicks = Stopwatch.Frequency * 50 / 1_000_000;

    private readonly int _epoll;
    private readonly int _wake;
    // The listening socket on the first loop only: it accepts, and deals the connections out to every loop.
    private readonly Socket? _listener;
    private readonly ConcurrentQueue<LoopConnection> _incoming = new();
    private DynamoEventLoop[] _loops = [];
    private int _nextLoop;
    private readonly Func<DynamoHttpEndpoint?> _endpoint;
    private readonly Func<IPlainRoute?>? _route;
    private readonly IStoreConnectionObserver? _observer;
    private readonly Action<LoopConnection, byte[]> _handOver;
    private readonly long _keepAliveTicks;
    private readonly List<LoopConnection?> _slots = [];
    private readonly Stack<int> _freeSlots = new();
    private readonly ConcurrentQueue<LoopConnection> _completed = new();
    private readonly List<LoopConnection> _answered = [];
    // Route answers written this turn: told once the turn's answers have gone to their sockets.
    private readonly List<IPlainExchange> _sentExchanges = [];
    private readonly byte[] _events = new byte[256 * LinuxSockets.EpollEventSize];
    private readonly byte[] _address = new byte[128];
    private readonly Thread _thread;
    private DynamoStore? _deferredOn;
    private bool _busy;
    private long _lastSweep = Stopwatch.GetTimestamp();
    private readonly Lock _wakeLock = new();
    private bool _wakeClosed;
    private int _wakePending;
    private volatile bool _accepting = true;
    private volatile bool _stopping;
    private volatile bool _disposed;
    private bool _listenerClosed;

    /// <summary>
    /// Starts <paramref name="count"/> loops: the first accepts on <paramref name="listener"/> and deals the connections
    /// out in turn. One loop is one thread, bound by one core; at 32 connections on 2 cores it ran at a full core while
    /// the load generator used under half of the other.
    /// </summary>
    public static DynamoEventLoop[] Start(int count, Socket listener, Func<DynamoHttpEndpoint?> endpoint, TimeSpan keepAliveTimeout,
        IStoreConnectionObserver? observer, Action<LoopConnection, byte[]> handOver, Func<IPlainRoute?>? route = null)
    {
        DynamoEventLoop[] loops = new DynamoEventLoop[Math.Max(count, 1)];
        for (int i = 0; i < loops.Length; i++)
        {
            loops[i] = new DynamoEventLoop(i == 0 ? listener : null, endpoint, keepAliveTimeout, observer, handOver, route);
        }

        loops[0]._loops = loops;
        foreach (DynamoEventLoop loop in loops)
        {
            loop._thread.Start();
        }

        return loops;
    }

    private DynamoEventLoop(Socket? listener, Func<DynamoHttpEndpoint?> endpoint, TimeSpan keepAliveTimeout,
        IStoreConnectionObserver? observer, Action<LoopConnection, byte[]> handOver, Func<IPlainRoute?>? route)
    {
        _listener = listener;
        _endpoint = endpoint;
        _route = route;
        _observer = observer;
        _handOver = handOver;
        _keepAliveTicks = (long)(keepAliveTimeout.TotalSeconds * Stopwatch.Frequency);
        _epoll = LinuxSockets.CreateEpoll();
        _wake = LinuxSockets.CreateEventFd();
        if (listener is not null)
        {
            LinuxSockets.Control(_epoll, LinuxSockets.EpollAdd, (int)listener.Handle, LinuxSockets.EpollIn, ListenerToken);
        }

        LinuxSockets.Control(_epoll, LinuxSockets.EpollAdd, _wake, LinuxSockets.EpollIn, WakeToken);
        _thread = new Thread(Run) { IsBackground = true, Name = "dynamo event loop" };
    }

    /// <summary>Stops accepting; connections close once idle (their answers in flight are sent first).</summary>
    public void StopAccepting()
    {
        _accepting = false;
        _stopping = true;
        Wake();
    }

    public void Dispose() => DisposeAll([this]);

    /// <summary>
    /// Stops every loop first and then joins them against one 5 s deadline, so a stop waits 5 s at most for all of
    /// them together, not 5 s for each in turn (four loops, one after another, could outlast `up`'s forced exit,
    /// 10 s after the signal, with the store's close unfinished).
    /// </summary>
    public static void DisposeAll(IReadOnlyList<DynamoEventLoop> loops)
    {
        foreach (DynamoEventLoop loop in loops)
        {
            loop._accepting = false;
            loop._stopping = true;
            loop._disposed = true;
            loop.Wake();
        }

        long deadline = Environment.TickCount64 + 5000;
        foreach (DynamoEventLoop loop in loops)
        {
            if (Thread.CurrentThread != loop._thread)
            {
                loop._thread.Join(TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64)));
            }
        }
    }

    private void Run()
    {
        try
        {
            while (!_disposed)
            {
                int count = WaitForEvents();
                AdoptIncoming();
                WriteQueue.DeferCommits = true;
                try
                {
                    for (int i = 0; i < count; i++)
                    {
                        ulong token = LinuxSockets.DataAt(_events, i);
                        try
                        {
                            Dispatch(token, LinuxSockets.EventsAt(_events, i));
                        }
                        catch (Exception e) when (e is not OutOfMemoryException)
                        {
                            // A bug or a failed system call on one connection: drop it, and go on serving the others.
                            if (ConnectionOf(token) is { } faulted) Close(faulted);
                        }
                    }
                }
                finally
                {
                    WriteQueue.DeferCommits = false;
                }

                Settle();
                Flush();
                Maintain();
            }
        }
        finally
        {
            CloseAll();
        }
    }

    /// <summary>
    /// After a turn that sent answers, polls for a short while before sleeping: a vCPU that halts here takes tens of
    /// microseconds to wake (the hypervisor must schedule it again), which a client waiting for each answer pays on every
    /// request. The thread pool spins for the same reason. A turn that only started work elsewhere (a Scan on the
    /// thread pool, an invocation in a function's process) does not poll: on a small machine the poll takes the core
    /// that work needs. Measured on a warm no-op Invoke through `up` (2026-11-27 07:50 UTC, two alternations): polling
    /// while the invocation ran, p50 212 and 213 µs against 158 and 197 µs without; polling after the answer, 148 and
    /// 150 µs against 166 and 168 µs without.
    /// </summary>
    private int WaitForEvents()
    {
        if (_busy)
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            do
            {
                int ready = LinuxSockets.Wait(_epoll, _events, 0);
                if (ready > 0)
                {
                    return ready;
                }
            }
            while (Stopwatch.GetTimestamp() < deadline);
        }

        return LinuxSockets.Wait(_epoll, _events, 1000);
    }

    private void Dispatch(ulong token, uint events)
    {
        if (token == ListenerToken)
        {
            AcceptAll();
            return;
        }

        if (token == WakeToken)
        {
            // Drained first, then re-armed: a Wake that finds the flag still set after this point has its item queued
            // before the flag was cleared, so the Settle of this turn takes it. The other order strands an item until
            // the next event (a 1 s wait): measured as Scan answers taking 1 s each.
            LinuxSockets.Drain(_wake);
            Volatile.Write(ref _wakePending, 0);
            return;
        }

        if (ConnectionOf(token) is not { } connection)
        {
            return; // an event of a connection closed earlier in this same batch
        }

        if ((events & (LinuxSockets.EpollErr | LinuxSockets.EpollHup)) != 0)
        {
            // A reset, or both directions shut (a client that only stopped sending shows as EPOLLIN with nothing to
            // read, not as this): no answer can reach the client. epoll reports these even with no interest
            // registered, so they would repeat on every wait while reading is paused.
            Close(connection);
            return;
        }

        if ((events & LinuxSockets.EpollOut) != 0)
        {
            Send(connection);
        }

        if ((events & (LinuxSockets.EpollIn | LinuxSockets.EpollHup | LinuxSockets.EpollErr)) != 0 && !connection.Closed)
        {
            Receive(connection);
        }
    }

    private LoopConnection? ConnectionOf(ulong token)
    {
        int slot = (int)(uint)token;
        return token < WakeToken && slot < _slots.Count && _slots[slot] is { } connection && connection.Generation == (uint)(token >> 32)
            ? connection
            : null;
    }

    private void Receive(LoopConnection connection)
    {
        if (connection.InputClosed)
        {
            return;
        }

        if (connection.Unsent > MaxUnsentBytes)
        {
            // Answers the client has not read yet: read no more until they are sent (Send resumes).
            Register(connection, LinuxSockets.EpollModify, LinuxSockets.EpollOut);
            connection.WaitsToSend = true;
            connection.ReadPaused = true;
            return;
        }

        if (connection.Input.Length == 0)
        {
            connection.Input = ArrayPool<byte>.Shared.Rent(InputBufferBytes);
        }
        else if (connection.End == connection.Input.Length && !connection.MakeRoom())
        {
            // A whole plain request always fits; a full buffer holds answered-to-be requests behind a running one.
            Register(connection, LinuxSockets.EpollModify, connection.WaitsToSend ? LinuxSockets.EpollOut : 0);
            connection.ReadPaused = true;
            return;
        }

        int read = LinuxSockets.Receive(connection.Fd, connection.Input.AsSpan(connection.End));
        if (read == -LinuxSockets.WouldBlock)
        {
            return;
        }

        if (read <= 0)
        {
            if (read < 0)
            {
                Close(connection); // reset by the peer
                return;
            }

            // The client shut down its sending side: what it sent is still answered, then the connection closes.
            connection.InputClosed = true;
            Register(connection, LinuxSockets.EpollModify, connection.WaitsToSend ? LinuxSockets.EpollOut : 0);
        }
        else
        {
            connection.End += read;
            connection.LastActive = Stopwatch.GetTimestamp();
        }

        if (!connection.Executing)
        {
            ProcessInput(connection);
        }
    }

    /// <summary>Once a second: keep-alive and request timeouts; when stopping, idle connections close.</summary>
    private void Maintain()
    {
        long now = Stopwatch.GetTimestamp();
        if (!_accepting && !_listenerClosed && _listener is not null)
        {
            _listenerClosed = true;
            LinuxSockets.Control(_epoll, LinuxSockets.EpollDelete, (int)_listener.Handle, 0, 0);
            _listener.Dispose();
        }

        if (!_stopping && now - _lastSweep < Stopwatch.Frequency)
        {
            return;
        }

        _lastSweep = now;
        for (int i = 0; i < _slots.Count; i++)
        {
            if (_slots[i] is not { } connection || connection.Executing || connection.Unsent > 0)
            {
                continue;
            }

            long limit = connection.Partial ? Math.Max(RequestTimeoutTicks, _keepAliveTicks) : _keepAliveTicks;
            if ((_stopping && !connection.Partial) || now - connection.LastActive > limit)
            {
                Close(connection);
            }
        }
    }

    private void CloseAll()
    {
        for (int i = 0; i < _slots.Count; i++)
        {
            if (_slots[i] is { } connection)
            {
                Close(connection);
            }
        }

        _stopping = true;
        AdoptIncoming();
        if (!_listenerClosed)
        {
            _listener?.Dispose();
        }

        lock (_wakeLock)
        {
            _wakeClosed = true;
            LinuxSockets.CloseFd(_wake);
        }

        LinuxSockets.CloseFd(_epoll);
    }

    private void Register(LoopConnection connection, int operation, uint events) =>
        LinuxSockets.Control(_epoll, operation, connection.Fd, events, ((ulong)connection.Generation << 32) | (uint)connection.Slot);
}
