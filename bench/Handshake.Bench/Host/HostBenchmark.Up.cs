using System.Globalization;
using System.Text.Json;
using Handshake.Bench.Peers;

namespace Handshake.Bench.Host;

/// <summary>
/// The warm row through the product itself: `handshake up` (the NativeAOT publish) in its own process, the no-op
/// NativeAOT function declared in a handshake.json, invoked by the same client against the same in-process bare round
/// trip. The other rows measure the host library inside the benchmark; this is what a user of `up` gets, with the
/// store, the request router and connection accounting on the same endpoint.
/// </summary>
internal static partial class HostBenchmark
{
    private static async Task WarmThroughUpAsync(string[] args, string root, HttpClient http, Uri bare, string aotDirectory, int warm)
    {
        string? given = StringArg(args, "--up");
        string executable = given ?? Path.Combine(root, "src", "Handshake", "bin", "Release", "net10.0", "linux-x64", "publish", "handshake");
        if (!await PublishedBuild.EnsureAsync(root, executable, PublishedBuild.HandshakeSources(root), PublishedBuild.HandshakePublish(root, "linux-x64"), given is not null, CancellationToken.None))
        {
            Console.WriteLine($"| (`handshake up` row skipped: no {executable}; publish it with `dotnet publish src/Handshake -c Release -r linux-x64`) | | | | | |");
            return;
        }

        DirectoryInfo project = Directory.CreateTempSubdirectory("handshake-host-bench-");
        try
        {
            string declaration = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["functions"] = new Dictionary<string, object>
                {
                    ["noop-aot"] = new Dictionary<string, string> { ["runtime"] = "provided.al2023", ["handler"] = "bootstrap", ["code"] = aotDirectory },
                },
            });
            await File.WriteAllTextAsync(Path.Combine(project.FullName, "handshake.json"), declaration);
            int port = StartupProbe.FreePort();
            // As a user runs it: the default data directory (./.handshake in the project directory, deleted below), so
            // the function logs' writer (logs.db) works beside the invocations being measured.
            await using PeerProcess up = PeerProcess.Start("handshake up", executable, ["up", "--port", port.ToString(CultureInfo.InvariantCulture)], project.FullName);
            while (await up.ReadLineAsync(TimeSpan.FromSeconds(30), CancellationToken.None) is { } line && !line.StartsWith("Handshake is up", StringComparison.Ordinal))
            {
            }

            Uri endpoint = new($"http://127.0.0.1:{port}");
            // The bare baseline in a process of its own as well (the same Kestrel answer as the in-process one).
            await using RunningTarget separate = await new TargetLauncher(root, null).StartBareAsync(CancellationToken.None);
            int functionPid = 0;
            Func<int> findFunction = () => functionPid is not 0 && Directory.Exists($"/proc/{functionPid}") ? functionPid : functionPid = ProcessCounters.ChildProcessId(up.Id, "bootstrap");
            await WarmAsync(http, bare, endpoint, "noop-aot", "same through `handshake up` (NativeAOT, its own process)", warm,
                findFunction, () => FreezeCounts.ScrapeAsync(endpoint, "noop-aot"), UntilStopped(findFunction), hostPid: up.Id,
                separateBare: new Uri($"http://127.0.0.1:{separate.Endpoint.Port}"));
        }
        finally
        {
            project.Delete(recursive: true);
        }
    }
}
