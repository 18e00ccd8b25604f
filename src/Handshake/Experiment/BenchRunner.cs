using System.Diagnostics;
using Handshake.Lambda;
using Handshake.Network.Link;

namespace Handshake.Experiment;

/// <summary>
/// Runs the modes one after another against one endpoint: the in-process Handshake (store and function host on a
/// durable store in a temporary directory) or a running one given with --endpoint. Each mode gets its own table and
/// function, so its connections, REPORT lines and records are counted apart.
/// </summary>
internal sealed class BenchRunner(BenchOptions options, BenchConsole console)
{
    /// <summary>The names of the bench's functions: bench-MODE-RUNID.</summary>
    public const string FunctionPrefix = "bench-";

    private static readonly TimeSpan CollectTimeout = TimeSpan.FromSeconds(20);
    private readonly Dictionary<BenchMode, string> _skipped = [];

    public async Task<BenchRun> RunAsync(CancellationToken cancellationToken)
    {
        BenchRun run = new(options);
        string repository = SamplePackages.FindRepositoryRoot();
        SamplePackages packages = new(repository, console.Message);
        Dictionary<BenchMode, string> code = await PrepareAsync(run, packages, cancellationToken).ConfigureAwait(false);

        // Each mode gets a fresh in-process Handshake (its own port, store directory, ledger and function host), so that
        // nothing one mode leaves behind (environments, TIME_WAIT on the port, account slots) weighs on the next.
        string? temporary = options.Endpoint is null && options.DataDirectory is null
            ? Path.Combine(Path.GetTempPath(), "handshake-bench-" + Guid.NewGuid().ToString("N")[..12])
            : null;
        using StoreLatencyListener? storeLatency = options.Endpoint is null ? new StoreLatencyListener() : null;
        using BenchEndpoint? remote = options.Endpoint is { } uri ? new BenchEndpoint(uri, options.Credentials) : null;
        try
        {
            if (remote is not null)
            {
                await remote.CheckReachableAsync(cancellationToken).ConfigureAwait(false);
                run.InvokePath = $"the Invoke API of {remote.Endpoint} over HTTP (another process)";
                run.StoreEndpoint = remote.Endpoint.GetLeftPart(UriPartial.Authority);
            }
            else
            {
                run.InvokePath = options.InvokeInProcess
                    ? "FunctionHost.InvokeAsync (the Invoke API without its HTTP hop) of a fresh in-process Handshake per mode"
                    : "the Invoke API over loopback HTTP of a fresh in-process Handshake per mode";
            }

            string runId = Guid.NewGuid().ToString("N")[..6];
            foreach (BenchMode mode in options.Modes)
            {
                ModeResult result = new(mode) { Requested = options.Invocations };
                run.Results.Add(result);
                if (!code.TryGetValue(mode, out string? directory))
                {
                    result.SkippedBecause = _skipped.GetValueOrDefault(mode, "its code could not be prepared");
                    continue;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    result.SkippedBecause = $"stopped by {StopSignal.Name} before it started";
                    continue;
                }

                if (remote is not null)
                {
                    await RunModeAsync(remote, null, null, result, directory, runId, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                string dataDirectory = Path.Combine(options.DataDirectory ?? temporary!, mode.Name);
                await using BenchServer server = await BenchServer.StartAsync(options, dataDirectory, run, cancellationToken).ConfigureAwait(false);
                using BenchEndpoint endpoint = new(server.Server.Endpoint, options.Credentials);
                result.StoreEndpoint = server.FunctionStoreEndpoint;
                await RunModeAsync(endpoint, server, storeLatency, result, directory, runId, cancellationToken).ConfigureAwait(false);
            }

            foreach (ModeResult result in run.Results)
            {
                NotePortExhaustion(run, result);
            }

            run.Cancelled = cancellationToken.IsCancellationRequested;
            return run;
        }
        finally
        {
            if (temporary is not null && Directory.Exists(temporary))
            {
                try
                {
                    Directory.Delete(temporary, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private async Task<Dictionary<BenchMode, string>> PrepareAsync(BenchRun run, SamplePackages packages, CancellationToken cancellationToken)
    {
        Dictionary<BenchMode, string> code = [];
        string? nodeProblem = null;
        if (options.Modes.Any(m => m.NeedsNode))
        {
            (run.NodeVersion, nodeProblem) = await SamplePackages.ProbeNodeAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (BenchMode mode in options.Modes)
        {
            string? problem = mode.NeedsNode ? nodeProblem : null;
            if (problem is null)
            {
                try
                {
                    TimeSpan? timeout = mode.Package == SamplePackage.DotnetAot ? options.AotPublishTimeout : null;
                    code[mode] = await packages.PrepareAsync(mode.Package, timeout, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                catch (ExperimentException e)
                {
                    problem = e.Message;
                }
            }

            if (!options.SkipUnavailableModes)
            {
                throw new ExperimentException($"mode {mode.Name}: {problem}");
            }

            console.Message($"Skipping {mode.Name}: {problem}");
            _skipped[mode] = problem!;
        }

        return code;
    }

    private async Task RunModeAsync(BenchEndpoint endpoint, BenchServer? server, StoreLatencyListener? storeLatency, ModeResult result,
        string codeDirectory, string runId, CancellationToken cancellationToken)
    {
        BenchMode mode = result.Mode;
        string name = $"{FunctionPrefix}{mode.Name}-{runId}";
        string table = name;
        await endpoint.CreateTableAsync(table, cancellationToken).ConfigureAwait(false);
        Dictionary<string, string> environment = new(mode.Environment)
        {
            ["TABLE_NAME"] = table,
            // Names the bench process in every environment, so that a test can prove none outlives it.
            ["HANDSHAKE_BENCH_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (string profiling in (string[])["DOTNET_PerfMapEnabled", "DOTNET_EnableWriteXorExecute"])
        {
            // Profiling the bench with perf: the functions' JIT frames resolve only if they write perf maps as well
            // (and keep their code out of W^X's double mapping, which perf cannot name).
            if (Environment.GetEnvironmentVariable(profiling) is { Length: > 0 } value)
            {
                environment[profiling] = value;
            }
        }

        if (server?.Server.CertificatePemPath is { } pem && options.Tls)
        {
            // Trust the self-signed certificate: Node through NODE_EXTRA_CA_CERTS, .NET (OpenSSL) through SSL_CERT_FILE.
            environment["NODE_EXTRA_CA_CERTS"] = pem;
            environment["SSL_CERT_FILE"] = pem;
        }

        await endpoint.CreateFunctionAsync(name, mode, codeDirectory, environment, options.ReservedConcurrency, cancellationToken).ConfigureAwait(false);
        EmulatedLink? link = server?.Link;
        long resetsBefore = link?.Resets ?? 0;
        result.StoreLatency = storeLatency?.Begin();

        using CancellationTokenSource observe = new();
        ReportLogTail logs = new(endpoint, name);
        Task logTask = logs.RunAsync(observe.Token);
        int storePort = server?.StorePort ?? endpoint.Endpoint.Port;
        Task samplerTask = SampleAsync(endpoint, server, name, storePort, result, observe.Token);

        int bursts = options.FreezeGap is null ? 1 : options.Gaps + 1;
        LoadLoop loop = options.InvokeInProcess && server is not null
            ? new((payload, ct) => InvokeInProcessAsync(server.Server.Functions, name, payload, ct), null, result, options.Concurrency, bursts, options.FreezeGap ?? TimeSpan.Zero)
            : new(null, () => new InvokeConnection(endpoint.Endpoint, name, server is null ? options.Credentials : null), result, options.Concurrency, bursts, options.FreezeGap ?? TimeSpan.Zero);
        Task loopTask = loop.RunAsync(options.Invocations, cancellationToken);
        await console.TrackAsync(result, loop, loopTask).ConfigureAwait(false);
        await loopTask.ConfigureAwait(false);
        storeLatency?.End();

        // Collect with a fresh deadline: after Ctrl-C the run's token is cancelled, and the partial numbers still count.
        using CancellationTokenSource collect = new(CollectTimeout);
        await observe.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(logTask, samplerTask).ConfigureAwait(false);
        try
        {
            await logs.DrainAsync(collect.Token).ConfigureAwait(false);
            (result.ConnectionsOpened, result.TlsConnections, result.EnvironmentsConnected, result.StoreRequests) =
                await endpoint.FunctionConnectionsAsync(name, collect.Token).ConfigureAwait(false);
            result.ItemsInTable = await endpoint.ItemCountAsync(table, collect.Token).ConfigureAwait(false);
            // The final count, at the load's end, or at the last sample if the sampler (which runs on until the
            // collection, on its own clock) got past it: the timeline's time never runs backwards.
            result.Timeline.Add((Math.Max(result.Elapsed.TotalSeconds, result.Timeline.Count > 0 ? result.Timeline[^1].Seconds : 0), result.ConnectionsOpened));
            await endpoint.DeleteFunctionAsync(name, collect.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or ExperimentException)
        {
            console.Message($"{mode.Name}: could not collect every count: {e.Message}");
        }

        result.ReportLines = logs.ReportLines;
        result.EnvironmentsStarted = logs.ColdStarts;
        result.ReportedNewConnections = logs.NewConnectionsTotal;
        result.LogEventsMissed = logs.Missed;
        if (link is not null)
        {
            result.Resets = link.Resets - resetsBefore;
        }

        console.ModeFinished(result);
    }

    /// <summary>EADDRNOTAVAIL means the client ran out of ephemeral ports: say so in the report, with this machine's range.</summary>
    private static void NotePortExhaustion(BenchRun run, ModeResult result)
    {
        long failed = result.ErrorTypes.Where(e => e.Key.Contains("(EADDRNOTAVAIL)", StringComparison.Ordinal)).Sum(e => e.Value);
        if (failed == 0)
        {
            return;
        }

        string range = "";
        try
        {
            string[] bounds = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (bounds.Length == 2 && int.TryParse(bounds[0], out int low) && int.TryParse(bounds[1], out int high))
            {
                range = $" (ip_local_port_range {low}-{high}: {high - low + 1:N0} ports per destination)";
            }
        }
        catch (IOException)
        {
        }

        run.Notes.Add($"{result.Mode.Name}: {failed:N0} invocations failed with EADDRNOTAVAIL: the function's side ran out of ephemeral ports{range}, " +
            "each held for 60 s in TIME_WAIT after a connection it closed. They are counted as errors and the run went on; with reuse this cannot happen " +
            "(README: TIME_WAIT and the ephemeral ports).");
    }

    /// <summary>FunctionHost.InvokeAsync directly: what the Invoke API does, without its HTTP hop.</summary>
    private static async Task<string?> InvokeInProcessAsync(FunctionHost host, string name, byte[] payload, CancellationToken cancellationToken)
    {
        InvocationResult answer = await host.InvokeAsync(name, new Invocation(Guid.NewGuid().ToString(), payload), cancellationToken).ConfigureAwait(false);
        return answer.FunctionError is null ? null : BenchEndpoint.ClassifyError(answer.Payload.Span);
    }

    /// <summary>
    /// What the Store conns column counts, so that the timeline ends where the column does: the connections of the
    /// function's environments in the store's ledger (by their access keys), never the bench's own Invoke connections
    /// or another client's. In process the ledger is read directly; with --endpoint through /_handshake/connections,
    /// which serves the same figure.
    /// </summary>
    private static async Task<long> FunctionConnectionsOpenedAsync(BenchEndpoint endpoint, BenchServer? server, string name, CancellationToken stop) =>
        server is not null
            ? server.Server.Connections.Snapshot().Functions.FirstOrDefault(f => f.FunctionName == name)?.Totals.Opened ?? 0
            : (await endpoint.FunctionConnectionsAsync(name, stop).ConfigureAwait(false)).Opened;

    /// <summary>
    /// The function's store connections over time (for the chart: cumulative, so it never falls) and the peak of
    /// TIME_WAIT sockets on the store's port.
    /// </summary>
    private static async Task SampleAsync(BenchEndpoint endpoint, BenchServer? server, string name, int storePort, ModeResult result, CancellationToken stop)
    {
        long start = Stopwatch.GetTimestamp();
        TimeSpan interval = TimeSpan.FromMilliseconds(server is null ? 1000 : 250);
        long peakTimeWait = -1;
        double nextTimeWait = 1;
        result.TimeWaitAtStart = TimeWaitCounter.Count(storePort);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(interval, stop).ConfigureAwait(false);
                long opened = await FunctionConnectionsOpenedAsync(endpoint, server, name, stop).ConfigureAwait(false);
                result.Timeline.Add((Stopwatch.GetElapsedTime(start).TotalSeconds, opened));
                if (result.Timeline.Count >= 1200)
                {
                    // Bounded memory on long runs: keep every other point and sample half as often.
                    List<(double, long)> kept = [.. result.Timeline.Where((_, i) => i % 2 == 0)];
                    result.Timeline.Clear();
                    result.Timeline.AddRange(kept);
                    interval *= 2;
                }

                // Reading /proc/net/tcp walks the kernel's whole socket table (about 14 ms of CPU here): once a second
                // is enough for a peak that builds up over TIME_WAIT's 60 s, and after two minutes, when it has
                // levelled off, once every 5 s (perf: 1.4% of the process's CPU on a long run at once a second).
                double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (server is null || elapsed >= nextTimeWait)
                {
                    peakTimeWait = Math.Max(peakTimeWait, TimeWaitCounter.Count(storePort));
                    nextTimeWait = elapsed + (elapsed < 120 ? 1 : 5);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
        {
        }

        result.PeakTimeWait = Math.Max(peakTimeWait, TimeWaitCounter.Count(storePort));
    }
}
