using System.Text;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// One sequence of <see cref="RuntimeApiFuzzTests"/>: a function of its own, whose runtime the test plays over raw
/// sockets, and a model of what Lambda's Runtime API must answer to each call in each state (see the Runtime API table
/// in README.md and /work/shared/reference/lambda-contract.md 1.4). Each step picks a call the state allows, sends it,
/// and checks the answer, and the invocation's result once the model says it is decided, against the model.
/// </summary>
internal sealed partial class RuntimeApiFuzzSequence(FunctionHost host, FuzzLauncher launcher, Random rng, string function, List<string> log)
{
    /// <summary>RIE's MaxPayloadSize: 6 MiB + 100 bytes. One byte more is 413.</summary>
    public const int Limit = 6 * 1024 * 1024 + 100;

    /// <summary>How long any one answer may take (nothing in a sequence waits on a function timeout but a hang).</summary>
    private static readonly TimeSpan Read = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of a function whose sequence may end with a hang; other sequences' functions have 60 s.</summary>
    public const int HangTimeoutSeconds = 3;

    private enum Phase
    {
        None, // no environment (none yet, or the last one reset or dead)
        Init, // started, its first `next` not yet called; the pending invocation waits for it
        Idle, // initialized, not in `next`, nothing delivered; a pending invocation waits for its `next`
        Parked, // a `next` waits on ParkedOn
        Busy, // the pending invocation was delivered and is unanswered
    }

    /// <summary>One environment's process (a start of the runtime) and the connections the test opened to it.</summary>
    private sealed class Generation(FuzzProcess process, bool suppressed)
    {
        public FuzzProcess Process { get; } = process;

        /// <summary>Its init re-runs within an invocation: a failure then answers the invocation, with no retry.</summary>
        public bool Suppressed { get; } = suppressed;

        public List<RawConnection> Connections { get; } = [];

        /// <summary>The freezes the model expects: one each time the runtime waits in `next` with nothing to do.</summary>
        public int Freezes { get; set; }

        /// <summary>Frozen and not thawed since (a withdrawn `next` leaves it so: a played runtime may close while frozen).</summary>
        public bool Frozen { get; set; }

        /// <summary>Reset, dead, or being reset: no call on it may be accepted any more.</summary>
        public bool Doomed { get; set; }
    }

    private sealed record Pending(string Id, byte[] Payload, Task<InvocationResult> Task);

    /// <summary>What the invocation must be answered with: the result's error type (null: success) and payload.</summary>
    internal sealed record Outcome(string? ErrorType, byte[] Payload)
    {
        public static Outcome Platform(string type, string message) => new(type, Encoding.UTF8.GetBytes($$"""{"errorType":"{{type}}","errorMessage":"{{message}}"}"""));
    }

    private Phase _phase;
    private Generation? _gen;
    private readonly Dictionary<RawConnection, Generation> _owner = [];
    private Pending? _pending;
    private RawConnection? _parkedOn;
    private readonly List<string> _answered = [];
    private bool _nextSuppressed;
    private int _connectionCount;
    private int _invocationCount;
    private bool _hangs;

    /// <summary>The invocation left to time out, and what it must be answered with (a hang sequence's last step).</summary>
    public (Task<InvocationResult> Task, Outcome Expected, string Id)? Hanging { get; private set; }

    public static FunctionDefinition Definition(string name, bool hangs) => new()
    {
        Name = name,
        Runtime = "provided.al2023",
        Handler = "function.handler",
        CodeDirectory = TestHost.FunctionDirectory("bash-runtime"),
        Timeout = hangs ? HangTimeoutSeconds : 60,
        // The "process" is the test process: no memory limit it could trip.
        MemorySize = 10240,
    };

    public async Task RunAsync(int steps, bool hangs)
    {
        // A sequence that may hang runs under a 3 s timeout: no body of megabytes, which a loaded machine could take
        // that long over.
        _hangs = hangs;
        for (int step = 0; step < steps && Hanging is null; step++)
        {
            await StepAsync();
            if (_pending is { Task.IsCompleted: true } early)
            {
                Fail($"invocation {early.Id} was answered before the model decided it: {Describe(await early.Task)}");
            }

            if (launcher.HasUnclaimedStart(function))
            {
                Fail("an environment was started that the model did not expect");
            }
        }

        if (Hanging is null)
        {
            await FinishAsync();
        }
    }

    private Task StepAsync()
    {
        List<(int Weight, Func<Task> Action)> choices = [];
        bool initialized = _phase is Phase.Idle or Phase.Parked or Phase.Busy;
        if (_pending is null)
        {
            choices.Add((_phase == Phase.None ? 60 : 25, InvokeAsync));
        }

        if (_gen is not null)
        {
            choices.Add((20, async () => await SingleAsync(NextItem(await PickConnectionAsync()))));
            choices.Add((_phase == Phase.Busy ? 30 : 4, async () => await SingleAsync(AnswerItem(await PickConnectionAsync(), ChooseId(), Size(), body: null))));
            choices.Add((_phase == Phase.Init ? 10 : 2, async () => await SingleAsync(InitErrorItem(await PickConnectionAsync()))));
            choices.Add((3, async () => await SingleAsync(WrongMethodItem(await PickConnectionAsync()))));
            choices.Add((3, async () => await SingleAsync(UnknownPathItem(await PickConnectionAsync()))));
            choices.Add((_hangs ? 0 : _phase == Phase.Busy ? 4 : 1, async () => await OversizedAsync(await PickConnectionAsync(), ChooseId())));
            choices.Add((_phase == Phase.Busy ? 4 : 1, async () => await TruncatedAsync(await PickConnectionAsync(), ChooseId())));
            choices.Add((3, ExitAsync));
            choices.Add((2, CloseIdleConnectionAsync));
            if (_phase == Phase.Parked)
            {
                choices.Add((4, CloseParkedConnectionAsync));
            }

            if (initialized)
            {
                choices.Add((8, PipelineAsync));
            }

            if (_hangs && _phase == Phase.Busy)
            {
                choices.Add((10, HangAsync));
            }
        }

        int pick = rng.Next(choices.Sum(c => c.Weight));
        foreach ((int weight, Func<Task> action) in choices)
        {
            if ((pick -= weight) < 0)
            {
                return action();
            }
        }

        throw new InvalidOperationException("unreachable");
    }

    private async Task InvokeAsync()
    {
        string id = RandomId();
        byte[] payload = Encoding.UTF8.GetBytes($$"""{"n":{{++_invocationCount}},"pad":"{{new string('p', rng.Next(100) < 90 || _hangs ? rng.Next(0, 2000) : rng.Next(64 * 1024, 1024 * 1024))}}"}""");
        Log($"invoke {id} ({payload.Length} B) in {_phase}");
        _pending = new Pending(id, payload, host.InvokeAsync(function, new Invocation(id, payload)));
        switch (_phase)
        {
            case Phase.None:
                await StartGenerationAsync(_nextSuppressed);
                break;
            case Phase.Parked:
                RawConnection parked = _parkedOn!;
                _parkedOn = null;
                await ReadEventAsync(parked);
                break;
        }
    }

    /// <summary>The host starts an environment for the pending invocation: a new process, reached on a new connection.</summary>
    private async Task StartGenerationAsync(bool suppressed)
    {
        FuzzProcess process = await launcher.NextStartAsync(function, Read);
        _gen = new Generation(process, suppressed);
        _phase = Phase.Init;
        Log($"  environment started at {process.Address}{(suppressed ? " (suppressed init)" : "")}");
        await NewConnectionAsync();
    }

    private async Task<RawConnection> NewConnectionAsync()
    {
        RawConnection connection = await RawConnection.ConnectAsync(_gen!.Process.Address, $"c{++_connectionCount}");
        _gen.Connections.Add(connection);
        _owner[connection] = _gen;
        return connection;
    }

    /// <summary>A connection of the current environment to send on: mostly the first open one, sometimes another or a new one.</summary>
    private async Task<RawConnection> PickConnectionAsync()
    {
        List<RawConnection> open = _gen!.Connections.FindAll(c => !c.Closed && c != _parkedOn);
        int roll = rng.Next(100);
        if (open.Count == 0 || roll < 8)
        {
            return await NewConnectionAsync();
        }

        return roll < 80 ? open[0] : open[rng.Next(open.Count)];
    }

    /// <summary>Reads the event a `next` gets and checks it against the pending invocation: the invocation is then delivered.</summary>
    private async Task ReadEventAsync(RawConnection connection)
    {
        Pending pending = _pending!;
        RawResponse? answer = await connection.ReadResponseAsync(Read);
        if (answer is not { Status: 200 })
        {
            Fail($"{connection.Name}: expected the event of {pending.Id}, got {Show(answer)}");
        }

        if (answer.Header("Lambda-Runtime-Aws-Request-Id") != pending.Id
            || !long.TryParse(answer.Header("Lambda-Runtime-Deadline-Ms"), out _)
            || answer.Header("Lambda-Runtime-Invoked-Function-Arn")?.EndsWith(":function:" + function, StringComparison.Ordinal) != true
            || !answer.Body.AsSpan().SequenceEqual(pending.Payload))
        {
            Fail($"{connection.Name}: the event of {pending.Id} does not match: {answer.Head}");
        }

        Log($"  {connection.Name} got the event of {pending.Id}");
        _phase = Phase.Busy;
        _gen!.Frozen = false;
    }

    /// <summary>The model decided the pending invocation: its answer must be <paramref name="expected"/>.</summary>
    private async Task SettleAsync(Outcome expected)
    {
        Pending pending = _pending!;
        _pending = null;
        InvocationResult result;
        try
        {
            result = await pending.Task.WaitAsync(Read);
        }
        catch (TimeoutException)
        {
            Fail($"invocation {pending.Id} was not answered within {Read.TotalSeconds} s; expected {Describe(expected)}");
            throw;
        }

        Check(pending.Id, result, expected);
        Log($"  invocation {pending.Id} answered {Describe(result)}");
    }

    internal static void Check(string id, InvocationResult result, Outcome expected)
    {
        bool matches = expected.ErrorType is null
            ? result.FunctionError is null && result.ErrorType is null
            : result.FunctionError == "Unhandled" && result.ErrorType == expected.ErrorType;
        if (!matches || !result.Payload.Span.SequenceEqual(expected.Payload))
        {
            Fail($"invocation {id} answered {Describe(result)}, expected {Describe(expected)}");
        }
    }

    /// <summary>The environment is reset (or dead): its connections may be told to exit or closed; the next invocation starts another.</summary>
    private async Task EndGenerationAsync(bool resetByInvocation)
    {
        Generation ended = _gen!;
        ended.Doomed = true;
        _gen = null;
        _phase = Phase.None;
        _parkedOn = null;
        // A reset keeps the environment for a re-init within the next invocation (a suppressed init); one that died
        // while idle leaves the pool, and the next invocation gets a new one.
        _nextSuppressed = resetByInvocation;
        if (rng.Next(100) < 30)
        {
            await DoomedProbeAsync(ended);
        }
    }

    /// <summary>A `next` on an environment that is being reset: it must not get an event; it may be told to exit (500), refused, or closed.</summary>
    private async Task DoomedProbeAsync(Generation doomed)
    {
        RawConnection? connection = doomed.Connections.Find(c => !c.Closed && !c.Equals(_parkedOn));
        if (connection is null)
        {
            try
            {
                connection = await RawConnection.ConnectAsync(doomed.Process.Address, $"c{++_connectionCount}");
            }
            catch (System.Net.Sockets.SocketException)
            {
                Log("  probe: the reset environment's Runtime API is gone");
                return;
            }

            doomed.Connections.Add(connection);
            _owner[connection] = doomed;
        }

        Log($"  probe: next on {connection.Name} of the reset environment");
        await connection.SendAsync(Encoding.ASCII.GetBytes("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"));
        await ExpectAsync(connection, "next on a reset environment", DoomedNext);
    }

    private async Task FinishAsync()
    {
        Log("finish");
        if (_pending is not null)
        {
            if (_phase is Phase.Init or Phase.Idle)
            {
                await SingleAsync(NextItem(await PickConnectionAsync()));
            }

            await SingleAsync(AnswerItem(await PickConnectionAsync(), _pending.Id, rng.Next(0, 100), body: null));
        }

        RawConnection? parked = _parkedOn;
        host.DeleteFunction(function);
        if (parked is not null)
        {
            // Deleting the function shuts the environment down: the waiting `next` is told to exit, or its connection closed.
            await ExpectAsync(parked, "parked next when the function is deleted", Exit500, ClosedAnswer);
        }

        foreach (RawConnection connection in _owner.Keys)
        {
            connection.Dispose();
        }
    }

    private void Log(string line) => log.Add(line);

    private string RandomId()
    {
        byte[] bytes = new byte[16];
        rng.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }

    private static string Describe(InvocationResult result) =>
        $"{result.FunctionError ?? "success"}/{result.ErrorType} {Clip(Encoding.UTF8.GetString(result.Payload.Span))}";

    private static string Describe(Outcome outcome) => $"{outcome.ErrorType ?? "success"} {Clip(Encoding.UTF8.GetString(outcome.Payload))}";

    private static string Show(RawResponse? answer) => answer is null ? "the connection closed" : Clip(answer.ToString());

    private static string Clip(string text) => text.Length <= 200 ? text : $"{text[..200]}... ({text.Length} chars)";

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(string message) => throw new FuzzFailure(message);
}

/// <summary>The host's answer differs from the model's.</summary>
internal sealed class FuzzFailure(string message) : Exception(message);
