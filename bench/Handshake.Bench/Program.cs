using System.CommandLine;
using Handshake.Bench;
using Handshake.Bench.Peers;
using Handshake.Bench.Servers;

// Load drivers and peer comparisons. `store` is issue 2's comparison of the store with dynalite, moto and bare Kestrel:
//   dotnet run -c Release --project bench/Handshake.Bench -- store [--duration 5] [--connections 1,32] [--json]
// `host` is issue 3's function-host benchmark (its own argument parsing; see bench/Handshake.Bench/Host and README `host`):
//   dotnet run -c Release --project bench/Handshake.Bench -- host [--warm 2000] [--cold 5] [--scale 500] [--concurrency 32] [--aot DIR]
//     [--warm-only] [--rows noop-jit,noop-jit-nodiag,noop-aot,in-process,up] [--up PATH] [--no-freeze] [--function-env NAME=VALUE]
if (args is ["host", ..])
{
    return await Handshake.Bench.Host.HostBenchmark.RunAsync(args[1..]);
}

// `reliability` is issue 6's long runs: kill -9 cycles and the mixed load (see bench/Handshake.Bench/Reliability):
//   dotnet run -c Release --project bench/Handshake.Bench -- reliability kill-nine [--cycles 100]
//   dotnet run -c Release --project bench/Handshake.Bench -- reliability mixed-load [--duration 10m] [--interval 60s]
if (args is ["reliability", ..])
{
    return await Handshake.Bench.Reliability.ReliabilityCommand.RunAsync(args[1..]);
}

var root = new RootCommand("Handshake benchmarks: the same load generator against Handshake and its peers, in one run.");

var duration = new Option<double>("--duration") { Description = "Seconds measured per scenario (operation x connections).", DefaultValueFactory = _ => 5 };
var warmup = new Option<double>("--warmup") { Description = "Seconds of unmeasured load before each scenario.", DefaultValueFactory = _ => 1 };
var connections = new Option<string>("--connections") { Description = "Comma-separated connection counts.", DefaultValueFactory = _ => "1,32" };
var keys = new Option<int>("--keys") { Description = "Distinct ~100-byte items seeded and cycled through.", DefaultValueFactory = _ => 4000 };
var targets = new Option<string>("--targets") { Description = "Comma-separated targets: handshake,dynalite,moto,bare.", DefaultValueFactory = _ => string.Join(',', StoreComparison.AllTargets) };
var maxRequests = new Option<long>("--max-requests") { Description = "Upper bound on requests per scenario.", DefaultValueFactory = _ => 5_000_000 };
var json = new Option<bool>("--json") { Description = "Print the results as JSON instead of markdown tables." };
var handshake = new Option<string?>("--handshake") { Description = "The handshake executable (default: the NativeAOT publish, src/Handshake/bin/Release/net10.0/RID/publish/handshake, published if missing)." };
var noUp = new Option<bool>("--no-up") { Description = "Measure the store in its own DynamoServer process instead of `handshake up`." };

var store = new Command("store", "PutItem and GetItem of ~100-byte items at each connection count against Handshake (durable), dynalite (on disk), moto and a bare Kestrel endpoint.")
{
    duration, warmup, connections, keys, targets, maxRequests, json, handshake, noUp,
};
store.SetAction(async (parse, ct) =>
{
    // The load generator runs its socket continuations on the epoll thread, as wrk does, instead of hopping to the
    // thread pool: it then takes less of the two shared cores from the servers it measures. Read by the socket engine
    // on first use, so it is set before any socket exists; PeerProcess removes it from every server's environment.
    Environment.SetEnvironmentVariable(PeerProcess.InlineCompletionsVariable, "1");
    try
    {
        var settings = new ComparisonSettings(
            TimeSpan.FromSeconds(parse.GetValue(duration)), TimeSpan.FromSeconds(parse.GetValue(warmup)),
            [.. parse.GetValue(connections)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse)],
            parse.GetValue(keys),
            parse.GetValue(targets)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            parse.GetValue(maxRequests));
        return await StoreCommand.RunAsync(settings, parse.GetValue(handshake), parse.GetValue(noUp), parse.GetValue(json), string.Join(' ', args), ct);
    }
    finally
    {
        PeerProcess.KillAll();
    }
});
root.Subcommands.Add(store);
root.Subcommands.Add(Handshake.Bench.Query.QueryCommand.Create());

var serveBare = new Command("serve-bare", "(internal) the bare Kestrel endpoint, as a child of the bench.") { Hidden = true };
serveBare.SetAction((_, ct) => BareEndpoint.RunAsync(ct));
root.Subcommands.Add(serveBare);

var dataDir = new Option<string>("--data-dir") { Required = true };
var serveStore = new Command("serve-store", "(internal) the store alone on a durable data directory, as a child of the bench.") { dataDir };
serveStore.Hidden = true;
serveStore.SetAction((parse, ct) => StoreEndpoint.RunAsync(parse.GetValue(dataDir)!, ct));
root.Subcommands.Add(serveStore);

return await root.Parse(args).InvokeAsync();
