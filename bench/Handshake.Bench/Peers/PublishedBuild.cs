using Handshake.Builds;

namespace Handshake.Bench.Peers;

/// <summary>
/// The NativeAOT binaries a benchmark measures (`handshake`, the no-op function's `bootstrap`) are published, and
/// `dotnet run` of the benchmark does not publish them again. A binary older than its sources measures code that is no
/// longer there: until 2026-11-27 the host benchmark's NativeAOT rows ran a no-op function published before its runtime
/// client learned to send `next` behind each answer, and every NativeAOT number of that day was of the old client. So
/// a default binary that is missing or older than any of its sources is published again before it is measured, and an
/// explicitly given one that is older only gets a warning (an A/B run measures an old build on purpose).
/// </summary>
internal static class PublishedBuild
{
    /// <summary>What the `handshake` executable is built from.</summary>
    public static string[] HandshakeSources(string root) => [Path.Combine(root, "src"), .. SourceFiles.RootBuildFiles(root)];

    public static string[] HandshakePublish(string root, string rid) =>
        ["publish", Path.Combine(root, "src", "Handshake"), "-c", "Release", "-r", rid, "--nologo", "-v", "q"];

    /// <summary>What the no-op function's NativeAOT `bootstrap` is built from: the sample and the runtime client.</summary>
    public static string[] NoopSources(string root) =>
        [Path.Combine(root, "samples", "noop-dotnet"), Path.Combine(root, "src", "Handshake.Runtime"), .. SourceFiles.RootBuildFiles(root)];

    public static string[] NoopPublish(string root, string outputDirectory) =>
        ["publish", Path.Combine(root, "samples", "noop-dotnet"), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", outputDirectory, "--nologo", "-v", "q"];

    /// <summary>
    /// Makes sure <paramref name="binary"/> is at least as new as <paramref name="sources"/>: publishes it with
    /// <paramref name="publishArguments"/> (arguments to `dotnet`) when it is missing or stale and
    /// <paramref name="explicitlyGiven"/> is false, warns when it is stale and was given. False when it still does not
    /// exist. What was done is said on stderr, with the binary's build time.
    /// </summary>
    public static async Task<bool> EnsureAsync(string root, string binary, IEnumerable<string> sources, string[] publishArguments, bool explicitlyGiven, CancellationToken ct)
    {
        var newest = SourceFiles.Newest(sources);
        bool exists = File.Exists(binary);
        bool stale = exists && newest is { } source && source.WrittenUtc > File.GetLastWriteTimeUtc(binary);
        if (explicitlyGiven)
        {
            if (stale)
            {
                Console.Error.WriteLine($"warning: {binary} is older than {Path.GetRelativePath(root, newest!.Value.Path)}; measuring it as given");
            }
        }
        else if (!exists || stale)
        {
            string why = exists ? $"older than {Path.GetRelativePath(root, newest!.Value.Path)}" : "missing";
            Console.Error.WriteLine($"publishing {Path.GetRelativePath(root, binary)} ({why}; NativeAOT, a few minutes)...");
            (int code, string output) = await BoundedCommand.RunAsync("dotnet", publishArguments, root, TimeSpan.FromMinutes(15), ct);
            if (code != 0)
            {
                Console.Error.WriteLine(output);
                Console.Error.WriteLine($"warning: `dotnet {string.Join(' ', publishArguments)}` failed ({code})");
            }
        }

        if (!File.Exists(binary))
        {
            return false;
        }

        Console.Error.WriteLine($"measuring {Path.GetRelativePath(root, binary)} (built {File.GetLastWriteTimeUtc(binary):yyyy-MM-dd HH:mm:ss} UTC)");
        return true;
    }
}
