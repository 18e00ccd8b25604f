using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Handshake.Bench.Peers;
using Handshake.Dynamo.Protocol;
using Handshake.Hosting;
using Handshake.Lambda;
using Handshake.Lambda.Environments;
using Handshake.Lambda.Functions;
using Handshake.Lambda.InvokeApi;
using Handshake.Lambda.RuntimeApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Handshake.Bench.Host;

/// <summary>
/// The function host's benchmark (`host` scenario): warm invocation overhead of the no-op C# function through the Invoke
/// API against a bare loopback HTTP round trip in the same run; cold starts (NativeAOT, JIT, Node); the per-environment
/// Runtime API listener's start time; and scale-out of many invocations at once under reserved concurrency.
/// </summary>
internal static partial class HostBenchmark
{
    /// <summary>What <c>host</c> takes (README, "Benchmark"), printed for <c>--help</c>.</summary>
    public const string Usage = "usage: host [--warm 2000] [--cold 5] [--scale 500] [--concurrency 32] [--aot DIR] [--up PATH] [--no-freeze] [--warm-only] [--rows LIST] [--function-env NAME=VALUE] [--client http|blocking] [--back-to-back]";

    public static async Task<int> RunAsync(string[] args)
    {
        // --help prints the usage and runs nothing (it used to start publishing the NativeAOT no-op, then the run).
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            Console.WriteLine(Usage);
            return 0;
        }

        int warm = IntArg(args, "--warm", 2000);
        int cold = IntArg(args, "--cold", 5);
        int scale = IntArg(args, "--scale", 500);
        int concurrency = IntArg(args, "--concurrency", 32);
        bool warmOnly = args.Contains("--warm-only");
        // --client blocking: time the warm rows with a blocking socket instead of HttpClient (see BlockingHttpClient).
        string client = StringArg(args, "--client") ?? "http";
        using BlockingHttpClient? blocking = client == "blocking" ? new BlockingHttpClient() : null;
        s_blocking = blocking;
        // --rows noop-aot,in-process: only these warm rows (for profiling one path); default all.
        string[] rows = StringArg(args, "--rows")?.Split(',') ?? ["noop-jit", "noop-jit-nodiag", "noop-aot", "in-process", "up"];
        string root = FindRoot();
        string configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        string jitDirectory = Path.Combine(root, "samples", "noop-dotnet", "bin", configuration, "net10.0");
        string? givenAot = StringArg(args, "--aot");
        string aotDirectory = givenAot ?? Path.Combine(root, "samples", "noop-dotnet", "out");
        // The NativeAOT no-op is measured as its sources stand: published again when missing or older than them.
        bool aot = await PublishedBuild.EnsureAsync(root, Path.Combine(aotDirectory, "bootstrap"), PublishedBuild.NoopSources(root),
            PublishedBuild.NoopPublish(root, aotDirectory), givenAot is not null, CancellationToken.None);

        Console.WriteLine($"# Function host benchmark ({configuration}, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        await using Endpoint bare = await Endpoint.StartAsync(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("{}");
        });
        bool freeze = !args.Contains("--no-freeze");
        s_paceUntilFrozen = freeze && !args.Contains("--back-to-back");
        using FreezeCounts freezeCounts = new();
        await using FunctionHost host = new(new FunctionHostOptions { AccountConcurrencyLimit = Math.Max(concurrency, 16), FreezeBetweenInvocations = freeze });
        LambdaHttpEndpoint lambda = new(host);
        // The Lambda rows listen as `handshake up` does: plain Invoke calls on the store's event loop, the rest on Kestrel.
        await using Endpoint endpoint = await Endpoint.StartAsync(lambda.HandleAsync, lambda.Route);
        using HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { Timeout = TimeSpan.FromSeconds(60) };

        // --function-env NAME=VALUE (repeatable): set in the no-op functions' configuration, as a user sets a variable
        // on a real function (DOTNET_EnableDiagnostics=0 takes the debugger and EventPipe threads out of the process).
        Dictionary<string, string> functionEnvironment = FunctionEnvironment(args);
        host.CreateFunction(Noop("noop-jit", "dotnet8", "Noop", jitDirectory) with { Environment = functionEnvironment });
        // The same build, configured as a user may configure a function: DOTNET_EnableDiagnostics=0 takes the debugger
        // and EventPipe threads out (6 threads -> 3). A runtimeconfig.json cannot say this; only the environment can.
        host.CreateFunction(Noop("noop-jit-nodiag", "dotnet8", "Noop", jitDirectory) with
        {
            Environment = new Dictionary<string, string>(functionEnvironment) { ["DOTNET_EnableDiagnostics"] = "0" },
        });
        host.CreateFunction(Noop("noop-node", "nodejs20.x", "index.handler", Path.Combine(root, "samples", "noop-node")));
        if (aot)
        {
            host.CreateFunction(Noop("noop-aot", "provided.al2023", "bootstrap", aotDirectory) with { Environment = functionEnvironment });
        }

        Console.WriteLine();
        string environmentNote = functionEnvironment.Count == 0 ? "" : $", function environment {string.Join(' ', functionEnvironment.Select(e => $"{e.Key}={e.Value}"))}";
        Console.WriteLine($"## Warm invocation of the no-op function, {warm} sequential calls each{(freeze ? "" : ", freezing off")}{environmentNote}, {(blocking is null ? "HttpClient" : "a blocking-socket client")}");
        // The overhead columns are the issue's "p50 and p99 overhead": what an invocation adds to a bare round trip.
        Console.WriteLine("| path | p50 µs | p99 µs | overhead p50 µs | overhead p99 µs | p50 ratio to bare |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        if (rows.Contains("noop-jit"))
        {
            await WarmAsync(http, bare.Url, endpoint.Url, "noop-jit", "Invoke API → Runtime API → no-op C# (JIT) → back", warm, () => ProcessCounters.FunctionProcessId(host, "noop-jit"), () => Task.FromResult(freezeCounts.InProcess("noop-jit")), UntilFrozen(host, "noop-jit"));
        }

        if (rows.Contains("noop-jit-nodiag"))
        {
            await WarmAsync(http, bare.Url, endpoint.Url, "noop-jit-nodiag", "same, JIT with DOTNET_EnableDiagnostics=0", warm, () => ProcessCounters.FunctionProcessId(host, "noop-jit-nodiag"), () => Task.FromResult(freezeCounts.InProcess("noop-jit-nodiag")), UntilFrozen(host, "noop-jit-nodiag"));
        }

        if (aot && rows.Contains("noop-aot"))
        {
            await WarmAsync(http, bare.Url, endpoint.Url, "noop-aot", "Invoke API → Runtime API → no-op C# (NativeAOT) → back", warm, () => ProcessCounters.FunctionProcessId(host, "noop-aot"), () => Task.FromResult(freezeCounts.InProcess("noop-aot")), UntilFrozen(host, "noop-aot"));
        }

        if (rows.Contains("in-process"))
        {
            // The same, with the runtime loop inside this process: what the host itself adds, without a second process.
            await using FunctionHost inProcess = new(new FunctionHostOptions(), null, new InProcessRuntimeLauncher());
            inProcess.CreateFunction(Noop("in-process", "dotnet8", "Noop", jitDirectory));
            LambdaHttpEndpoint inProcessLambda = new(inProcess);
            await using Endpoint inProcessEndpoint = await Endpoint.StartAsync(inProcessLambda.HandleAsync, inProcessLambda.Route);
            await WarmAsync(http, bare.Url, inProcessEndpoint.Url, "in-process", "same, runtime loop in-process (host alone, no second process)", warm, () => 0, () => Task.FromResult(freezeCounts.InProcess("in-process")), UntilFrozen(inProcess, "in-process"));
        }

        if (aot && rows.Contains("up"))
        {
            await WarmThroughUpAsync(args, root, http, bare.Url, aotDirectory, warm);
        }

        if (warmOnly)
        {
            return 0;
        }

        Console.WriteLine();
        Console.WriteLine($"## Cold start (first invocation with no environment), {cold} runs each, median");
        Console.WriteLine("| function | invoke ms | Init Duration ms (REPORT) |");
        Console.WriteLine("|---|---:|---:|");
        foreach (string name in aot ? new[] { "noop-aot", "noop-jit", "noop-node" } : ["noop-jit", "noop-node"])
        {
            List<double> totals = [];
            List<double> inits = [];
            for (int run = 0; run < cold; run++)
            {
                // A configuration change retires the idle environment: the next invocation starts a new one.
                host.UpdateFunction(name, f => f with { Environment = new Dictionary<string, string> { ["RUN"] = run.ToString(CultureInfo.InvariantCulture) }, RevisionId = Guid.NewGuid().ToString() });
                long from = host.Logs.For(name).NextSequence;
                totals.Add(await TimeOneAsync(http, endpoint.Url, $"/2015-03-31/functions/{name}/invocations") / 1000);
                // The REPORT line is written after the answer has left: wait for it, as a log reader does.
                await host.LogsSettledAsync(name).WaitAsync(TimeSpan.FromSeconds(30));
                inits.Add(InitDuration(host, name, from));
            }

            Console.WriteLine($"| {name} | {Percentile(totals, 0.5):F1} | {Percentile(inits, 0.5):F1} |");
        }

        if (!aot)
        {
            Console.WriteLine($"(NativeAOT skipped: no {aotDirectory}/bootstrap; publish it with `dotnet publish samples/noop-dotnet -c Release -r linux-x64 -p:PublishAot=true -o samples/noop-dotnet/out`)");
        }

        Console.WriteLine();
        List<double> listener = [];
        for (int i = 0; i < 20; i++)
        {
            ExecutionEnvironment probe = new(host, host.ListFunctions()[0], 0);
            long start = Stopwatch.GetTimestamp();
            RuntimeApiServer server = await RuntimeApiServer.StartAsync(probe, host.Transport, host.LoggerFactory, CancellationToken.None);
            listener.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            await server.DisposeAsync();
        }

        Console.WriteLine($"Runtime API listener (Kestrel socket transport on 127.0.0.1:0) start, part of every cold start: first {listener[0]:F2} ms, then median {Percentile(listener.Skip(1).ToList(), 0.5):F2} ms");

        Console.WriteLine();
        host.UpdateFunction("noop-jit", f => f with { ReservedConcurrency = concurrency });
        int throttled = 0;
        int failed = 0;
        long scaleStart = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, scale).Select(async _ =>
        {
            using HttpResponseMessage response = await http.PostAsync(new Uri(endpoint.Url, "/2015-03-31/functions/noop-jit/invocations"), new StringContent("{}"));
            if ((int)response.StatusCode == 429)
            {
                Interlocked.Increment(ref throttled);
            }
            else if (!response.IsSuccessStatusCode || response.Headers.Contains("X-Amz-Function-Error"))
            {
                Interlocked.Increment(ref failed);
            }
        }));
        double seconds = Stopwatch.GetElapsedTime(scaleStart).TotalSeconds;
        Console.WriteLine($"## Scale-out: {scale} invocations at once, reserved concurrency {concurrency}");
        Console.WriteLine($"completed {scale - throttled - failed}, throttled {throttled}, failed {failed}, peak environments {host.PeakEnvironmentCount("noop-jit")} (limit {concurrency}), {seconds:F2} s, {scale / seconds:F0} invocations/s");
        return failed == 0 && host.PeakEnvironmentCount("noop-jit") <= concurrency ? 0 : 1;
    }

    /// <summary>
    /// One row: the bare round trip and the invocation timed in 10 interleaved blocks (after 200 unmeasured of each),
    /// so both see the same machine; also the function's thread count, which every freeze and thaw signals.
    /// </summary>
    private static async Task WarmAsync(HttpClient http, Uri bare, Uri endpoint, string function, string label, int warm, Func<int> findFunction, Func<Task<long>> freezes, Func<Task>? beforeEachInvocation = null, int hostPid = 0, Uri? separateBare = null)
    {
        string path = $"/2015-03-31/functions/{function}/invocations";
        List<double> bareTimes = [];
        List<double> invokeTimes = [];
        List<double> separateBareTimes = [];
        // Warm means steady state: both paths run until the JIT has stopped compiling (tier-0 code is replaced by
        // instrumented and then optimized code, each step after ~30 calls and a pause; until then parts of the host
        // run as tier-0 code, and the bare round trip, framework code only, measures about twice its steady time).
        // Settled = no method compiled for 1.5 s (tiering waits for 100 ms pauses and compiles in the background, so
        // a shorter quiet spell can fall between two steps); at most 20 s.
        long warmStart = Stopwatch.GetTimestamp();
        long quietSince = warmStart;
        long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        // A bare server in its own process tiers up unseen by JitInfo here: give it at least 5 s of calls.
        TimeSpan least = separateBare is null ? TimeSpan.Zero : TimeSpan.FromSeconds(5);
        while ((Stopwatch.GetElapsedTime(quietSince) < TimeSpan.FromSeconds(1.5) || Stopwatch.GetElapsedTime(warmStart) < least) && Stopwatch.GetElapsedTime(warmStart) < TimeSpan.FromSeconds(20))
        {
            await TimeAsync(http, bare, "/", 200, []);
            if (separateBare is not null)
            {
                await TimeAsync(http, separateBare, "/", 200, []);
            }

            await TimeAsync(http, endpoint, path, 200, []);
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != compiled)
            {
                compiled = now;
                quietSince = Stopwatch.GetTimestamp();
            }
        }

        double warmedSeconds = Stopwatch.GetElapsedTime(warmStart).TotalSeconds;

        int functionPid = findFunction();
        long benchCpu = 0;
        long functionCpu = 0;
        long bareCpu = 0;
        long bareSwitches = 0;
        long benchSwitches = 0;
        long functionSwitches = 0;
        long hostCpu = 0;
        long hostSwitches = 0;
        long freezesBefore = await freezes();
        for (int block = 0; block < 10; block++)
        {
            long bareBefore = ProcessCounters.OwnCpuNanoseconds();
            long bareSwitchesBefore = ProcessCounters.ContextSwitches(Environment.ProcessId);
            await TimeAsync(http, bare, "/", warm / 10, bareTimes);
            bareCpu += ProcessCounters.OwnCpuNanoseconds() - bareBefore;
            bareSwitches += ProcessCounters.ContextSwitches(Environment.ProcessId) - bareSwitchesBefore;
            if (separateBare is not null)
            {
                await TimeAsync(http, separateBare, "/", warm / 10, separateBareTimes);
            }

            long benchBefore = ProcessCounters.OwnCpuNanoseconds();
            long functionBefore = ProcessCounters.CpuNanoseconds(functionPid);
            long benchSwitchesBefore = ProcessCounters.ContextSwitches(Environment.ProcessId);
            long functionSwitchesBefore = ProcessCounters.ContextSwitches(functionPid);
            long hostBefore = ProcessCounters.CpuNanoseconds(hostPid);
            long hostSwitchesBefore = ProcessCounters.ContextSwitches(hostPid);
            await TimeAsync(http, endpoint, path, warm / 10, invokeTimes, beforeEachInvocation);
            hostCpu += ProcessCounters.CpuNanoseconds(hostPid) - hostBefore;
            hostSwitches += ProcessCounters.ContextSwitches(hostPid) - hostSwitchesBefore;
            benchCpu += ProcessCounters.OwnCpuNanoseconds() - benchBefore;
            functionCpu += ProcessCounters.CpuNanoseconds(functionPid) - functionBefore;
            benchSwitches += ProcessCounters.ContextSwitches(Environment.ProcessId) - benchSwitchesBefore;
            functionSwitches += ProcessCounters.ContextSwitches(functionPid) - functionSwitchesBefore;
        }

        long frozen = await freezes() - freezesBefore;
        double bareP50 = Percentile(bareTimes, 0.50);
        double invokeP50 = Percentile(invokeTimes, 0.50);
        int measured = warm / 10 * 10;
        string threads = functionPid > 0 ? $", {Directory.GetDirectories($"/proc/{functionPid}/task").Length} threads" : "";
        double bareP99 = Percentile(bareTimes, 0.99);
        double invokeP99 = Percentile(invokeTimes, 0.99);
        Console.WriteLine($"| bare loopback HTTP round trip (same block) | {bareP50:F0} | {bareP99:F0} | | | |");
        Console.WriteLine($"| {label}{threads} | {invokeP50:F0} | {invokeP99:F0} | {invokeP50 - bareP50:F0} | {invokeP99 - bareP99:F0} | **{invokeP50 / bareP50:F2}x** |");
        if (separateBare is not null)
        {
            // The baseline above has client and server in one process; `up` is a process of its own, and every round
            // trip to it switches between processes. This one does too: the same bare Kestrel, in its own process.
            double separateP50 = Percentile(separateBareTimes, 0.50);
            Console.WriteLine($"|   against a bare round trip to a server in its own process, as `up` is: {separateP50:F0} µs p50, {Percentile(separateBareTimes, 0.99):F0} µs p99 | | | {invokeP50 - separateP50:F0} | {invokeP99 - Percentile(separateBareTimes, 0.99):F0} | **{invokeP50 / separateP50:F2}x** |");
        }

        // CPU time per invocation holds still when the machine is busy, where wall-clock latency does not: it says
        // whether a change made the path cheaper.
        string hostCpuText = hostPid > 0 ? $"benchmark process (client) {benchCpu / 1000.0 / measured:F0} µs, `handshake up` {hostCpu / 1000.0 / measured:F0} µs" : $"benchmark process (client + host) {benchCpu / 1000.0 / measured:F0} µs";
        string hostSwitchesText = hostPid > 0 ? $"benchmark process {(double)benchSwitches / measured:F1}, `handshake up` {(double)hostSwitches / measured:F1}" : $"benchmark process {(double)benchSwitches / measured:F1}";
        Console.WriteLine($"|   CPU per invocation: {hostCpuText}, function process {functionCpu / 1000.0 / measured:F0} µs (a bare round trip: {bareCpu / 1000.0 / measured:F0} µs); warm-up until the JIT settled {warmedSeconds:F1} s | | | | | |");
        // Each switch is a thread put to sleep or preempted: on a busy machine every one of them can cost a scheduler
        // time slice, so this count says how many chances the path gives the machine to delay it.
        Console.WriteLine($"|   context switches per invocation: {hostSwitchesText}, function process {(double)functionSwitches / measured:F1} (a bare round trip: {(double)bareSwitches / measured:F1}) | | | | | |");
        // 1.00: every invocation thawed a frozen environment; less: the next invocation was waiting when the runtime
        // came back to `next`, and was handed over without a freeze (see FreezeCounts).
        Console.WriteLine($"|   freezes per invocation: {(double)frozen / measured:F2} | | | | | |");
    }

    private static Dictionary<string, string> FunctionEnvironment(string[] args)
    {
        Dictionary<string, string> environment = [];
        for (int i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--function-env" && args[i + 1].Split('=', 2) is [string name, string value])
            {
                environment[name] = value;
            }
        }

        return environment;
    }

    private static FunctionDefinition Noop(string name, string runtime, string handler, string code) => new()
    {
        Name = name,
        Runtime = runtime,
        Handler = handler,
        CodeDirectory = code,
        Timeout = 30,
    };

    /// <summary>Set by <c>--client blocking</c>: the warm rows time both paths with it instead of HttpClient.</summary>
    private static BlockingHttpClient? s_blocking;

    // Wait until the environment is frozen before each invocation of an in-process row (see UntilFrozen).
    private static bool s_paceUntilFrozen;

    private static async Task TimeAsync(HttpClient http, Uri baseUrl, string path, int count, List<double> times, Func<Task>? beforeEach = null)
    {
        Uri url = new(baseUrl, path);
        for (int i = 0; i < count; i++)
        {
            if (beforeEach is not null)
            {
                await beforeEach();
            }

            times.Add(s_blocking is { } blocking ? blocking.Post(baseUrl, path) : await TimeOneAsync(http, url, null));
        }
    }

    /// <summary>
    /// Before each timed invocation of an in-process row: wait (untimed) until the function's environment is frozen,
    /// so that every invocation thaws it, as a warm invocation on Lambda does. Without it this process's client sends
    /// the next invocation before the host has seen the runtime's `next` about as often as not, and the host hands it
    /// over with no freeze and no thaw: cheaper, and a different measurement. (The `up` row: see UntilStopped.) Null with
    /// --back-to-back or --no-freeze.
    /// </summary>
    private static Func<Task>? UntilFrozen(FunctionHost host, string function) => s_paceUntilFrozen
        ? async () =>
        {
            if (host.Environments(function) is [ExecutionEnvironment environment])
            {
                try
                {
                    await environment.WhenFrozen().WaitAsync(TimeSpan.FromSeconds(1));
                }
                catch (TimeoutException)
                {
                    // Not frozen within a second (the runtime never came back to `next`): time it as it is.
                }
            }
        }
        : null;

    /// <summary>
    /// The same pacing for the `up` row, whose host is another process: before each timed invocation, wait (untimed)
    /// until the function process is stopped, read from /proc (state T). `up` answers the client before it freezes,
    /// and the runtime's pipelined `next` can arrive after the client's next call, which the host then hands over with
    /// no freeze: without the wait the row froze 0.59-0.95 of its invocations (2026-11-28 03:05-04:03 UTC) and its p50
    /// mixed both kinds. The wait yields its thread between reads (a freeze takes microseconds) and gives up after a
    /// second. Null with --back-to-back or --no-freeze.
    /// </summary>
    private static Func<Task>? UntilStopped(Func<int> findFunction) => s_paceUntilFrozen
        ? () =>
        {
            int pid = findFunction();
            long start = Stopwatch.GetTimestamp();
            while (pid != 0 && !ProcessCounters.IsStopped(pid) && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(1))
            {
                Thread.Yield();
            }

            return Task.CompletedTask;
        }
        : null;

    /// <summary>One POST of {} and its full response, in microseconds.</summary>
    private static async Task<double> TimeOneAsync(HttpClient http, Uri url, string? path)
    {
        Uri target = path is null ? url : new Uri(url, path);
        long start = Stopwatch.GetTimestamp();
        using HttpResponseMessage response = await http.PostAsync(target, new ByteArrayContent("{}"u8.ToArray()));
        await response.Content.ReadAsByteArrayAsync();
        double micros = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{target} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return micros;
    }

    private static double InitDuration(FunctionHost host, string name, long from)
    {
        foreach (var e in host.Logs.For(name).Read(from, 1000))
        {
            int at = e.Message.IndexOf("Init Duration: ", StringComparison.Ordinal);
            if (e.Message.StartsWith("REPORT", StringComparison.Ordinal) && at > 0)
            {
                string value = e.Message[(at + "Init Duration: ".Length)..].Split(' ')[0];
                return double.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return double.NaN;
    }

    private static double Percentile(List<double> values, double p)
    {
        List<double> sorted = [.. values];
        sorted.Sort();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
    }

    private static int IntArg(string[] args, string name, int fallback) =>
        StringArg(args, name) is string value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static string? StringArg(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Handshake.slnx")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("run from a Handshake checkout");
    }

    /// <summary>
    /// A Kestrel endpoint on 127.0.0.1:0 running one request delegate; with a route, on the store's event loop's
    /// listener (<see cref="DynamoTransport"/>), which answers the route's plain requests itself.
    /// </summary>
    private sealed class Endpoint(WebApplication app, Uri url) : IAsyncDisposable
    {
        public Uri Url { get; } = url;

        public static async Task<Endpoint> StartAsync(RequestDelegate handler, IPlainRoute? route = null)
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            EmbeddedLifetime.Use(builder.Services);
            builder.Logging.ClearProviders();
            if (route is null)
            {
                builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            }
            else
            {
                builder.WebHost.UseKestrel(k => k.Listen(new DynamoListenEndPoint(new IPEndPoint(IPAddress.Loopback, 0), () => null, TimeSpan.FromSeconds(130), route: () => route)));
                DynamoTransport.AddTo(builder.Services);
            }

            WebApplication app = builder.Build();
            app.Run(handler);
            await app.StartAsync();
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Endpoint(app, new Uri(address));
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
