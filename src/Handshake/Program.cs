using System.CommandLine;
using Handshake.Commands;

// The `handshake` executable is a thin shell: each verb parses its options and calls into the libraries
// (Handshake.Dynamo, Handshake.Lambda, Handshake.Network). Composition lives in HandshakeServer, not here.
// bench and demo run the load generator, the host, the store and (in other processes) the functions on the same cores:
// a thread-pool worker spinning for its next work item burns CPU that one of the others needs (measured: about a
// quarter of this process's CPU at 1,000 invocations/s on 2 cores). Read when the thread pool starts, so set first.
if (args is ["bench" or "demo", ..])
{
    AppContext.SetData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", 0);
}

// `up` runs the Runtime API's sockets' completions on the socket engine's thread instead of queuing each to the thread
// pool: the Runtime API never blocks (it writes inline and answers from its own state), and a function's answer then
// reaches the Invoke call's event loop with no thread-pool worker woken for it. Measured on a warm no-op invocation
// (2026-11-27 07:46 UTC, 3,000 sequential calls): thread-pool workers woke 45 times and used 178 µs of CPU per
// invocation without it, 0.2 times and 4 µs with it. Kestrel's own connections still run their requests on the
// thread pool (their pipes' scheduler). Read once, when the first socket is made: set first. Functions do not inherit
// it (their environment is Lambda's, built from scratch).
if (args is ["up", ..] && Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

// Ctrl-C, SIGTERM and SIGQUIT cancel `stop`, the token every verb's action gets; a verb that stops cleanly within 10 s exits
// normally, one that does not is ended then (StopSignal). Taken here, before anything starts, and not by
// System.CommandLine, which registers its handlers only once the action has returned its first unfinished task: `up`
// has started Kestrel by then, whose host lifetime also took SIGTERM and swallowed it (it no longer does:
// EmbeddedLifetime), so a SIGTERM in between was lost and `up` kept running (StopSignal says more). bench and demo return 130 themselves when stopped, whichever signal
// it was, and their report names it; the other verbs are ended as System.CommandLine would have: 130 or 143 (131 for SIGQUIT).
bool experiment = args is ["bench" or "demo", ..];
using CancellationTokenSource stop = new();
using IDisposable stopSignal = Handshake.Experiment.StopSignal.Watch(stop, interruptExit: 130, terminateExit: experiment ? 130 : 143, quitExit: experiment ? 130 : 131);

RootCommand root = Verbs.CreateRoot();

// System.CommandLine's own signal handling is off: StopSignal (above) has both signals.
InvocationConfiguration invocation = new() { ProcessTerminationTimeout = null };
ParseResult parsed = root.Parse(args.Length == 0 ? ["--help"] : args);

// A mistyped option is one line on stderr, not a page of help (`handshake VERB --help` shows that).
if (parsed.UnmatchedTokens.Count > 0)
{
    await Console.Error.WriteLineAsync($"handshake: unknown command or option '{parsed.UnmatchedTokens[0]}' (see handshake --help)");
    return 1;
}

if (parsed.Errors.Count > 0)
{
    foreach (System.CommandLine.Parsing.ParseError error in parsed.Errors)
    {
        await Console.Error.WriteLineAsync($"handshake: {error.Message}");
    }

    return 1;
}

return await parsed.InvokeAsync(invocation, stop.Token);
