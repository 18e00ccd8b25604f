using System.Diagnostics;
using Handshake.Lambda.Environments;
using Xunit.Abstractions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// A seeded, bounded state-machine fuzz of the Runtime API (<see cref="RuntimeApiFuzzSequence"/>): on one host, each
/// sequence creates a function whose runtime the test plays over raw sockets (no process), makes Invoke calls, and
/// sends random Runtime API calls in random states: `next` (twice, on a second connection), answers for the right, a
/// wrong, an answered, a queued or a malformed id, with and without an error type, bodies from empty to one byte over
/// 6 MiB + 100 B, Content-Length and chunked, init errors before and after the first `next`, wrong methods, unknown
/// paths and versions, pipelined calls, connections closed or reset mid-body, exits and hangs. Every answer, and every
/// invocation's result, is checked against the model; each invocation is answered once, with the first accepted answer
/// or Lambda's error; no environment outlives its reset; the host serves a real function afterwards, and leaves no
/// process. A failure names its seed and sequence and lists the steps so far; RAPIFUZZ_REPLAY=SEED:SEQUENCE runs that
/// sequence alone. What it found is in <see cref="RuntimeApiFindingsTests"/>.
/// </summary>
public sealed class RuntimeApiFuzzTests(ITestOutputHelper output)
{
    private const int SequencesPerSeed = 100;

    [Theory]
    [InlineData(20261129)]
    [InlineData(1129)]
    [InlineData(505)]
    public async Task Random_Runtime_API_call_sequences_get_the_answers_the_model_gives(int seed)
    {
        (int Seed, int Sequence)? replay = Replay();
        if (replay is { } only && only.Seed != seed)
        {
            return;
        }

        Stopwatch clock = Stopwatch.StartNew();
        using OrphanGuard guard = new();
        FuzzLauncher launcher = new(new ProcessGroupLauncher(guard));
        TestHost test = TestHost.Start(new FunctionHostOptions { RuntimeApiHeadTimeout = TimeSpan.FromSeconds(5) }, launcher);
        List<(string Function, int Sequence, Task<InvocationResult> Task, RuntimeApiFuzzSequence.Outcome Expected, string Id, List<string> Log)> hangs = [];
        int steps = 0;
        SortedDictionary<string, int> tally = [];
        List<(double Ms, int Sequence)> slowest = [];
        try
        {
            for (int sequence = 0; sequence < SequencesPerSeed; sequence++)
            {
                if (replay is { } one && one.Sequence != sequence)
                {
                    continue;
                }

                Random rng = new(unchecked((seed * 1009) + sequence));
                bool mayHang = rng.Next(100) < 4;
                string function = $"{FuzzLauncher.Prefix}{sequence}";
                test.Host.CreateFunction(RuntimeApiFuzzSequence.Definition(function, mayHang));
                List<string> log = [$"function {function}, timeout {(mayHang ? RuntimeApiFuzzSequence.HangTimeoutSeconds : 60)} s"];
                RuntimeApiFuzzSequence run = new(test.Host, launcher, rng, function, log);
                long began = Stopwatch.GetTimestamp();
                try
                {
                    await run.RunAsync(rng.Next(4, 16), mayHang);
                }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException(Report(seed, sequence, log, e));
                }

                slowest.Add((Stopwatch.GetElapsedTime(began).TotalMilliseconds, sequence));
                if (sequence % 25 == 24)
                {
                    // A real function (a bash runtime, a child process) is served between the played ones.
                    await test.AssertServesAnotherFunctionAsync();
                }

                steps += log.Count;
                Tally(log, tally);
                if (run.Hanging is { } hang)
                {
                    hangs.Add((function, sequence, hang.Task, hang.Expected, hang.Id, log));
                }
            }

            // The hung invocations time out meanwhile, while the other sequences run.
            foreach ((string function, int sequence, Task<InvocationResult> task, RuntimeApiFuzzSequence.Outcome expected, string id, List<string> log) in hangs)
            {
                try
                {
                    RuntimeApiFuzzSequence.Check(id, await task.WaitAsync(TestHost.Wait), expected);
                }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException(Report(seed, sequence, log, e));
                }

                test.Host.DeleteFunction(function);
            }

            await test.AssertServesAnotherFunctionAsync();
        }
        finally
        {
            await test.DisposeAsync();
        }

        Assert.Empty(launcher.Violations);
        Assert.All(launcher.All, process => Assert.True(process.Exited.IsCompleted, $"the environment at {process.Address} was left running"));
        output.WriteLine($"seed {seed}: {SequencesPerSeed} sequences, {steps} log lines, {hangs.Count} timeouts, {clock.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(string.Join(", ", tally.Select(t => $"{t.Key}: {t.Value}")));
        output.WriteLine("slowest: " + string.Join(", ", slowest.OrderByDescending(s => s.Ms).Take(8).Select(s => $"#{s.Sequence} {s.Ms:0} ms")) + $"; all {slowest.Sum(s => s.Ms):0} ms");
    }

    /// <summary>What the sequences did, counted from their logs: the statuses answered and the faults played.</summary>
    private static void Tally(List<string> log, SortedDictionary<string, int> tally)
    {
        foreach (string line in log)
        {
            int at = line.IndexOf(" <- ", StringComparison.Ordinal);
            string? key = at >= 0 ? "answer " + (line.EndsWith("closed", StringComparison.Ordinal) ? "closed" : line[(at + 4)..].Split(' ')[0])
                : line.Contains("runtime exits in ", StringComparison.Ordinal) ? line[line.IndexOf("exits in ", StringComparison.Ordinal)..]
                : line.Contains("pipelined in", StringComparison.Ordinal) ? "pipelined"
                : line.Contains("while its next waits", StringComparison.Ordinal) ? "waiting next's connection closed"
                : line.Contains("over the limit", StringComparison.Ordinal) ? "over the limit"
                : line.Contains(" cut after ", StringComparison.Ordinal) ? "cut by " + (line.Contains("by RST", StringComparison.Ordinal) ? "RST" : "FIN")
                : line.Contains("init retried", StringComparison.Ordinal) ? "init retried"
                : line.Contains("got the event", StringComparison.Ordinal) ? "event"
                : line.Contains("waits in next", StringComparison.Ordinal) ? "parked"
                : line.Contains("runtime hangs", StringComparison.Ordinal) ? "hang"
                : line.Contains("probe:", StringComparison.Ordinal) ? "probe"
                : null;
            if (key is not null)
            {
                tally[key] = tally.GetValueOrDefault(key) + 1;
            }
        }
    }

    private static string Report(int seed, int sequence, List<string> log, Exception e) =>
        $"Runtime API fuzz: seed {seed}, sequence {sequence} (replay alone with RAPIFUZZ_REPLAY={seed}:{sequence}): "
        + (e is FuzzFailure ? e.Message : e.ToString()) + "\nThe sequence so far:\n  " + string.Join("\n  ", log);

    private static (int Seed, int Sequence)? Replay()
    {
        string? value = Environment.GetEnvironmentVariable("RAPIFUZZ_REPLAY");
        int colon = value?.IndexOf(':') ?? -1;
        return colon > 0 && int.TryParse(value![..colon], out int seed) && int.TryParse(value[(colon + 1)..], out int sequence) ? (seed, sequence) : null;
    }
}
