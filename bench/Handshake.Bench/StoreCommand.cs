using System.Globalization;
using Handshake.Bench.Peers;
using Handshake.Bench.Reporting;
using Handshake.Builds;

namespace Handshake.Bench;

/// <summary>The `store` verb: finds (or builds) the handshake executable, runs the comparison, prints the report.</summary>
public static class StoreCommand
{
    public static async Task<int> RunAsync(
        ComparisonSettings settings, string? handshakePath, bool noUp, bool json, string commandLine, CancellationToken ct)
    {
        var root = FindRepositoryRoot();
        var startedUtc = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var executable = noUp || !settings.Targets.Contains("handshake") ? null : await FindHandshakeUpAsync(root, handshakePath, ct);
        var launcher = new TargetLauncher(root, executable);
        var results = await new StoreComparison(launcher, settings).RunAsync(ct);
        var report = new ComparisonReport(
            "dotnet run -c Release --project bench/Handshake.Bench -- " + commandLine, startedUtc, Environment.ProcessorCount,
            LoadAverage(), settings.Duration.TotalSeconds, settings.Warmup.TotalSeconds, settings.Keys, results,
            ReportWriter.Ratios(results), ReportWriter.Goals(results, executable is not null));
        Console.Out.Write(json ? ReportWriter.Json(report) + "\n" : ReportWriter.Markdown(report));
        return results.Any(r => r.Failure is not null || r.Scenarios.Any(s => s.Errors > 0)) ? 1 : 0;
    }

    /// <summary>
    /// The handshake executable if it has an `up` verb: by default the NativeAOT publish the README tells users to run
    /// (`dotnet publish src/Handshake -c Release -r RID`), published first when missing or older than its sources
    /// (<see cref="PublishedBuild"/>). Null means: use the store process.
    /// </summary>
    private static async Task<string?> FindHandshakeUpAsync(string root, string? path, CancellationToken ct)
    {
        var rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        bool given = path is not null;
        path ??= Path.Combine(root, "src", "Handshake", "bin", "Release", "net10.0", rid, "publish", "handshake");
        if (!await PublishedBuild.EnsureAsync(root, path, PublishedBuild.HandshakeSources(root), PublishedBuild.HandshakePublish(root, rid), given, ct))
        {
            Console.Error.WriteLine("warning: could not publish the handshake executable; measuring the store in its own process instead");
            return null;
        }

        var (exit, output) = await BoundedCommand.RunAsync(path, ["up", "--help"], null, TimeSpan.FromSeconds(30), ct);
        if (exit == 0 && output.Contains("--data-dir", StringComparison.Ordinal))
        {
            return path;
        }

        Console.Error.WriteLine($"warning: {path} has no `up` verb yet; measuring the store (DynamoServer) in its own process instead");
        return null;
    }

    private static double LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return double.Parse(fields[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Handshake.slnx")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("run the bench from inside the Handshake repository (no Handshake.slnx found)");
    }
}
