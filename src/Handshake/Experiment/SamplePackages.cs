using System.ComponentModel;
using Handshake.Builds;

namespace Handshake.Experiment;

/// <summary>
/// Gets each mode's code ready: `npm ci` of samples/put-record-node from its committed lock file when node_modules is
/// missing, a Release build of samples/put-record-dotnet, and its NativeAOT publish. Builds are cached under the
/// sample's bin/handshake-bench directory and redone only when a source file is newer.
/// </summary>
internal sealed class SamplePackages(string repositoryRoot, Action<string> progress)
{
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private readonly Dictionary<SamplePackage, string> _ready = [];

    public string NodeDirectory => Path.Combine(repositoryRoot, "samples", "put-record-node");

    public string DotnetProject => Path.Combine(repositoryRoot, "samples", "put-record-dotnet", "put-record-dotnet.csproj");

    private string CacheDirectory => Path.Combine(repositoryRoot, "samples", "put-record-dotnet", "bin", "handshake-bench");

    /// <summary>The repository that holds samples/ and runtimes/: above the executable, else above the working directory.</summary>
    public static string FindRepositoryRoot()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (DirectoryInfo? directory = new(start); directory is not null; directory = directory.Parent)
            {
                if (Directory.Exists(Path.Combine(directory.FullName, "samples", "put-record-node"))
                    && Directory.Exists(Path.Combine(directory.FullName, "samples", "put-record-dotnet")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new ExperimentException("cannot find the samples/ directory (run handshake from the Handshake repository)");
    }

    /// <summary>The Node.js version, or null with the reason when `node` cannot be run.</summary>
    public static async Task<(string? Version, string? Problem)> ProbeNodeAsync(CancellationToken cancellationToken)
    {
        try
        {
            (int exit, string output) = await RunAsync("node", ["--version"], null, TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
            return exit == 0 ? (output.Trim(), null) : (null, $"`node --version` exited {exit}");
        }
        catch (Win32Exception)
        {
            return (null, "Node.js (`node`) is not on PATH");
        }
    }

    /// <summary>The code directory for a package, building it on first use. Throws ExperimentException with one line.</summary>
    public async Task<string> PrepareAsync(SamplePackage package, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (_ready.TryGetValue(package, out string? ready))
        {
            return ready;
        }

        string directory = package switch
        {
            SamplePackage.Node => await PrepareNodeAsync(cancellationToken).ConfigureAwait(false),
            SamplePackage.Dotnet => await BuildDotnetAsync(aot: false, timeout ?? BuildTimeout, cancellationToken).ConfigureAwait(false),
            _ => await BuildDotnetAsync(aot: true, timeout ?? BuildTimeout, cancellationToken).ConfigureAwait(false),
        };
        _ready[package] = directory;
        return directory;
    }

    private async Task<string> PrepareNodeAsync(CancellationToken cancellationToken)
    {
        string directory = NodeDirectory;
        if (Directory.Exists(Path.Combine(directory, "node_modules", "aws-sdk"))
            && Directory.Exists(Path.Combine(directory, "node_modules", "@aws-sdk", "client-dynamodb")))
        {
            return directory;
        }

        progress("Installing the Node samples' dependencies from their lock file (npm ci)...");
        try
        {
            (int exit, string output) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], directory, NpmTimeout, cancellationToken).ConfigureAwait(false);
            if (exit != 0)
            {
                throw new ExperimentException($"npm ci failed in {directory}: {LastLine(output)}");
            }
        }
        catch (Win32Exception)
        {
            throw new ExperimentException("npm is not on PATH (the Node modes need Node.js and npm)");
        }

        return directory;
    }

    private async Task<string> BuildDotnetAsync(bool aot, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string output = Path.Combine(CacheDirectory, aot ? "aot" : "jit");
        string entry = Path.Combine(output, aot ? "bootstrap" : "PutRecord.dll");
        DateTime newestSource = NewestSource();
        if (File.Exists(entry) && File.GetLastWriteTimeUtc(entry) >= newestSource)
        {
            return output;
        }

        // The solution's own build of the sample (scripts/test.sh, an IDE) serves as well when it is up to date.
        foreach (string configuration in new[] { "Release", "Debug" })
        {
            string built = Path.Combine(Path.GetDirectoryName(DotnetProject)!, "bin", configuration, "net10.0");
            if (!aot && File.Exists(Path.Combine(built, "PutRecord.dll")) && File.GetLastWriteTimeUtc(Path.Combine(built, "PutRecord.dll")) >= newestSource)
            {
                return built;
            }
        }

        progress(aot ? "Publishing the dotnet sample NativeAOT (once; cached)..." : "Building the dotnet sample (once; cached)...");
        List<string> arguments = aot
            ? ["publish", DotnetProject, "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true"]
            : ["build", DotnetProject, "-c", "Release"];
        // A private artifacts path: never races with a build of the same project elsewhere.
        arguments.AddRange(["--artifacts-path", Path.Combine(CacheDirectory, aot ? "aot-artifacts" : "jit-artifacts"), "-o", output, "--nologo", "-v", "q"]);
        (int exit, string log) = await RunAsync("dotnet", arguments, repositoryRoot, timeout, cancellationToken).ConfigureAwait(false);
        if (exit != 0 || !File.Exists(entry))
        {
            throw new ExperimentException($"dotnet {arguments[0]} of {DotnetProject} failed: {LastLine(log)}");
        }

        return output;
    }

    // The sample, the runtime client and SDK helper it is built with, and the repository's build files.
    private DateTime NewestSource() =>
        SourceFiles.Newest([Path.GetDirectoryName(DotnetProject)!, Path.Combine(repositoryRoot, "src", "Handshake.Runtime"),
            Path.Combine(repositoryRoot, "src", "Handshake.Runtime.AwsSdk"), .. SourceFiles.RootBuildFiles(repositoryRoot)])?.WrittenUtc ?? DateTime.MinValue;

    private static string LastLine(string output)
    {
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no output)" : lines[^1];
    }

    /// <summary>Runs a tool to completion (<see cref="BoundedCommand"/>); a timeout is one line saying what to do instead.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IReadOnlyList<string> arguments, string? workingDirectory,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await BoundedCommand.RunAsync(fileName, arguments, workingDirectory, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new ExperimentException($"{fileName} {arguments[0]} took longer than {timeout.TotalSeconds:F0} s and was stopped" +
                (arguments.Contains("-p:PublishAot=true") ? " (run `handshake bench --modes dotnet-aot` once: it waits for the publish and caches it)" : ""));
        }
    }
}
