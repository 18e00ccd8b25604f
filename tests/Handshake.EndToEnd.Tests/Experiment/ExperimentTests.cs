using Handshake.Experiment;

namespace Handshake.EndToEnd.Tests.Experiment;

/// <summary>
/// The seed's experiment, counted: each mode's put-record function runs in the in-process Handshake, and the store's
/// own connection accounting, the REPORT lines and the table must agree. Counts only, never times. One class, so that
/// the runs (each a few child processes) never overlap on the 2-core machine.
/// </summary>
public sealed class ExperimentTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(150);

    private static async Task<BenchRun> BenchAsync(string modes, int invocations, int concurrency = 2, TimeSpan? freezeGap = null, TimeSpan? idle = null,
        bool tls = false, TimeSpan? linkRtt = null, Uri? endpoint = null, Handshake.Commands.ClientCredentials? credentials = null, string? dataDirectory = null)
    {
        Assert.True(BenchMode.TryParseList(modes, out List<BenchMode> selected, out string? error), error);
        BenchOptions options = new()
        {
            Modes = selected,
            Invocations = invocations,
            Concurrency = concurrency,
            FreezeGap = freezeGap,
            StoreIdleTimeout = idle,
            Tls = tls,
            LinkRtt = linkRtt,
            Endpoint = endpoint,
            Credentials = credentials ?? Handshake.Commands.ClientCredentials.FromEnvironment(),
            DataDirectory = dataDirectory,
        };
        BenchRun run = await new BenchRunner(options, new BenchConsole()).RunAsync(CancellationToken.None).WaitAsync(RunTimeout);
        Assert.Equal(selected.Count, run.Results.Count);
        foreach (ModeResult result in run.Results)
        {
            Assert.Null(result.SkippedBecause);
            Assert.Equal(invocations, result.Completed);
            Assert.Equal(0, result.Errors);
            // Every invocation's record is in the table, and the REPORT lines add up to the store's own count.
            Assert.Equal(invocations, result.ItemsInTable);
            Assert.Equal(invocations, result.ReportLines);
            Assert.Equal(result.ConnectionsOpened, result.ReportedNewConnections);
            Assert.InRange(result.EnvironmentsStarted, 1, concurrency);
            // The connections timeline (--json, --html) counts what Store conns counts, cumulatively: the function's
            // connections only (never the bench's own Invoke connections), so it never falls, and ends on the column.
            Assert.Equal(result.ConnectionsOpened, result.Timeline[^1].Opened);
            Assert.Equal(0, result.Timeline.Zip(result.Timeline.Skip(1)).Count(p => p.Second.Opened < p.First.Opened || p.Second.Seconds < p.First.Seconds));
        }

        return run;
    }

    [Fact]
    public async Task With_reuse_the_store_sees_one_connection_per_environment()
    {
        BenchRun run = await BenchAsync("node-v2-reuse,node-v3,dotnet", invocations: 30);

        foreach (ModeResult result in run.Results)
        {
            Assert.Equal(result.EnvironmentsStarted, result.ConnectionsOpened);
            Assert.Equal(result.EnvironmentsStarted, result.EnvironmentsConnected);
        }
    }

    [Fact]
    public async Task A_data_directory_with_a_killed_runs_function_still_benches_and_is_cleaned_up()
    {
        string data = Directory.CreateTempSubdirectory("handshake-bench-data-").FullName;
        try
        {
            // What a bench killed before its cleanup leaves in the mode's lambda.db: a function holding every slot of
            // the account's concurrency, which would make this run's PutFunctionConcurrency fail.
            string lambda = Path.Combine(data, "dotnet", "lambda");
            await using (Handshake.Lambda.FunctionHost host = new(new Handshake.Lambda.FunctionHostOptions { DataDirectory = lambda }))
            {
                host.CreateFunction(new Handshake.Lambda.Functions.FunctionDefinition
                {
                    Name = "bench-dotnet-killed",
                    Runtime = "dotnet8",
                    CodeDirectory = data,
                    ReservedConcurrency = Handshake.Lambda.FunctionHostOptions.DefaultAccountConcurrencyLimit,
                });
            }

            await BenchAsync("dotnet", invocations: 10, dataDirectory: data);

            await using Handshake.Lambda.FunctionHost after = new(new Handshake.Lambda.FunctionHostOptions { DataDirectory = lambda });
            Assert.Empty(after.ListFunctions());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Without_reuse_the_store_sees_one_connection_per_invocation()
    {
        BenchRun run = await BenchAsync("node-v2,dotnet-no-reuse", invocations: 30);

        foreach (ModeResult result in run.Results)
        {
            Assert.Equal(30, result.ConnectionsOpened);
        }

        // The same counts in --json, and a self-contained --html (inline SVG, no script, nothing fetched).
        string directory = Directory.CreateTempSubdirectory("handshake-bench-report-").FullName;
        try
        {
            string json = Path.Combine(directory, "bench.json");
            string html = Path.Combine(directory, "bench.html");
            await BenchJson.WriteAsync(run, json);
            await BenchHtml.WriteAsync(run, html);
            using System.Text.Json.JsonDocument document = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(json));
            System.Text.Json.JsonElement[] modes = [.. document.RootElement.GetProperty("modes").EnumerateArray()];
            Assert.Equal(["node-v2", "dotnet-no-reuse"], modes.Select(m => m.GetProperty("mode").GetString()));
            Assert.All(modes, m => Assert.Equal(30, m.GetProperty("storeConnections").GetInt64()));
            Assert.All(modes, m => Assert.True(m.GetProperty("allRecordsLanded").GetBoolean()));
            string page = await File.ReadAllTextAsync(html);
            Assert.Equal(3, page.Split("<svg ").Length - 1);
            Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("src=", page, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task With_endpoint_the_bench_drives_a_running_handshake_and_counts_the_same()
    {
        await using Handshake.Composition.HandshakeServer server = await ComposedServer.StartAsync();

        BenchRun run = await BenchAsync("dotnet,dotnet-no-reuse", invocations: 12, endpoint: server.Endpoint);

        Assert.Equal(run.Results[0].EnvironmentsStarted, run.Results[0].ConnectionsOpened);
        Assert.Equal(12, run.Results[1].ConnectionsOpened);
        // The store is another process's: its latency is not measured here, and the report says so.
        Assert.All(run.Results, r => Assert.Null(r.StoreLatencyMs(50)));
        Assert.Contains("another process", run.InvokePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_endpoint_the_bench_signs_its_requests_so_that_a_strict_up_takes_them()
    {
        await using Handshake.Composition.HandshakeServer server = await ComposedServer.StartAsync(auth: Handshake.Network.SigV4.AuthMode.Strict);

        // The key `handshake up` prints, which the bench signs with when the environment names none.
        BenchRun run = await BenchAsync("dotnet", invocations: 6, endpoint: server.Endpoint,
            credentials: new(Handshake.Commands.UpCommand.AccessKeyId, new(Handshake.Commands.UpCommand.SecretAccessKey), "us-east-1"));
        Assert.Equal(run.Results[0].EnvironmentsStarted, run.Results[0].ConnectionsOpened);

        // A key the strict store does not know is refused at the first call, in one line: it is the signature that passes.
        Assert.True(BenchMode.TryParseList("dotnet", out List<BenchMode> modes, out _));
        BenchOptions stranger = new() { Modes = modes, Invocations = 1, Endpoint = server.Endpoint, Credentials = new("AKIDNOBODY", new("secret"), "us-east-1") };
        ExperimentException refused = await Assert.ThrowsAsync<ExperimentException>(() => new BenchRunner(stranger, new BenchConsole()).RunAsync(CancellationToken.None).WaitAsync(RunTimeout));
        Assert.Contains("UnrecognizedClientException", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_demo_concludes_in_one_sentence_from_the_measured_numbers()
    {
        ModeResult problem = Measured("node-v2", connections: 2000, medianMicros: 9000);
        ModeResult fix = Measured("node-v2-reuse", connections: 4, medianMicros: 3000);
        Assert.Equal(
            $"Measured here: node-v2 opened 1,000 store connections per 1,000 invocations and node-v2-reuse 2.0, so setting AWS_NODEJS_CONNECTION_REUSE_ENABLED=1 " +
            $"saved 1,996 of 2,000 TCP handshakes and cut the median invocation from {problem.LatencyMs(50):F2} ms to {fix.LatencyMs(50):F2} ms " +
            $"({problem.LatencyMs(50) / fix.LatencyMs(50):F1}x faster).",
            Handshake.Commands.DemoCommand.Conclusion([problem, fix]));

        // Without Node.js the .NET pair speaks; a reuse that did not lower the median is said as measured.
        ModeResult dotnetProblem = Measured("dotnet-no-reuse", connections: 2000, medianMicros: 2000);
        ModeResult dotnetFix = Measured("dotnet", connections: 4, medianMicros: 2500);
        string? sentence = Handshake.Commands.DemoCommand.Conclusion([dotnetFix, dotnetProblem]);
        Assert.NotNull(sentence);
        Assert.StartsWith("Measured here: dotnet-no-reuse opened 1,000 store connections per 1,000 invocations and dotnet 2.0, so building the AWS SDK client once per environment saved 1,996 of 2,000 TCP handshakes and left the median invocation at ", sentence, StringComparison.Ordinal);
        Assert.Null(Handshake.Commands.DemoCommand.Conclusion([dotnetFix]));
    }

    private static ModeResult Measured(string mode, long connections, long medianMicros)
    {
        Assert.True(BenchMode.TryParseList(mode, out List<BenchMode> parsed, out _));
        ModeResult result = new(parsed[0]) { Requested = 2000, Completed = 2000, ConnectionsOpened = connections, ItemsInTable = 2000 };
        for (int i = 0; i < 2000; i++)
        {
            result.Latency.RecordValue(medianMicros);
        }

        return result;
    }

    [Fact]
    public async Task A_freeze_gap_longer_than_the_store_idle_timeout_resets_reused_sockets_and_loses_no_record()
    {
        BenchRun run = await BenchAsync("node-v3,dotnet", invocations: 20, freezeGap: TimeSpan.FromSeconds(3), idle: TimeSpan.FromSeconds(1));

        foreach (ModeResult result in run.Results)
        {
            // Each environment's kept-alive socket went stale during the gap: a reset, an SDK retry, a second handshake.
            Assert.InRange(result.Resets, 1, result.EnvironmentsStarted);
            Assert.Equal(result.EnvironmentsStarted + result.Resets, result.ConnectionsOpened);
        }

        Assert.Contains(run.Notes, note => note.Contains("emulated link", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task With_tls_through_the_emulated_link_every_store_connection_is_a_tls_handshake()
    {
        BenchRun run = await BenchAsync("node-v3,dotnet-no-reuse", invocations: 10, tls: true, linkRtt: TimeSpan.FromMilliseconds(1));

        ModeResult reuse = run.Results[0];
        Assert.Equal(reuse.EnvironmentsStarted, reuse.ConnectionsOpened);
        Assert.Equal(reuse.ConnectionsOpened, reuse.TlsConnections);
        ModeResult noReuse = run.Results[1];
        Assert.Equal(10, noReuse.ConnectionsOpened);
        Assert.Equal(10, noReuse.TlsConnections);
        Assert.StartsWith("https://127.0.0.1:", run.StoreEndpoint, StringComparison.Ordinal);
        Assert.Contains(run.Notes, note => note.StartsWith("EMULATED LINK", StringComparison.Ordinal));
    }

    /// <summary>
    /// A million handshakes without reuse meet TIME_WAIT and the ephemeral port range. Reproduced small: the bench runs
    /// in a network namespace of its own (an unprivileged user namespace, so no root) whose range is 40 ports and whose
    /// tcp_tw_reuse is off. The client closes first in dotnet-no-reuse, so each closed connection holds its port for
    /// 60 s: after about 30 invocations connect() fails with EADDRNOTAVAIL. The run must count that, go on and report it.
    /// </summary>
    [Fact]
    public async Task Without_reuse_running_out_of_ephemeral_ports_is_counted_and_reported_not_a_hang()
    {
        const string Namespace = "ip link set lo up && echo '40000 40039' > /proc/sys/net/ipv4/ip_local_port_range && echo 0 > /proc/sys/net/ipv4/tcp_tw_reuse && exec \"$@\"";
        string directory = Directory.CreateTempSubdirectory("handshake-ports-").FullName;
        try
        {
            string json = Path.Combine(directory, "bench.json");
            (int exit, string stdout, string stderr) = await BenchCli.RunWrappedAsync(["unshare", "-rn", "/bin/sh", "-c", Namespace, "sh"], null,
                "bench", "--modes", "dotnet-no-reuse", "--invocations", "100", "--concurrency", "2", "--json", json);

            Assert.True(exit == 0, $"exit {exit}: {stderr}");
            using System.Text.Json.JsonDocument document = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(json));
            System.Text.Json.JsonElement mode = Assert.Single(document.RootElement.GetProperty("modes").EnumerateArray());
            Assert.Equal(100, mode.GetProperty("invocations").GetInt64());
            long errors = mode.GetProperty("errors").GetInt64();
            Assert.InRange(errors, 1, 99);
            // Every error is the port exhaustion, named by its errno; every successful invocation made one connection
            // and landed its record; the failed ones never connected and wrote nothing.
            Assert.Equal(errors, mode.GetProperty("errorTypes").EnumerateObject().Where(e => e.Name.EndsWith("(EADDRNOTAVAIL)", StringComparison.Ordinal)).Sum(e => e.Value.GetInt64()));
            Assert.Equal(100 - errors, mode.GetProperty("storeConnections").GetInt64());
            Assert.Equal(100 - errors, mode.GetProperty("itemsInTable").GetInt64());
            Assert.Contains("failed with EADDRNOTAVAIL: the function's side ran out of ephemeral ports (ip_local_port_range 40000-40039: 40 ports", stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("bench --modes node-v9", "unknown mode 'node-v9'")]
    [InlineData("bench --invocations lots", "--invocations must be a positive whole number, not 'lots'")]
    [InlineData("bench --invocations 0", "--invocations must be a positive whole number, not '0'")]
    [InlineData("bench --concurrency 1.5", "--concurrency must be a positive whole number")]
    [InlineData("bench --concurrency 1000", "--concurrency must be at most 256, not 1000")]
    [InlineData("demo --invocations -2", "--invocations must be a positive whole number")]
    [InlineData("bench --link-rtt fast", "--link-rtt takes a duration")]
    [InlineData("bench --freeze-gap soon", "--freeze-gap takes a duration")]
    [InlineData("bench --store-idle-timeout 1h30", "--store-idle-timeout takes a duration")]
    [InlineData("bench --store-idle-timeout 0s", "--store-idle-timeout must be at least 1s (the store looks for idle connections once a second), not '0s'.")]
    [InlineData("bench --gaps 0", "--gaps must be a positive whole number")]
    [InlineData("bench --modes dotnet --endpoint http://127.0.0.1:1", "cannot reach http://127.0.0.1:1/")]
    [InlineData("bench --endpoint not-a-url", "--endpoint takes an http:// URL, not 'not-a-url'")]
    [InlineData("bench --endpoint https://127.0.0.1:4567", "--endpoint takes the http:// address of `handshake up`")]
    public async Task Bad_input_is_one_line_without_a_stack_trace(string arguments, string expected)
    {
        (int exit, string stdout, string stderr) = await BenchCli.RunAsync(null, arguments.Split(' '));

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("handshake: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_nodejs_is_one_line()
    {
        string empty = Directory.CreateTempSubdirectory("handshake-no-node-").FullName;
        try
        {
            (int exit, string stdout, string stderr) = await BenchCli.RunAsync(new Dictionary<string, string> { ["PATH"] = empty }, "bench", "--modes", "node-v3", "--invocations", "5");

            Assert.Equal(1, exit);
            Assert.Equal("handshake: mode node-v3: Node.js (`node`) is not on PATH", stderr.Trim());
            Assert.DoesNotContain("   at ", stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Theory]
    [InlineData("Ctrl-C")]
    [InlineData("SIGTERM")]
    public async Task Ctrl_C_or_SIGTERM_stops_the_bench_prints_what_was_measured_and_leaves_no_environment_behind(string stopper)
    {
        // Ctrl-C once invocations are being answered (the redirected bench prints "N of 100,000 invocations done").
        using BenchCli cli = BenchCli.Start(null, line => line.StartsWith("dotnet: ", StringComparison.Ordinal)
            && line.Contains(" of 100,000 invocations done", StringComparison.Ordinal) && !line.StartsWith("dotnet: 0 of", StringComparison.Ordinal),
            "bench", "--modes", "dotnet", "--invocations", "100000", "--concurrency", "2");
        await cli.MarkerSeen;
        int benchId = cli.Id;
        if (stopper == "SIGTERM")
        {
            cli.Terminate();
        }
        else
        {
            cli.Interrupt();
        }

        int exit = await cli.WaitForExitAsync();

        Assert.True(exit == 130, $"exit status {exit}, not 130\nstdout:\n{cli.StandardOutput}\nstderr:\n{cli.StandardError}");
        Assert.Contains("(partial)", cli.StandardOutput, StringComparison.Ordinal);
        // The partial row still checks the records: every answered invocation's record is in the table.
        Assert.Contains("all records landed", cli.StandardOutput, StringComparison.Ordinal);
        // The report names what stopped it.
        Assert.Contains($"Stopped by {stopper}:", cli.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", cli.StandardError, StringComparison.Ordinal);
        Assert.Empty(BenchCli.EnvironmentsOf(benchId));
    }
}
