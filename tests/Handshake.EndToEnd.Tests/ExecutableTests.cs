using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace Handshake.EndToEnd.Tests;

public sealed class ExecutableTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("handshake-e2e-").FullName;

    [Fact]
    public async Task Up_prints_the_exports_serves_the_store_and_exits_0_on_SIGTERM()
    {
        using HandshakeProcess process = HandshakeProcess.Start(_directory, "up", "--port", "0", "--data-dir", Path.Combine(_directory, "data"));
        List<string> banner = await process.ReadUntilAsync("Press Ctrl-C");

        string endpoint = ExportedValue(banner, "AWS_ENDPOINT_URL");
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", endpoint);
        Assert.Equal(endpoint, ExportedValue(banner, "AWS_ENDPOINT_URL_DYNAMODB"));
        Assert.Equal("us-east-1", ExportedValue(banner, "AWS_REGION"));
        Assert.NotEmpty(ExportedValue(banner, "AWS_ACCESS_KEY_ID"));
        Assert.NotEmpty(ExportedValue(banner, "AWS_SECRET_ACCESS_KEY"));

        // The exported values work as they are for the real SDK, and the durable store is in the data directory.
        using AmazonDynamoDBClient client = new(
            new BasicAWSCredentials(ExportedValue(banner, "AWS_ACCESS_KEY_ID"), ExportedValue(banner, "AWS_SECRET_ACCESS_KEY")),
            new AmazonDynamoDBConfig { ServiceURL = endpoint, AuthenticationRegion = ExportedValue(banner, "AWS_REGION") });
        ListTablesResponse tables = await client.ListTablesAsync(new ListTablesRequest()).WaitAsync(HandshakeProcess.Timeout);
        Assert.Empty(tables.TableNames);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_directory, "data")));

        process.Terminate();
        Assert.Equal(0, await process.WaitForExitAsync());
        Assert.Contains("Stopped.", await process.ReadToEndAsync());
        Assert.Equal("", await process.StandardErrorAsync());
    }

    [Fact]
    public async Task A_port_in_use_gives_one_line_and_a_non_zero_exit()
    {
        using TcpListener taken = new(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;

        using HandshakeProcess process = HandshakeProcess.Start(_directory, "up", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--in-memory");
        Assert.NotEqual(0, await process.WaitForExitAsync());
        string stderr = await process.StandardErrorAsync();
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"port {port}", line);
        Assert.Contains("already in use", line);
        Assert.DoesNotContain("Exception", stderr);
        Assert.Equal("", await process.ReadToEndAsync());
    }

    [Fact]
    public async Task A_port_held_by_another_up_gives_one_line_and_a_non_zero_exit()
    {
        // The first `up` must not have let a second one share its port (SO_REUSEPORT): the kernel would split the
        // connections between two stores.
        using HandshakeProcess first = HandshakeProcess.Start(_directory, "up", "--port", "0", "--in-memory");
        List<string> banner = await first.ReadUntilAsync("Press Ctrl-C");
        int port = new Uri(ExportedValue(banner, "AWS_ENDPOINT_URL")).Port;

        using HandshakeProcess second = HandshakeProcess.Start(_directory, "up", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--in-memory");
        Assert.Equal(1, await second.WaitForExitAsync());
        string line = Assert.Single((await second.StandardErrorAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"port {port}", line);
        Assert.Contains("already in use", line);

        first.Terminate();
        Assert.Equal(0, await first.WaitForExitAsync());
    }

    [Theory]
    [InlineData("--port abc", "--port takes a port number from 0 to 65535, not 'abc'.")]
    [InlineData("--port 70000", "--port takes a port number from 0 to 65535, not '70000'.")]
    [InlineData("--store-idle-timeout soon", "--store-idle-timeout takes a duration such as 500ms, 60s or 2m, not 'soon'.")]
    [InlineData("--store-idle-timeout 0s", "--store-idle-timeout must be at least 1s (the store looks for idle connections once a second), not '0s'.")]
    [InlineData("--store-idle-timeout 500ms", "--store-idle-timeout must be at least 1s (the store looks for idle connections once a second), not '500ms'.")]
    [InlineData("--no-such-option", "unknown command or option '--no-such-option' (see handshake --help)")]
    [InlineData("--auth loose", "--auth takes off or strict, not 'loose'.")]
    [InlineData("--account-concurrency 0", "--account-concurrency takes a whole number of at least 1, not '0'.")]
    [InlineData("--max-queued-invocations many", "--max-queued-invocations takes a whole number of at least 0, not 'many'.")]
    [InlineData("--environment-idle-timeout 500ms", "--environment-idle-timeout must be at least 1s, not '500ms'.")]
    public async Task Bad_options_give_one_line_and_a_non_zero_exit(string arguments, string message)
    {
        using HandshakeProcess process = HandshakeProcess.Start(_directory, ["up", .. arguments.Split(' ')]);
        Assert.Equal(1, await process.WaitForExitAsync());
        Assert.Equal($"handshake: {message}\n", await process.StandardErrorAsync());
        Assert.Equal("", await process.ReadToEndAsync());
    }

    [Fact]
    public async Task A_damaged_database_gives_one_line_and_a_non_zero_exit()
    {
        string data = Directory.CreateDirectory(Path.Combine(_directory, "data")).FullName;
        File.WriteAllText(Path.Combine(data, "handshake.db"), "this is not a SQLite database, and it is long enough to have a header");
        using HandshakeProcess process = HandshakeProcess.Start(_directory, "up", "--port", "0", "--data-dir", data);
        Assert.Equal(1, await process.WaitForExitAsync());
        string line = Assert.Single((await process.StandardErrorAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("handshake: ", line);
        Assert.Contains("handshake.db", line);
    }

    [Fact]
    public async Task A_data_directory_it_cannot_write_gives_one_line_that_says_so_and_a_non_zero_exit()
    {
        // An existing directory no one may create files in, even root (these tests may run as root, for whom a
        // chmod 555 directory is writable): SQLite cannot create the database there (SQLITE_CANTOPEN). That is not a
        // damaged database, and the line must not say it is.
        string data = "/proc/self/fdinfo";
        using HandshakeProcess process = HandshakeProcess.Start(_directory, "up", "--port", "0", "--data-dir", data);
        Assert.Equal(1, await process.WaitForExitAsync());
        string line = Assert.Single((await process.StandardErrorAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("handshake: Cannot open or write the store database ", line);
        Assert.Contains("writable?", line);
        Assert.DoesNotContain("damaged", line);
        Assert.Equal("", await process.ReadToEndAsync());
    }

    [Fact]
    public async Task A_data_directory_another_up_holds_gives_one_line_and_a_non_zero_exit_until_that_one_stops()
    {
        // Two `up` on one data directory would each serve their own catalog over the same SQLite files: a table made
        // through one would be missing from the other. The second is refused; once the first is gone, even by
        // SIGKILL, the directory is free again.
        string data = Path.Combine(_directory, "data");
        using HandshakeProcess first = HandshakeProcess.Start(_directory, "up", "--port", "0", "--data-dir", data);
        await first.ReadUntilAsync("Press Ctrl-C");

        using (HandshakeProcess second = HandshakeProcess.Start(_directory, "up", "--port", "0", "--data-dir", data))
        {
            Assert.Equal(1, await second.WaitForExitAsync());
            string line = Assert.Single((await second.StandardErrorAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal($"handshake: the data directory {data} is in use by another handshake up (stop it, or choose another --data-dir)", line);
            Assert.Equal("", await second.ReadToEndAsync());
        }

        first.KillHard();
        await first.WaitForExitAsync();
        using HandshakeProcess third = HandshakeProcess.Start(_directory, "up", "--port", "0", "--data-dir", data);
        await third.ReadUntilAsync("Press Ctrl-C");
        third.Terminate();
        Assert.Equal(0, await third.WaitForExitAsync());
    }

    [Fact]
    public async Task An_address_that_is_not_this_machines_gives_one_line_and_a_non_zero_exit()
    {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never a local address, so the bind fails (EADDRNOTAVAIL); nothing is sent.
        using HandshakeProcess process = HandshakeProcess.Start(_directory, "up", "--port", "0", "--in-memory", "--host", "192.0.2.1");
        Assert.Equal(1, await process.WaitForExitAsync());
        string stderr = await process.StandardErrorAsync();
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("handshake: cannot listen on 192.0.2.1 port 0: ", line);
        Assert.Contains("--host takes an address of this machine", line);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Equal("", await process.ReadToEndAsync());
    }

    [Theory]
    [InlineData("frobnicate", "unknown command or option 'frobnicate' (see handshake --help)")]
    [InlineData("invoke", "Required argument missing for command: 'invoke'.")]
    [InlineData("logs", "Required argument missing for command: 'logs'.")]
    [InlineData("invoke f --payload", "Required argument missing for option: '--payload'.")]
    [InlineData("connections --endpoint localhost:4566", "--endpoint takes an http:// or https:// URL, not 'localhost:4566'.")]
    public async Task Wrong_invocations_give_one_line_and_a_non_zero_exit(string arguments, string message)
    {
        using HandshakeProcess process = HandshakeProcess.Start(_directory, arguments.Split(' '));
        Assert.Equal(1, await process.WaitForExitAsync());
        Assert.Equal($"handshake: {message}\n", await process.StandardErrorAsync());
        Assert.Equal("", await process.ReadToEndAsync());
    }

    [Fact]
    public async Task An_invoke_payload_that_is_not_JSON_is_refused_before_any_request()
    {
        // Nothing listens at the endpoint: the refusal must come from the payload, not from the connection.
        using TcpListener reserved = new(IPAddress.Loopback, 0);
        reserved.Start();
        int port = ((IPEndPoint)reserved.LocalEndpoint).Port;
        reserved.Stop();

        using HandshakeProcess process = HandshakeProcess.Start(_directory, "invoke", "f", "--payload", "{bad", "--endpoint", $"http://127.0.0.1:{port}");
        Assert.Equal(1, await process.WaitForExitAsync());
        string line = Assert.Single((await process.StandardErrorAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("handshake: --payload takes the event as JSON: ", line);
        Assert.Contains("BytePositionInLine: 1", line);
        Assert.Equal("", await process.ReadToEndAsync());
    }

    [Fact]
    public async Task A_broken_handshake_json_gives_one_line_and_a_non_zero_exit()
    {
        File.WriteAllText(Path.Combine(_directory, "handshake.json"), "{ \"functions\": ");
        using HandshakeProcess process = HandshakeProcess.Start(_directory, "up", "--port", "0", "--in-memory");
        Assert.Equal(1, await process.WaitForExitAsync());
        string line = Assert.Single((await process.StandardErrorAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("handshake: ", line);
        Assert.Contains("handshake.json", line);
    }

    [Fact]
    public async Task Connections_on_an_unreachable_endpoint_gives_one_line_and_a_non_zero_exit()
    {
        using TcpListener reserved = new(IPAddress.Loopback, 0);
        reserved.Start();
        int port = ((IPEndPoint)reserved.LocalEndpoint).Port;
        reserved.Stop();

        using HandshakeProcess process = HandshakeProcess.Start(_directory, "connections", "--endpoint", $"http://127.0.0.1:{port}");
        Assert.Equal(1, await process.WaitForExitAsync());
        string line = Assert.Single((await process.StandardErrorAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("handshake: cannot read connections from", line);
    }

    [Fact]
    public async Task Connections_prints_the_accounting_as_a_table()
    {
        await using Composition.HandshakeServer server = await ComposedServer.StartAsync();
        using (AmazonDynamoDBClient client = ComposedServer.Client(server, "TABLEKEY"))
        {
            await client.ListTablesAsync(new ListTablesRequest()).WaitAsync(HandshakeProcess.Timeout);
        }

        using HandshakeProcess process = HandshakeProcess.Start(_directory, "connections", "--endpoint", server.Endpoint.ToString());
        string table = await process.ReadToEndAsync();
        Assert.Equal(0, await process.WaitForExitAsync());
        Assert.Contains("TABLEKEY", table);
        Assert.Contains("(outside the host)", table);
        Assert.Contains("Total", table);
    }

    [Fact]
    public async Task Up_declares_the_functions_of_handshake_json_and_leaves_no_process_behind()
    {
        using StoreCallerFunction function = new();
        using HandshakeProcess process = HandshakeProcess.Start(function.Directory, "up", "--port", "0", "--in-memory");
        List<string> banner = await process.ReadUntilAsync("Press Ctrl-C");
        Assert.Contains(banner, line => line.StartsWith("Functions from ", StringComparison.Ordinal) && line.Contains("store-caller (provided.al2023)"));
        Uri endpoint = new(ExportedValue(banner, "AWS_ENDPOINT_URL"));

        using (HttpClient client = new())
        {
            Assert.Contains("New Connections: 1", await StoreCallerFunction.InvokeAsync(client, endpoint));
        }

        // Two runs under load once printed a table without the function's row although its REPORT counted the
        // connection: the host registered the environment's access key only after starting its process, so a fast first
        // request was filed under no function for good. The key is registered before the launch now (CredentialsTests).
        using HandshakeProcess connections = HandshakeProcess.Start(_directory, "connections", "--endpoint", endpoint.ToString());
        string table = await connections.ReadToEndAsync();
        Assert.Equal(0, await connections.WaitForExitAsync());
        Assert.True(table.Contains("store-caller", StringComparison.Ordinal), "the function's row is missing:\n" + table);

        Assert.NotEmpty(ProcessesUnder(function.Directory));
        process.Terminate();
        Assert.Equal(0, await process.WaitForExitAsync());
        Assert.Empty(ProcessesUnder(function.Directory));
    }

    [Fact]
    public async Task Up_applies_the_function_hosts_limits_it_is_given()
    {
        // A Node function that waits as long as its event says, declared in handshake.json.
        File.WriteAllText(Path.Combine(_directory, "app.js"),
            "exports.handler = async (event) => { await new Promise(r => setTimeout(r, event.waitMs || 0)); return { waited: event.waitMs || 0 }; };\n");
        File.WriteAllText(Path.Combine(_directory, "handshake.json"),
            """{ "functions": { "slow": { "runtime": "nodejs20.x", "handler": "app.handler", "code": ".", "timeout": 30 } } }""");
        using HandshakeProcess process = HandshakeProcess.Start(_directory, "up", "--port", "0", "--in-memory",
            "--account-concurrency", "1", "--max-queued-invocations", "0", "--environment-idle-timeout", "1s");
        List<string> banner = await process.ReadUntilAsync("Press Ctrl-C");
        Uri endpoint = new(ExportedValue(banner, "AWS_ENDPOINT_URL"));
        using HttpClient client = new() { BaseAddress = endpoint, Timeout = HandshakeProcess.Timeout };

        // --account-concurrency 1: the account's size is what PutFunctionConcurrency checks against.
        using (HttpResponseMessage refused = await client.PutAsync("/2017-10-31/functions/slow/concurrency", new StringContent("""{"ReservedConcurrentExecutions":2}""")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("(account limit: 1)", await refused.Content.ReadAsStringAsync());
        }

        // --max-queued-invocations 0: with the one slot busy, a second invocation is throttled instead of waiting. The
        // second is sent once the first has been handed to its environment (the invocations counter), not after a fixed
        // sleep, which a loaded machine could outlast or undercut; the first then holds the slot for its 3 s wait.
        Task<HttpResponseMessage> first = client.PostAsync("/2015-03-31/functions/slow/invocations", new StringContent("""{"waitMs":3000}"""));
        DateTime handedOver = DateTime.UtcNow + HandshakeProcess.Timeout;
        while (await CounterAsync(client, "handshake_lambda_invocations_total", "slow") < 1)
        {
            Assert.False(first.IsCompleted, "the first invocation ended before it was counted as handed to an environment");
            Assert.True(DateTime.UtcNow < handedOver, "the first invocation was never handed to an environment");
            await Task.Delay(20);
        }

        using (HttpResponseMessage second = await client.PostAsync("/2015-03-31/functions/slow/invocations", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        }

        using (HttpResponseMessage firstAnswer = await first)
        {
            Assert.Equal(HttpStatusCode.OK, firstAnswer.StatusCode);
            Assert.Equal("""{"waited":3000}""", await firstAnswer.Content.ReadAsStringAsync());
        }

        Assert.Equal(1, await CounterAsync(client, "handshake_lambda_throttles_total", "slow"));

        // --environment-idle-timeout 1s: the idle environment is shut down, so a later invocation is a second cold start
        // (with the default, ten minutes, it would find the first environment warm).
        DateTime giveUp = DateTime.UtcNow + HandshakeProcess.Timeout;
        while (await EnvironmentsStartedAsync(client, "slow") < 2)
        {
            Assert.True(DateTime.UtcNow < giveUp, "the idle environment was never shut down");
            // Idle for twice the timeout (the reaper looks every quarter of it) before each try.
            await Task.Delay(2000);
            using HttpResponseMessage again = await client.PostAsync("/2015-03-31/functions/slow/invocations", new StringContent("{}"));
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        process.Terminate();
        Assert.Equal(0, await process.WaitForExitAsync());
    }

    private static Task<long> EnvironmentsStartedAsync(HttpClient client, string function) =>
        CounterAsync(client, "handshake_lambda_environments_started_total", function);

    /// <summary>A function's series of a counter on /metrics; 0 before the series first appears.</summary>
    private static async Task<long> CounterAsync(HttpClient client, string counter, string function)
    {
        string series = $"{counter}{{function=\"{function}\"}} ";
        string text = await client.GetStringAsync("/metrics");
        string? line = text.Split('\n').SingleOrDefault(l => l.StartsWith(series, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[series.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Live processes whose command line or working directory is under <paramref name="directory"/>.</summary>
    private static List<int> ProcessesUnder(string directory)
    {
        List<int> found = [];
        foreach (string proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out int pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                string commandLine = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                string? workingDirectory = new DirectoryInfo(Path.Combine(proc, "cwd")).LinkTarget;
                bool zombie = File.ReadAllText(Path.Combine(proc, "stat")).Split(' ')[2] == "Z";
                if (!zombie && (commandLine.Contains(directory, StringComparison.Ordinal)
                    || (workingDirectory?.StartsWith(directory, StringComparison.Ordinal) ?? false)))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read.
            }
        }

        return found;
    }

    [Fact]
    public async Task The_AWS_CLI_works_with_exactly_the_printed_exports()
    {
        using HandshakeProcess process = HandshakeProcess.Start(_directory, "up", "--port", "0", "--in-memory");
        List<string> banner = await process.ReadUntilAsync("Press Ctrl-C");

        // A shell with no AWS configuration of its own, then the banner's export lines: what a user pastes.
        System.Diagnostics.ProcessStartInfo start = new("aws", ["dynamodb", "list-tables", "--output", "json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["AWS_CONFIG_FILE"] = Path.Combine(_directory, "no-config");
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_directory, "no-credentials");
        foreach (string line in banner.Where(l => l.StartsWith("export ", StringComparison.Ordinal)))
        {
            string[] pair = line["export ".Length..].Split('=', 2);
            start.Environment[pair[0]] = pair[1];
        }

        using System.Diagnostics.Process cli = System.Diagnostics.Process.Start(start)!;
        Task<string> output = cli.StandardOutput.ReadToEndAsync();
        Task<string> error = cli.StandardError.ReadToEndAsync();
        await cli.WaitForExitAsync().WaitAsync(HandshakeProcess.Timeout);

        Assert.True(cli.ExitCode == 0, await error);
        Assert.Contains("\"TableNames\": []", await output, StringComparison.Ordinal);
        process.Terminate();
        Assert.Equal(0, await process.WaitForExitAsync());
    }

    internal static string ExportedValue(List<string> banner, string name)
    {
        string prefix = $"export {name}=";
        string line = Assert.Single(banner, l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line[prefix.Length..];
    }
}
