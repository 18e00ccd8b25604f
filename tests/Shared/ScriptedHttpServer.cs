using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Handshake.Tests.Shared;

/// <summary>
/// A raw TCP server on 127.0.0.1:0 that answers each HTTP request with the next scripted bytes, byte for byte, so the
/// tests of Handshake's own HTTP/1.1 clients (the Runtime API client, the bench's Invoke client) can send what Kestrel
/// never would: chunked bodies, odd header case, unframed bodies, a close between calls, an answer cut short.
/// </summary>
public sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<Answer> _answers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly TaskCompletionSource _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(int Count, TaskCompletionSource Reached)> _connectionWaiters = [];
    private int _connections;

    public ScriptedHttpServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>host:port, as AWS_LAMBDA_RUNTIME_API carries it.</summary>
    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>http://host:port/, for clients that take a URI.</summary>
    public Uri Endpoint => new($"http://{Address}/");

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>
    /// Completes when the accept loop has taken <paramref name="count"/> connections. A client's connect completes in
    /// the kernel's backlog before this loop takes the socket, so right after a client is done (it may even have
    /// closed a connection it never used) <see cref="Connections"/> can still lag behind what the client opened.
    /// </summary>
    public Task ConnectionsAccepted(int count)
    {
        lock (_connectionWaiters)
        {
            if (Connections >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connectionWaiters.Add((count, reached));
            return reached.Task;
        }
    }

    /// <summary>Every request received: its head and body as text.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Completes when the first request has arrived.</summary>
    public Task FirstRequest => _firstRequest.Task;

    /// <summary>
    /// Queues the raw bytes of the next answer; <paramref name="close"/> closes the connection after writing them,
    /// <paramref name="split"/> writes them in two halves a moment apart, so that the client reads the answer in parts,
    /// and <paramref name="release"/> holds the answer until it completes, as a long poll holds its answer.
    /// </summary>
    public void Enqueue(string raw, bool close = false, bool split = false, Task? release = null) =>
        _answers.Enqueue(new Answer(Encoding.UTF8.GetBytes(raw), close, split, release));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.WaitAsync(TimeSpan.FromSeconds(30));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        List<Task> connections = [];
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                var accepted = Interlocked.Increment(ref _connections);
                lock (_connectionWaiters)
                {
                    _connectionWaiters.RemoveAll(waiter => accepted >= waiter.Count && waiter.Reached.TrySetResult());
                }

                connections.Add(ServeAsync(socket));
            }
        }
        // Stop() ends a pending accept with one of these, and a later accept with InvalidOperationException.
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        // Without this, Nagle holds the second half of a split answer until the client ACKs the first, and a client
        // waiting for the rest of an answer sends nothing to carry that ACK: each split answer then waited for the
        // client's delayed-ACK timer (40 ms, up to 200 ms as a loaded machine's round trips grow) instead of the 1 ms
        // meant, and the load generator's 200 split answers took 4 s alone and over its 30 s bound in a busy suite.
        socket.NoDelay = true;
        await using var stream = new NetworkStream(socket);
        var pending = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var request = await ReadRequestAsync(stream, pending, buffer);
                if (request is null)
                {
                    return;
                }

                Requests.Enqueue(request);
                _firstRequest.TrySetResult();
                if (!_answers.TryDequeue(out var answer))
                {
                    // Nothing scripted: hold the request open, as a Runtime API holds /next while no event comes.
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }

                if (answer.Release is { } release)
                {
                    await release.WaitAsync(_stop.Token);
                }

                if (answer.Split)
                {
                    await stream.WriteAsync(answer.Bytes.AsMemory(0, answer.Bytes.Length / 2), _stop.Token);
                    await Task.Delay(1, _stop.Token);
                    await stream.WriteAsync(answer.Bytes.AsMemory(answer.Bytes.Length / 2), _stop.Token);
                }
                else
                {
                    await stream.WriteAsync(answer.Bytes, _stop.Token);
                }

                if (answer.Close)
                {
                    socket.Shutdown(SocketShutdown.Both);
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
        }
    }

    /// <summary>One request: the head up to the blank line, then Content-Length bytes of body; null at the end of the stream.</summary>
    private async Task<string?> ReadRequestAsync(NetworkStream stream, List<byte> pending, byte[] buffer)
    {
        while (true)
        {
            var text = Encoding.UTF8.GetString([.. pending]);
            var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd >= 0)
            {
                var length = 0;
                foreach (var line in text[..headEnd].Split("\r\n"))
                {
                    if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    {
                        length = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    }
                }

                if (pending.Count >= headEnd + 4 + length)
                {
                    var request = Encoding.UTF8.GetString([.. pending.GetRange(0, headEnd + 4 + length)]);
                    pending.RemoveRange(0, headEnd + 4 + length);
                    return request;
                }
            }

            var read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return null;
            }

            pending.AddRange(buffer.AsSpan(0, read));
        }
    }

    private sealed record Answer(byte[] Bytes, bool Close, bool Split, Task? Release);
}
