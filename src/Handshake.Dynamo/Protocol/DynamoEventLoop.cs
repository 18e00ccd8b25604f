using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Handshake.Dynamo.Storage;
using Microsoft.AspNetCore.Http.Features;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// The store's plain-HTTP listener: one thread runs every connection as a non-blocking socket around epoll(7), reads
/// the plain requests (<see cref="PlainRequest"/>) that one wait brought, runs them, commits their writes together in
/// one transaction, and sends the answers, with no thread hand-off on the way. Any other request hands its connection
/// to Kestrel's HTTP layer through <see cref="DynamoTransport"/>.
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
internal sealed class DynamoEventLoop : IDisposable
{
    private const ulong ListenerToken = ulong.MaxValue;
    private const ulong WakeToken = ulong.MaxValue - 1;
    private const int InputBufferBytes = 16 * 1024;

    // A request already arriving gets 30 s for the rest, as Kestrel gives a request's head.
    private static readonly long RequestTimeoutTicks = 30 * Stopwatch.Frequency;

    // 50 us: PutItem at 1 connection p50 0.050 ms against 0.104 without polling, 0.052 with 150 us (2026-11-27 06:30 UTC);
    // at 32 connections the loop rarely finds nothing to do, so the polling costs nothing there.
    private static readonly long SpinTicks = Stopwatch.Frequency * 50 / 1_000_000;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly Socket _listener;
    private readonly Func<DynamoHttpEndpoint?> _endpoint;
    private readonly IStoreConnectionObserver? _observer;
    private readonly Action<LoopConnection, byte[]> _handOver;
    private readonly long _keepAliveTicks;
    private readonly List<LoopConnection?> _slots = [];
    private readonly Stack<int> _freeSlots = new();
    private readonly ConcurrentQueue<LoopConnection> _completed = new();
    private readonly List<LoopConnection> _answered = [];
    private readonly byte[] _events = new byte[256 * LinuxSockets.EpollEventSize];
    private readonly byte[] _address = new byte[128];
    private readonly Thread _thread;
    private DynamoStore? _deferredOn;
    private bool _busy;
    private long _lastSweep = Stopwatch.GetTimestamp();
    private int _wakePending;
    private volatile bool _accepting = true;
    private volatile bool _stopping;
    private volatile bool _disposed;
    private bool _listenerClosed;

    public DynamoEventLoop(Socket listener, Func<DynamoHttpEndpoint?> endpoint, TimeSpan keepAliveTimeout,
        IStoreConnectionObserver? observer, Action<LoopConnection, byte[]> handOver)
    {
        _listener = listener;
        _endpoint = endpoint;
        _observer = observer;
        _handOver = handOver;
        _keepAliveTicks = (long)(keepAliveTimeout.TotalSeconds * Stopwatch.Frequency);
        _epoll = LinuxSockets.CreateEpoll();
        _wake = LinuxSockets.CreateEventFd();
        LinuxSockets.Control(_epoll, LinuxSockets.EpollAdd, (int)listener.Handle, LinuxSockets.EpollIn, ListenerToken);
        LinuxSockets.Control(_epoll, LinuxSockets.EpollAdd, _wake, LinuxSockets.EpollIn, WakeToken);
        _thread = new Thread(Run) { IsBackground = true, Name = "dynamo event loop" };
        _thread.Start();
    }

    /// <summary>Stops accepting; connections close once idle (their answers in flight are sent first).</summary>
    public void StopAccepting()
    {
        _accepting = false;
        _stopping = true;
        Wake();
    }

    public void Dispose()
    {
        _accepting = false;
        _stopping = true;
        _disposed = true;
        Wake();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }
    }

    private void Run()
    {
        try
        {
            while (!_disposed)
            {
                int count = WaitForEvents();
                _busy = count > 0;
                WriteQueue.DeferCommits = true;
                try
                {
                    for (int i = 0; i < count; i++)
                    {
                        Dispatch(LinuxSockets.DataAt(_events, i), LinuxSockets.EventsAt(_events, i));
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
    /// After a turn with work, polls for a short while before sleeping: a vCPU that halts here takes tens of
    /// microseconds to wake (the hypervisor must schedule it again), which a client waiting for each answer pays on every
    /// request. The thread pool spins for the same reason.
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
            Volatile.Write(ref _wakePending, 0);
            LinuxSockets.Drain(_wake);
            return;
        }

        int slot = (int)(uint)token;
        if (slot >= _slots.Count || _slots[slot] is not { } connection || connection.Generation != (uint)(token >> 32))
        {
            return; // an event of a connection closed earlier in this same batch
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

    private void AcceptAll()
    {
        int listener = (int)_listener.Handle;
        while (_accepting)
        {
            int fd = LinuxSockets.Accept(listener, _address, out int addressLength);
            if (fd < 0)
            {
                return;
            }

            LoopConnection connection = new(fd, ReadPeer(_address.AsSpan(0, addressLength)));
            connection.LastActive = Stopwatch.GetTimestamp();
            _observer?.Opened(connection.Features, connection.RemoteEndPoint);
            DynamoHttpEndpoint? endpoint = _endpoint();
            if (endpoint is null || endpoint.VerifiesSignatures)
            {
                // No store yet, or --auth strict (signatures are checked on Kestrel's request objects): Kestrel's.
                _handOver(connection, []);
                continue;
            }

            int slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : AddSlot();
            _slots[slot] = connection;
            connection.Slot = slot;
            Register(connection, LinuxSockets.EpollAdd, LinuxSockets.EpollIn);
        }
    }

    private int AddSlot()
    {
        _slots.Add(null);
        return _slots.Count - 1;
    }

    private void Receive(LoopConnection connection)
    {
        if (connection.InputClosed)
        {
            return;
        }

        if (connection.Input.Length == 0)
        {
            connection.Input = ArrayPool<byte>.Shared.Rent(InputBufferBytes);
        }
        else if (connection.End == connection.Input.Length && !connection.MakeRoom())
        {
            // A whole plain request always fits; a full buffer holds answered-to-be requests behind a running one.
            Register(connection, LinuxSockets.EpollModify, connection.Unsent > 0 ? LinuxSockets.EpollOut : 0);
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
            Register(connection, LinuxSockets.EpollModify, connection.Unsent > 0 ? LinuxSockets.EpollOut : 0);
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

    /// <summary>Answers the whole requests waiting in the connection's buffer, one at a time, in order.</summary>
    private void ProcessInput(LoopConnection connection)
    {
        while (!connection.Executing && !connection.Closed)
        {
            ReadOnlySpan<byte> data = connection.Input.AsSpan(connection.Start, connection.End - connection.Start);
            if (data.IsEmpty)
            {
                // Between requests a connection holds no input buffer: idle keep-alive connections cost little.
                connection.ReleaseInput();
                connection.Partial = false;
                if (connection.InputClosed)
                {
                    CloseWhenSent(connection);
                }

                return;
            }

            PlainRequest.Parsed parsed = PlainRequest.Parse(data);
            switch (parsed.Outcome)
            {
                case PlainRequest.Outcome.NeedMore:
                    connection.Partial = true;
                    if (connection.InputClosed)
                    {
                        CloseWhenSent(connection); // cut off mid-request: nothing can answer it
                    }

                    return;
                case PlainRequest.Outcome.HandOver:
                    HandOverWhenSent(connection);
                    return;
                default:
                    connection.Partial = false;
                    Execute(connection, parsed, data);
                    connection.Start += parsed.Length;
                    _observer?.Transferred(connection.Features, parsed.Length, 0);
                    break;
            }
        }
    }

    private void Execute(LoopConnection connection, PlainRequest.Parsed request, ReadOnlySpan<byte> data)
    {
        DynamoHttpEndpoint endpoint = _endpoint()!;
        string? operation = request.Target.StartsWith(PlainRequest.TargetPrefix, StringComparison.Ordinal) ? request.Target[PlainRequest.TargetPrefix.Length..] : null;
        connection.Started = Stopwatch.GetTimestamp();
        // The metric tag takes only known operation names: a client's arbitrary target must not grow its cardinality.
        connection.MetricOperation = operation is not null && OperationRouter.IsKnown(operation) ? operation : "Unknown";
        _observer?.Request(connection.Features, request.Authorization);
        byte[] body = ArrayPool<byte>.Shared.Rent(Math.Max(request.BodyLength, 1));
        data.Slice(request.Length - request.BodyLength, request.BodyLength).CopyTo(body);
        connection.Body = body;
        connection.Response = ResponseBuffer.Rent();
        ReadOnlyMemory<byte> memory = body.AsMemory(0, request.BodyLength);
        ValueTask<int> execution;
        if (RunsInline(operation))
        {
            _deferredOn = endpoint.Store;
            execution = endpoint.ExecuteAsync(operation, request.Authorization, null, memory, connection.Response);
        }
        else
        {
            ResponseBuffer response = connection.Response;
            string? authorization = request.Authorization;
            execution = new ValueTask<int>(Task.Run(() => endpoint.ExecuteAsync(operation, authorization, null, memory, response).AsTask()));
        }

        if (execution.IsCompleted)
        {
            Answer(connection, execution.Result);
            return;
        }

        connection.Executing = true;
        connection.Execution = execution;
        execution.GetAwaiter().UnsafeOnCompleted(connection.OnCompleted ??= () => Completed(connection));
    }

    /// <summary>
    /// Point reads and writes run on the loop (a write only queues, committed with the others at the end of the turn);
    /// what can take long runs on the thread pool.
    /// </summary>
    private static bool RunsInline(string? operation) => operation switch
    {
        "PutItem" or "GetItem" or "UpdateItem" or "DeleteItem" or "BatchGetItem" or "BatchWriteItem"
            or "DescribeTable" or "ListTables" or "DescribeEndpoints" or "DescribeLimits" or "DescribeTimeToLive"
            or "ListTagsOfResource" => true,
        // An unknown or missing target is answered by the envelope check at once.
        _ => operation is null || !OperationRouter.IsKnown(operation),
    };

    // On whichever thread completed the operation: the loop's own (its commit) or the thread pool's.
    private void Completed(LoopConnection connection)
    {
        _completed.Enqueue(connection);
        if (Thread.CurrentThread != _thread)
        {
            Wake();
        }
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            LinuxSockets.Signal(_wake);
        }
    }

    /// <summary>Commits the turn's writes and answers what completed, until nothing more is waiting.</summary>
    private void Settle()
    {
        while (true)
        {
            if (_deferredOn is { } store)
            {
                _deferredOn = null;
                try
                {
                    store.Writes.CommitDeferred();
                }
                catch (ObjectDisposedException)
                {
                    // The store closed under the loop: its queue already failed every command.
                }
            }

            if (!_completed.TryDequeue(out LoopConnection? connection))
            {
                return;
            }

            do
            {
                connection.Executing = false;
                ValueTask<int> execution = connection.Execution;
                connection.Execution = default;
                int status;
                try
                {
                    status = execution.Result;
                }
                catch (Exception)
                {
                    status = DynamoHttpEndpoint.WriteError(connection.Response!, new DynamoException(DynamoErrorCode.InternalServerError, "Internal server error"));
                }

                if (connection.Closed)
                {
                    connection.ReleaseRequest();
                    continue;
                }

                Answer(connection, status);
                if (connection.ReadPaused)
                {
                    connection.ReadPaused = false;
                    Register(connection, LinuxSockets.EpollModify, LinuxSockets.EpollIn | (connection.Unsent > 0 ? LinuxSockets.EpollOut : 0));
                }

                WriteQueue.DeferCommits = true;
                try
                {
                    ProcessInput(connection);
                }
                finally
                {
                    WriteQueue.DeferCommits = false;
                }
            }
            while (_completed.TryDequeue(out connection));
        }
    }

    private void Answer(LoopConnection connection, int status)
    {
        ResponseBuffer response = connection.Response!;
        PlainRequest.WriteResponse(connection.Output, status, response.Written.Span);
        DynamoMetrics.RecordRequest(connection.MetricOperation, connection.Started);
        connection.ReleaseRequest();
        if (!connection.Answered)
        {
            connection.Answered = true;
            _answered.Add(connection);
        }
    }

    private void Flush()
    {
        foreach (LoopConnection connection in _answered)
        {
            connection.Answered = false;
            if (!connection.Closed)
            {
                Send(connection);
            }
        }

        _answered.Clear();
    }

    private void Send(LoopConnection connection)
    {
        while (connection.Unsent > 0)
        {
            int sent = LinuxSockets.Send(connection.Fd, connection.Output.WrittenSpan[connection.Sent..]);
            if (sent == -LinuxSockets.WouldBlock)
            {
                if (!connection.WaitsToSend)
                {
                    connection.WaitsToSend = true;
                    Register(connection, LinuxSockets.EpollModify, LinuxSockets.EpollOut | (connection.InputClosed || connection.ReadPaused ? 0 : LinuxSockets.EpollIn));
                }

                return;
            }

            if (sent < 0)
            {
                Close(connection);
                return;
            }

            connection.Sent += sent;
            _observer?.Transferred(connection.Features, 0, sent);
        }

        connection.Output.ResetWrittenCount();
        connection.Sent = 0;
        connection.LastActive = Stopwatch.GetTimestamp();
        if (connection.WaitsToSend)
        {
            connection.WaitsToSend = false;
            Register(connection, LinuxSockets.EpollModify, connection.InputClosed || connection.ReadPaused ? 0 : LinuxSockets.EpollIn);
        }

        if (connection.CloseWhenSent || (_stopping && !connection.Executing && connection.End == connection.Start))
        {
            Close(connection);
        }
        else if (connection.HandOverWhenSent)
        {
            HandOver(connection);
        }
    }

    private void CloseWhenSent(LoopConnection connection)
    {
        connection.CloseWhenSent = true;
        if (connection.Unsent == 0 && !connection.Answered)
        {
            Close(connection);
        }
    }

    private void HandOverWhenSent(LoopConnection connection)
    {
        connection.HandOverWhenSent = true;
        if (connection.Unsent == 0 && !connection.Answered)
        {
            HandOver(connection);
        }
    }

    /// <summary>Gives the socket, and the bytes read but not answered, to Kestrel's HTTP layer.</summary>
    private void HandOver(LoopConnection connection)
    {
        LinuxSockets.Control(_epoll, LinuxSockets.EpollDelete, connection.Fd, 0, 0);
        Release(connection);
        byte[] unread = connection.Input.AsSpan(connection.Start, connection.End - connection.Start).ToArray();
        connection.ReturnBuffers();
        _handOver(connection, unread);
    }

    private void Close(LoopConnection connection)
    {
        if (connection.Closed)
        {
            return;
        }

        LinuxSockets.CloseFd(connection.Fd);
        Release(connection);
        if (!connection.Executing)
        {
            connection.ReturnBuffers();
        }

        _observer?.Closed(connection.Features);
    }

    private void Release(LoopConnection connection)
    {
        connection.Closed = true;
        _slots[connection.Slot] = null;
        _freeSlots.Push(connection.Slot);
    }

    /// <summary>Once a second: keep-alive and request timeouts; when stopping, idle connections close.</summary>
    private void Maintain()
    {
        long now = Stopwatch.GetTimestamp();
        if (!_accepting && !_listenerClosed)
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

        if (!_listenerClosed)
        {
            _listener.Dispose();
        }

        LinuxSockets.CloseFd(_wake);
        LinuxSockets.CloseFd(_epoll);
    }

    private void Register(LoopConnection connection, int operation, uint events) =>
        LinuxSockets.Control(_epoll, operation, connection.Fd, events, ((ulong)connection.Generation << 32) | (uint)connection.Slot);

    private static IPEndPoint? ReadPeer(ReadOnlySpan<byte> address)
    {
        if (address.Length < 2)
        {
            return null;
        }

        try
        {
            AddressFamily family = BitConverter.ToUInt16(address) == 10 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
            SocketAddress socketAddress = new(family, address.Length);
            address.CopyTo(socketAddress.Buffer.Span);
            return (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(socketAddress);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>One connection the loop serves: its socket, its buffers and the request in progress.</summary>
    internal sealed class LoopConnection(int fd, IPEndPoint? remoteEndPoint)
    {
        private static uint _generations;

        public readonly int Fd = fd;
        public readonly uint Generation = Interlocked.Increment(ref _generations);
        public readonly IPEndPoint? RemoteEndPoint = remoteEndPoint;
        public readonly IFeatureCollection Features = new FeatureCollection();
        public byte[] Input = [];
        public readonly ArrayBufferWriter<byte> Output = new(1024);
        public int Slot;
        public int Start;
        public int End;
        public int Sent;
        public long LastActive;
        public bool Partial;
        public bool InputClosed;
        public bool ReadPaused;
        public bool WaitsToSend;
        public bool Answered;
        public bool CloseWhenSent;
        public bool HandOverWhenSent;
        public bool Closed;
        public bool Executing;
        public ValueTask<int> Execution;
        public Action? OnCompleted;
        public ResponseBuffer? Response;
        public byte[]? Body;
        public string MetricOperation = "";
        public long Started;

        public int Unsent => Output.WrittenCount - Sent;

        /// <summary>Frees space at the end of the input buffer: moves the unread bytes down, or grows up to a whole request.</summary>
        public bool MakeRoom()
        {
            if (Start > 0)
            {
                Input.AsSpan(Start, End - Start).CopyTo(Input);
                End -= Start;
                Start = 0;
                return true;
            }

            if (Input.Length >= PlainRequest.MaxRequestBytes)
            {
                return false;
            }

            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(Input.Length * 2, PlainRequest.MaxRequestBytes));
            Input.AsSpan(0, End).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(Input);
            Input = larger;
            return true;
        }

        public void ReleaseRequest()
        {
            if (Body is not null)
            {
                ArrayPool<byte>.Shared.Return(Body);
                Body = null;
            }

            if (Response is not null)
            {
                ResponseBuffer.Return(Response);
                Response = null;
            }
        }

        public void ReleaseInput()
        {
            Start = End = 0;
            if (Input.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(Input);
                Input = [];
            }
        }

        public void ReturnBuffers()
        {
            ReleaseRequest();
            ReleaseInput();
        }
    }
}
