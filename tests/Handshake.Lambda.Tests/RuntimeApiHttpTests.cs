using System.Collections.Concurrent;
using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Handshake.Lambda.Environments;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The Runtime API's HTTP/1.1, byte for byte: the test plays the runtime over a raw socket (the launcher starts no
/// process), so framing, pipelining and the order of freeze and acknowledgement can be checked exactly.
/// </summary>
public sealed class RuntimeApiHttpTests
{
    [Fact]
    public async Task A_chunked_answer_with_extensions_and_trailers_is_the_invocation_result()
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        Task<InvocationResult> invoke = runtime.InvokeAsync("""{"n":1}""");
        string requestId = await runtime.NextAsync();

        await runtime.SendAsync(
            $"POST /2018-06-01/runtime/invocation/{requestId}/response HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "4;ext=1\r\n{\"ok\r\n6\r\n\":true\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 202 Accepted\r\n", await runtime.ReadResponseAsync());
        Assert.Equal("""{"ok":true}""", Encoding.UTF8.GetString((await invoke.WaitAsync(TestHost.Wait)).Payload.Span));
    }

    [Fact]
    public async Task An_answer_sent_with_Expect_100_continue_gets_the_interim_100_before_its_body_is_sent()
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        Task<InvocationResult> invoke = runtime.InvokeAsync("{}");
        string requestId = await runtime.NextAsync();

        await runtime.SendAsync($"POST /2018-06-01/runtime/invocation/{requestId}/response HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", await runtime.ReadExactlyAsync("HTTP/1.1 100 Continue\r\n\r\n".Length));
        await runtime.SendAsync("[]");

        Assert.StartsWith("HTTP/1.1 202 Accepted\r\n", await runtime.ReadResponseAsync());
        Assert.Equal("[]", Encoding.UTF8.GetString((await invoke.WaitAsync(TestHost.Wait)).Payload.Span));
    }

    [Fact]
    public async Task A_next_pipelined_behind_the_answer_freezes_the_environment_before_the_answer_is_acknowledged()
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        Task<InvocationResult> invoke = runtime.InvokeAsync("{}");
        string requestId = await runtime.NextAsync();
        // The freeze comes first when the answer completes the host's wait inline, on the Runtime API's thread, before
        // it sends the 202. The host writes the event and only then starts waiting, so an answer sent the moment the
        // event arrives can find the invoking thread not yet waiting (preempted on a loaded machine: seen once in a full
        // run with a 200 ms sleep here); it then releases the environment on its own thread, and the 202 may leave
        // first. So the answer goes once the host has started its wait: the wait's timeout timer, created on the host's
        // clock, says so. The pause after it covers the few instructions from the timer to the await: 100 ms rather
        // than 20, as a thread preempted there on a loaded 2-core machine can wait longer than 20 ms for a core.
        await runtime.AnswerWaitStarted.WaitAsync(TestHost.Wait);
        await Task.Delay(100);

        await runtime.SendAsync(
            $"POST /2018-06-01/runtime/invocation/{requestId}/response HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{{}}" +
            "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n");
        string accepted = await runtime.ReadResponseAsync();

        // The 202 left after the SIGSTOP (no byte of it was waiting in the runtime's socket when the stop was sent): a
        // real runtime is not woken by it only to be stopped.
        Assert.StartsWith("HTTP/1.1 202 Accepted\r\n", accepted);
        Assert.Equal([ProcessSignal.Stop], runtime.Signals);
        Assert.Equal([0], runtime.BytesWaitingAtSignals);
        await invoke.WaitAsync(TestHost.Wait);

        // The parked next gets the following invocation, after a SIGCONT.
        Task<InvocationResult> second = runtime.InvokeAsync("""{"second":1}""");
        string head = await runtime.ReadResponseAsync();
        Assert.Contains("\r\nLambda-Runtime-Aws-Request-Id: ", head);
        Assert.EndsWith("""{"second":1}""", head);
        Assert.Equal([ProcessSignal.Stop, ProcessSignal.Cont], runtime.Signals);
        Assert.False(second.IsCompleted);
    }

    [Fact]
    public async Task A_client_context_with_newlines_reaches_the_runtime_on_one_header_line()
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        Task<InvocationResult> invoke = runtime.Host.InvokeAsync(PlayedRuntime.Function, new Invocation("ctx-1", "{}"u8.ToArray()) { ClientContext = "{\r\n  \"custom\": {}\n}" });

        string next = await runtime.SendAndReadAsync("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n");

        // As Go's net/http (Lambda's Runtime API) writes it: CR and LF become spaces, so no header can be injected.
        Assert.Contains("\r\nLambda-Runtime-Client-Context: {    \"custom\": {} }\r\n", next);
        Assert.False(invoke.IsCompleted);
    }

    public static TheoryData<string, int> MalformedRequests => new()
    {
        { "GARBAGE\r\n\r\n", 400 },
        { "GET /2018-06-01/runtime/invocation/next HTTP/2.0\r\n\r\n", 400 },
        { "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nNo colon here\r\n\r\n", 400 },
        { "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
        { "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400 },
        { "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 400 },
        // A head above 32 KB.
        { $"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nX-Big: {new string('a', 40 * 1024)}\r\n\r\n", 431 },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task A_malformed_request_gets_a_4xx_and_the_connection_closes(string request, int status)
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        Task<InvocationResult> starting = runtime.InvokeAsync("{}");

        string response = await runtime.SendAndReadAsync(request);

        Assert.StartsWith($"HTTP/1.1 {status} ", response);
        Assert.Contains("\r\nConnection: close\r\n", response);
        Assert.True(await runtime.IsClosedAsync());
        Assert.False(starting.IsCompleted);
    }

    [Fact]
    public async Task Requests_with_unread_bodies_keep_the_connection_usable()
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        Task<InvocationResult> invoke = runtime.InvokeAsync("""{"body":1}""");

        // A 404 with a body, then a next with a body, pipelined: both bodies are skipped, both requests answered.
        await runtime.SendAsync(
            "POST /2018-06-01/nowhere HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello" +
            "GET /2018-06-01/runtime/invocation/next?x=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

        string notFound = await runtime.ReadResponseAsync();
        string next = await runtime.ReadResponseAsync();
        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", notFound);
        Assert.EndsWith("""{"errorType":"NotFound","errorMessage":"Not found"}""", notFound);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", next);
        Assert.EndsWith("""{"body":1}""", next);
        Assert.False(invoke.IsCompleted);
    }

    [Fact]
    public async Task An_answer_with_broken_chunk_framing_gets_400_and_fails_the_invocation()
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        Task<InvocationResult> invoke = runtime.InvokeAsync("{}");
        string requestId = await runtime.NextAsync();

        string response = await runtime.SendAndReadAsync($"POST /2018-06-01/runtime/invocation/{requestId}/response HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", response);
        Assert.EndsWith("""{"errorType":"TruncatedHTTPRequest","errorMessage":"Truncated HTTP request"}""", response);
        InvocationResult result = await invoke.WaitAsync(TestHost.Wait);
        Assert.Equal("Runtime.TruncatedResponse", JsonDocument.Parse(result.Payload).RootElement.GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task An_HTTP_1_0_request_is_answered_and_the_connection_closed()
    {
        await using PlayedRuntime runtime = await PlayedRuntime.StartAsync();
        Task<InvocationResult> invoke = runtime.InvokeAsync("""{"old":1}""");

        string next = await runtime.SendAndReadAsync("GET http://127.0.0.1/2018-06-01/runtime/invocation/next HTTP/1.0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", next);
        Assert.Contains("\r\nConnection: close\r\n", next);
        Assert.EndsWith("""{"old":1}""", next);
        Assert.True(await runtime.IsClosedAsync());
        Assert.False(invoke.IsCompleted);
    }

    /// <summary>A host whose one environment is this test, talking HTTP to the Runtime API over a socket.</summary>
    internal sealed class PlayedRuntime : IAsyncDisposable, IProcessLauncher
    {
        public const string Function = "played";
        private readonly TaskCompletionSource<string> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<(ProcessSignal Signal, int BytesWaiting)> _signals = new();
        private Socket? _socket;
        private PlayedProcess? _process;
        private readonly List<byte> _received = [];

        private readonly WaitWatchingClock _clock = new();

        private PlayedRuntime()
        {
            Host = new FunctionHost(new FunctionHostOptions { Clock = _clock }, null, this);
            Host.CreateFunction(new FunctionDefinition
            {
                Name = Function,
                Runtime = "provided.al2023",
                Handler = "function.handler",
                CodeDirectory = TestHost.FunctionDirectory("bash-runtime"),
                Timeout = 30,
                // The "process" is this test process: no memory limit it could trip.
                MemorySize = 10240,
            });
        }

        public FunctionHost Host { get; }

        /// <summary>AWS_LAMBDA_RUNTIME_API of the environment, once it has started: for a runtime client run in-process.</summary>
        public Task<string> RuntimeApiAddress => _address.Task;

        public ProcessSignal[] Signals => [.. _signals.Select(s => s.Signal)];

        /// <summary>For each signal, how many bytes of the host's responses had reached the runtime's socket unread.</summary>
        public int[] BytesWaitingAtSignals => [.. _signals.Select(s => s.BytesWaiting)];

        public static Task<PlayedRuntime> StartAsync() => Task.FromResult(new PlayedRuntime());

        /// <summary>Completed once the host has begun waiting for the first invocation's answer (see <see cref="WaitWatchingClock"/>).</summary>
        public Task AnswerWaitStarted => _clock.AnswerWaitStarted;

        /// <summary>
        /// The system's clock, which notes the host's wait for an invocation's answer: a timer due after more than the
        /// init limit (10 s) and at most the function's 30 s timeout. Init waits are due at the init limit; the reaper and
        /// the memory checks are periodic.
        /// </summary>
        private sealed class WaitWatchingClock : TimeProvider
        {
            private readonly TaskCompletionSource _answerWait = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public Task AnswerWaitStarted => _answerWait.Task;

            public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
            {
                ITimer timer = base.CreateTimer(callback, state, dueTime, period);
                if (period == Timeout.InfiniteTimeSpan && dueTime > new FunctionHostOptions().InitTimeout && dueTime <= TimeSpan.FromSeconds(30))
                {
                    _answerWait.TrySetResult();
                }

                return timer;
            }
        }

        public Task<InvocationResult> InvokeAsync(string payload) =>
            Host.InvokeAsync(Function, new Invocation(Guid.NewGuid().ToString(), Encoding.UTF8.GetBytes(payload)));

        /// <summary>Connects (once the environment has started) and sends raw bytes.</summary>
        public async Task SendAsync(string text)
        {
            if (_socket is null)
            {
                string address = await _address.Task.WaitAsync(TestHost.Wait);
                int colon = address.LastIndexOf(':');
                _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await _socket.ConnectAsync(address[..colon], int.Parse(address[(colon + 1)..])).WaitAsync(TestHost.Wait);
            }

            await _socket.SendAsync(Encoding.UTF8.GetBytes(text).AsMemory()).AsTask().WaitAsync(TestHost.Wait);
        }

        public async Task<string> SendAndReadAsync(string text)
        {
            await SendAsync(text);
            return await ReadResponseAsync();
        }

        /// <summary>Takes the first invocation's event with GET next; returns its request id.</summary>
        public async Task<string> NextAsync()
        {
            string next = await SendAndReadAsync("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n");
            const string Header = "\r\nLambda-Runtime-Aws-Request-Id: ";
            int at = next.IndexOf(Header, StringComparison.Ordinal) + Header.Length;
            return next[at..next.IndexOf("\r\n", at, StringComparison.Ordinal)];
        }

        /// <summary>One whole response (head and Content-Length body), as text.</summary>
        public async Task<string> ReadResponseAsync()
        {
            while (true)
            {
                string text = Encoding.UTF8.GetString([.. _received]);
                int headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (headEnd >= 0)
                {
                    const string Length = "\r\nContent-Length: ";
                    int at = text.IndexOf(Length, StringComparison.Ordinal) + Length.Length;
                    int length = int.Parse(text[at..text.IndexOf("\r\n", at, StringComparison.Ordinal)]);
                    int total = Encoding.UTF8.GetByteCount(text[..(headEnd + 4)]) + length;
                    if (_received.Count >= total)
                    {
                        string response = Encoding.UTF8.GetString([.. _received.Take(total)]);
                        _received.RemoveRange(0, total);
                        return response;
                    }
                }

                if (await ReceiveAsync() == 0)
                {
                    throw new IOException("closed before a whole response: " + text);
                }
            }
        }

        public async Task<string> ReadExactlyAsync(int count)
        {
            while (_received.Count < count)
            {
                if (await ReceiveAsync() == 0)
                {
                    throw new IOException("closed");
                }
            }

            string text = Encoding.UTF8.GetString([.. _received.Take(count)]);
            _received.RemoveRange(0, count);
            return text;
        }

        public async Task<bool> IsClosedAsync() => _received.Count == 0 && await ReceiveAsync() == 0;

        /// <summary>Resets the connection (RST, not FIN), as a runtime killed mid-write or a broken network does.</summary>
        public void Reset()
        {
            _socket!.LingerState = new LingerOption(true, 0);
            _socket.Close();
            _socket = null;
        }

        private async Task<int> ReceiveAsync()
        {
            byte[] buffer = new byte[64 * 1024];
            int read = await _socket!.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TestHost.Wait);
            _received.AddRange(buffer.AsSpan(0, read));
            return read;
        }

        public IChildProcess Start(ProcessLaunchSpec spec)
        {
            _process = new PlayedProcess(signal => _signals.Enqueue((signal, BytesWaiting())));
            _address.TrySetResult(spec.Environment["AWS_LAMBDA_RUNTIME_API"]);
            return _process;
        }

        private int BytesWaiting()
        {
            try
            {
                return _socket?.Available ?? 0;
            }
            catch (ObjectDisposedException)
            {
                // Signals sent by the host's shutdown, after the test closed its socket.
                return 0;
            }
        }

        public async ValueTask DisposeAsync()
        {
            _socket?.Dispose();
            await Host.DisposeAsync();
        }
    }

    /// <summary>No process: signals are recorded; a kill or term ends it.</summary>
    private sealed class PlayedProcess(Action<ProcessSignal> signalled) : IChildProcess
    {
        private readonly AnonymousPipeServerStream _stdout = new(PipeDirection.In);
        private readonly AnonymousPipeServerStream _stderr = new(PipeDirection.In);
        private readonly TaskCompletionSource<string> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int ProcessId => Environment.ProcessId;

        public SafeHandle StandardOutput => _stdout.SafePipeHandle;

        public SafeHandle StandardError => _stderr.SafePipeHandle;

        public Task<string> Exited => _exited.Task;

        public void SignalGroup(ProcessSignal signal)
        {
            signalled(signal);
            if (signal is ProcessSignal.Kill or ProcessSignal.Term)
            {
                _exited.TrySetResult("signal: killed");
            }
        }

        public int PendingOutputBytes() => 0;

        public ValueTask DisposeAsync()
        {
            _exited.TrySetResult("exit status 0");
            _stdout.DisposeLocalCopyOfClientHandle();
            _stderr.DisposeLocalCopyOfClientHandle();
            return ValueTask.CompletedTask;
        }
    }
}
