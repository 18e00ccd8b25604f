using System.Collections.Concurrent;
using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Handshake.Lambda.Environments;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The launcher of <see cref="RuntimeApiFuzzTests"/>: a function whose name starts with <see cref="Prefix"/> gets no
/// process, only a <see cref="FuzzProcess"/> the test plays over raw sockets; any other function (the bystander) runs
/// as a real process through <paramref name="real"/>. Each start is handed to the test, and a start while an earlier
/// process of the same function is neither gone nor signalled to go is recorded as a violation (an environment left
/// behind).
/// </summary>
internal sealed class FuzzLauncher(IProcessLauncher real) : IProcessLauncher
{
    public const string Prefix = "fz-";

    private readonly ConcurrentDictionary<string, Channel<FuzzProcess>> _starts = new();
    private readonly ConcurrentDictionary<string, List<FuzzProcess>> _started = new();

    public ConcurrentQueue<string> Violations { get; } = new();

    public IChildProcess Start(ProcessLaunchSpec spec)
    {
        string function = spec.Environment["AWS_LAMBDA_FUNCTION_NAME"];
        if (!function.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return real.Start(spec);
        }

        FuzzProcess process = new(spec.Environment["AWS_LAMBDA_RUNTIME_API"]);
        List<FuzzProcess> started = _started.GetOrAdd(function, _ => []);
        lock (started)
        {
            foreach (FuzzProcess earlier in started)
            {
                if (!earlier.Exited.IsCompleted && !earlier.Ended)
                {
                    Violations.Enqueue($"{function}: a new process started while an earlier one ({earlier.Address}) was neither gone nor killed");
                }
            }

            started.Add(process);
        }

        Starts(function).Writer.TryWrite(process);
        return process;
    }

    /// <summary>The next process the host starts for the function.</summary>
    public async Task<FuzzProcess> NextStartAsync(string function, TimeSpan timeout)
    {
        using CancellationTokenSource cancel = new(timeout);
        try
        {
            return await Starts(function).Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no environment started for {function} within {timeout.TotalSeconds} s");
        }
    }

    /// <summary>A start nobody asked for (an environment the model did not expect).</summary>
    public bool HasUnclaimedStart(string function) => Starts(function).Reader.TryPeek(out _);

    public IEnumerable<FuzzProcess> All => _started.Values.SelectMany(list => { lock (list) { return list.ToArray(); } });

    private Channel<FuzzProcess> Starts(string function) => _starts.GetOrAdd(function, _ => Channel.CreateUnbounded<FuzzProcess>());
}

/// <summary>A played runtime's "process": signals are recorded, a kill or term ends it, and the test can make it exit.</summary>
internal sealed class FuzzProcess(string address) : IChildProcess
{
    private readonly AnonymousPipeServerStream _stdout = new(PipeDirection.In);
    private readonly AnonymousPipeServerStream _stderr = new(PipeDirection.In);
    private readonly TaskCompletionSource<string> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _ended;
    private int _stops;

    public string Address { get; } = address;

    /// <summary>Killed, terminated or disposed by the host.</summary>
    public bool Ended => _ended;

    public int ProcessId => Environment.ProcessId;

    public SafeHandle StandardOutput => _stdout.SafePipeHandle;

    public SafeHandle StandardError => _stderr.SafePipeHandle;

    public Task<string> Exited => _exited.Task;

    /// <summary>How many times the host has frozen it (SIGSTOP): once each time its runtime waits in `next` with nothing to do.</summary>
    public int Stops => Volatile.Read(ref _stops);

    /// <summary>The runtime exits by itself (a crash).</summary>
    public void Exit(string how) => _exited.TrySetResult(how);

    public void SignalGroup(ProcessSignal signal)
    {
        if (signal == ProcessSignal.Stop)
        {
            Interlocked.Increment(ref _stops);
        }

        if (signal is ProcessSignal.Kill or ProcessSignal.Term)
        {
            _ended = true;
            _exited.TrySetResult("signal: killed");
        }
    }

    public int PendingOutputBytes() => 0;

    public ValueTask DisposeAsync()
    {
        _ended = true;
        _exited.TrySetResult("exit status 0");
        _stdout.DisposeLocalCopyOfClientHandle();
        _stderr.DisposeLocalCopyOfClientHandle();
        return ValueTask.CompletedTask;
    }
}

/// <summary>One whole HTTP response read off a raw connection.</summary>
internal sealed record RawResponse(int Status, string Head, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public string? Header(string name)
    {
        foreach (string line in Head.Split("\r\n"))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    public override string ToString() => $"{Status} {Text}";
}

/// <summary>A raw socket to a Runtime API: sends bytes, reads whole responses (interim 100s skipped), every read timed.</summary>
internal sealed class RawConnection(Socket socket, string name) : IDisposable
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public string Name { get; } = name;

    /// <summary>The host closed or reset it, or the test did.</summary>
    public bool Closed { get; private set; }

    public static async Task<RawConnection> ConnectAsync(string address, string name)
    {
        int colon = address.LastIndexOf(':');
        Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(address[..colon], int.Parse(address[(colon + 1)..])).WaitAsync(TestHost.Wait);
        return new RawConnection(socket, name);
    }

    /// <summary>False when the connection failed under the write (the host closed or reset it).</summary>
    public async Task<bool> SendAsync(ReadOnlyMemory<byte> data)
    {
        try
        {
            while (!data.IsEmpty)
            {
                int sent = await socket.SendAsync(data).AsTask().WaitAsync(TestHost.Wait);
                data = data[sent..];
            }

            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>The next whole response, or null when the connection ends first; throws TimeoutException after <paramref name="timeout"/>.</summary>
    public async Task<RawResponse?> ReadResponseAsync(TimeSpan timeout)
    {
        using CancellationTokenSource cancel = new(timeout);
        while (true)
        {
            ReadOnlySpan<byte> data = _buffer.AsSpan(_start, _end - _start);
            int headEnd = data.IndexOf("\r\n\r\n"u8);
            if (headEnd >= 0)
            {
                string head = Encoding.UTF8.GetString(data[..headEnd]);
                int status = int.Parse(head.AsSpan(9, 3));
                if (status == 100)
                {
                    _start += headEnd + 4;
                    continue;
                }

                RawResponse partial = new(status, head, []);
                int length = int.Parse(partial.Header("Content-Length") ?? throw new InvalidDataException("no Content-Length: " + head));
                if (data.Length >= headEnd + 4 + length)
                {
                    byte[] body = data.Slice(headEnd + 4, length).ToArray();
                    _start += headEnd + 4 + length;
                    return partial with { Body = body };
                }
            }

            if (Closed || await ReceiveAsync(cancel.Token, timeout) == 0)
            {
                return null;
            }
        }
    }

    /// <summary>Reads the interim 100 Continue; false when a final answer or the end came instead (left unread).</summary>
    public async Task<bool> ReadContinueAsync(TimeSpan timeout)
    {
        using CancellationTokenSource cancel = new(timeout);
        while (true)
        {
            ReadOnlySpan<byte> data = _buffer.AsSpan(_start, _end - _start);
            int headEnd = data.IndexOf("\r\n\r\n"u8);
            if (headEnd >= 0)
            {
                if (!data.StartsWith("HTTP/1.1 100 "u8))
                {
                    return false;
                }

                _start += headEnd + 4;
                return true;
            }

            if (Closed || await ReceiveAsync(cancel.Token, timeout) == 0)
            {
                return false;
            }
        }
    }

    /// <summary>True when the host has closed the connection with nothing more to read (waits up to <paramref name="timeout"/>).</summary>
    public async Task<bool> IsClosedAsync(TimeSpan timeout)
    {
        if (_end > _start)
        {
            return false;
        }

        using CancellationTokenSource cancel = new(timeout);
        return Closed || await ReceiveAsync(cancel.Token, timeout) == 0;
    }

    private async Task<int> ReceiveAsync(CancellationToken cancel, TimeSpan timeout)
    {
        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }

        int read;
        try
        {
            read = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancel);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name}: no whole response within {timeout.TotalSeconds} s (have: {Encoding.UTF8.GetString(_buffer, _start, Math.Min(_end - _start, 300))})");
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            read = 0;
        }

        if (read == 0)
        {
            Closed = true;
        }

        _end += read;
        return read;
    }

    /// <summary>Half-closes: the host sees the end of the request stream (FIN) and may still answer.</summary>
    public void HalfClose()
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>Resets the connection (RST, not FIN), as a runtime killed mid-write does.</summary>
    public void Reset()
    {
        Closed = true;
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    public void Dispose()
    {
        Closed = true;
        socket.Dispose();
    }
}
