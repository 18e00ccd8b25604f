using System.Diagnostics;
using System.Text.Json;

namespace Handshake.Bench.Reliability;

public sealed record KillNineOptions
{
    /// <summary>handshake.dll (run with dotnet) or the handshake executable.</summary>
    public required string Handshake { get; init; }

    public required string DataDirectory { get; init; }

    public int Cycles { get; init; } = 3;

    public int Workers { get; init; } = 8;

    /// <summary>The kill lands at a random moment between these two, after the server says it is up.</summary>
    public TimeSpan MinimumRun { get; init; } = TimeSpan.FromMilliseconds(300);

    public TimeSpan MaximumRun { get; init; } = TimeSpan.FromMilliseconds(1500);

    public int Seed { get; init; } = 6;

    public Action<string>? Log { get; init; }
}

public sealed record KillNineResult(int Cycles, long AcknowledgedWrites, long Puts, long Transactions, long Increments,
    long Lost, long Torn, long CounterViolations, bool TransactionsCovered, IReadOnlyList<string> Problems);

/// <summary>
/// Durability under kill -9: `handshake up` on a data directory, concurrent writers recording every acknowledged
/// write, SIGKILL at a random moment, restart, and a check of everything acknowledged so far. Repeated for N cycles
/// on the same directory, then a last restart and check.
/// </summary>
public static class KillNineHarness
{
    public static async Task<KillNineResult> RunAsync(KillNineOptions options, CancellationToken cancellationToken = default)
    {
        KillNineLedger ledger = new();
        Random random = new(options.Seed);
        bool transactions = true;
        long lost = 0, torn = 0, counterViolations = 0;
        List<string> problems = [];
        for (int cycle = 0; cycle <= options.Cycles; cycle++)
        {
            using Process server = HandshakeUp.Start(options.Handshake, options.DataDirectory);
            try
            {
                Uri endpoint = await HandshakeUp.WaitUntilUpAsync(server, cancellationToken).ConfigureAwait(false);
                using HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = options.Workers + 1 }) { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(30) };
                StoreHttp store = new(http);
                if (cycle == 0)
                {
                    await KillNineWorkload.CreateTablesAsync(store, cancellationToken).ConfigureAwait(false);
                    transactions = await SupportsTransactionsAsync(store, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    KillNineCheck check = await KillNineVerifier.CheckAsync(store, ledger, cancellationToken).ConfigureAwait(false);
                    lost += check.Lost;
                    torn += check.Torn;
                    counterViolations += check.CounterViolations;
                    problems.AddRange(check.Problems.Select(p => $"cycle {cycle}: {p}"));
                    options.Log?.Invoke($"restart {cycle}: {ledger.AcknowledgedWrites} acknowledged so far, lost {check.Lost}, torn {check.Torn}, counters out of bounds {check.CounterViolations}");
                }

                if (cycle == options.Cycles)
                {
                    break; // the last restart only checks.
                }

                using CancellationTokenSource killed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                Task[] workers = new Task[options.Workers];
                for (int w = 0; w < workers.Length; w++)
                {
                    workers[w] = KillNineWorkload.RunWorkerAsync(store, ledger, $"c{cycle}w{w}", random.Next(), transactions, killed.Token);
                }

                TimeSpan run = options.MinimumRun + (options.MaximumRun - options.MinimumRun) * random.NextDouble();
                await Task.Delay(run, cancellationToken).ConfigureAwait(false);
                server.Kill(); // SIGKILL on Linux: no shutdown code runs, as in a crash or the OOM killer.
                await server.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
                await killed.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (!server.HasExited)
                {
                    server.Kill(entireProcessTree: true);
                    server.WaitForExit(TimeSpan.FromSeconds(10));
                }
            }
        }

        long increments = 0;
        for (int i = 0; i < KillNineLedger.Counters; i++) increments += Interlocked.Read(ref ledger.AcknowledgedIncrements[i]);
        return new KillNineResult(options.Cycles, ledger.AcknowledgedWrites, ledger.Puts.Count, ledger.Transactions.Count, increments,
            lost, torn, counterViolations, transactions, problems);
    }

    private static async Task<bool> SupportsTransactionsAsync(StoreHttp store, CancellationToken cancellationToken)
    {
        (int _, JsonDocument? body) = await store.CallAsync("TransactWriteItems", "{\"TransactItems\":[]}", cancellationToken).ConfigureAwait(false);
        using (body)
        {
            return body?.RootElement.TryGetProperty("__type", out JsonElement type) != true
                || type.GetString()?.EndsWith("#UnknownOperationException", StringComparison.Ordinal) != true;
        }
    }
}
