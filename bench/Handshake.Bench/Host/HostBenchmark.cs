using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
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
internal static class HostBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        int warm = IntArg(args, "--warm", 2000);
        int cold = IntArg(args, "--cold", 5);
        int scale = IntArg(args, "--scale", 500);
        int concurrency = IntArg(args, "--concurrency", 32);
        bool warmOnly = args.Contains("--warm-only");
        string root = FindRoot();
        string configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        string jitDirectory = Path.Combine(root, "samples", "noop-dotnet", "bin", configuration, "net10.0");
        string aotDirectory = StringArg(args, "--aot") ?? Path.Combine(root, "samples", "noop-dotnet", "out");

        Console.WriteLine($"# Function host benchmark ({configuration}, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        await using Endpoint bare = await Endpoint.StartAsync(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("{}");
        });
        bool freeze = !args.Contains("--no-freeze");
        await using FunctionHost host = new(new FunctionHostOptions { AccountConcurrencyLimit = Math.Max(concurrency, 16), FreezeBetweenInvocations = freeze });
        LambdaHttpEndpoint lambda = new(host);
        await using Endpoint endpoint = await Endpoint.StartAsync(lambda.HandleAsync);
        using HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { Timeout = TimeSpan.FromSeconds(60) };

        host.CreateFunction(Noop("noop-jit", "dotnet8", "Noop", jitDirectory));
        host.CreateFunction(Noop("noop-node", "nodejs20.x", "index.handler", Path.Combine(root, "samples", "noop-node")));
        bool aot = File.Exists(Path.Combine(aotDirectory, "bootstrap"));
        if (aot)
        {
            host.CreateFunction(Noop("noop-aot", "provided.al2023", "bootstrap", aotDirectory));
        }

        // Warm: the same client, keep-alive, sequential; bare round trip and invocation interleaved in blocks.
        List<double> bareTimes = [];
        List<double> invokeTimes = [];
        await TimeAsync(http, bare.Url, "/", 200, []);
        await TimeAsync(http, endpoint.Url, "/2015-03-31/functions/noop-jit/invocations", 200, []);
        for (int block = 0; block < 10; block++)
        {
            await TimeAsync(http, bare.Url, "/", warm / 10, bareTimes);
            await TimeAsync(http, endpoint.Url, "/2015-03-31/functions/noop-jit/invocations", warm / 10, invokeTimes);
        }

        double bareP50 = Percentile(bareTimes, 0.50);
        double invokeP50 = Percentile(invokeTimes, 0.50);
        Console.WriteLine();
        Console.WriteLine($"## Warm invocation, no-op C# (JIT), {warm} sequential calls{(freeze ? "" : ", freezing off")}");
        Console.WriteLine("| path | p50 µs | p99 µs |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| bare loopback HTTP round trip | {bareP50:F0} | {Percentile(bareTimes, 0.99):F0} |");
        Console.WriteLine($"| Invoke API → Runtime API → function → back | {invokeP50:F0} | {Percentile(invokeTimes, 0.99):F0} |");
        Console.WriteLine($"| host overhead (invoke − bare) | {invokeP50 - bareP50:F0} | {Percentile(invokeTimes, 0.99) - Percentile(bareTimes, 0.99):F0} |");
        Console.WriteLine($"p50 ratio invoke / bare: {invokeP50 / bareP50:F2}x");

        // The same, with the runtime loop inside this process: what the host itself adds, without a second process.
        await using (FunctionHost inProcess = new(new FunctionHostOptions(), null, new InProcessRuntimeLauncher()))
        {
            inProcess.CreateFunction(Noop("in-process", "dotnet8", "Noop", jitDirectory));
            LambdaHttpEndpoint inProcessLambda = new(inProcess);
            await using Endpoint inProcessEndpoint = await Endpoint.StartAsync(inProcessLambda.HandleAsync);
            List<double> inProcessTimes = [];
            List<double> bareAgain = [];
            await TimeAsync(http, inProcessEndpoint.Url, "/2015-03-31/functions/in-process/invocations", 200, []);
            for (int block = 0; block < 10; block++)
            {
                await TimeAsync(http, bare.Url, "/", warm / 10, bareAgain);
                await TimeAsync(http, inProcessEndpoint.Url, "/2015-03-31/functions/in-process/invocations", warm / 10, inProcessTimes);
            }

            Console.WriteLine($"| same, runtime loop in-process (host alone, no second process) | {Percentile(inProcessTimes, 0.50):F0} | {Percentile(inProcessTimes, 0.99):F0} |");
            Console.WriteLine($"p50 ratio in-process invoke / bare: {Percentile(inProcessTimes, 0.50) / Percentile(bareAgain, 0.50):F2}x (bare p50 in this block {Percentile(bareAgain, 0.50):F0} µs)");
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

        Console.WriteLine($"Runtime API listener (bare Kestrel on 127.0.0.1:0) start, part of every cold start: first {listener[0]:F2} ms, then median {Percentile(listener.Skip(1).ToList(), 0.5):F2} ms");

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

    private static FunctionDefinition Noop(string name, string runtime, string handler, string code) => new()
    {
        Name = name,
        Runtime = runtime,
        Handler = handler,
        CodeDirectory = code,
        Timeout = 30,
    };

    private static async Task TimeAsync(HttpClient http, Uri baseUrl, string path, int count, List<double> times)
    {
        Uri url = new(baseUrl, path);
        for (int i = 0; i < count; i++)
        {
            times.Add(await TimeOneAsync(http, url, null));
        }
    }

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

    /// <summary>A Kestrel endpoint on 127.0.0.1:0 running one request delegate.</summary>
    private sealed class Endpoint(WebApplication app, Uri url) : IAsyncDisposable
    {
        public Uri Url { get; } = url;

        public static async Task<Endpoint> StartAsync(RequestDelegate handler)
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
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
