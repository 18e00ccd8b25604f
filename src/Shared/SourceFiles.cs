namespace Handshake.Builds;

/// <summary>
/// Whether a build is older than what it is built from. The demo builds its sample functions once and caches them, and
/// the benchmarks measure NativeAOT publishes; both build again only when a source file is newer than the build. One
/// rule for both, so that the demo and the benchmarks agree on what counts as a source. One source file, linked into
/// Handshake (the demo) and Handshake.Bench.
/// </summary>
internal static class SourceFiles
{
    private static readonly string[] Patterns = ["*.cs", "*.csproj", "*.props", "*.targets", "*.json"];

    // Build outputs and hidden folders (.handshake data, .git) are not sources. `out` is where the samples publish to.
    private static readonly string[] BuildOutputs = ["bin", "obj", "out", "node_modules"];

    /// <summary>The repository's own build files, which every project is built from too.</summary>
    public static string[] RootBuildFiles(string root) =>
        [Path.Combine(root, "Directory.Build.props"), Path.Combine(root, "Directory.Packages.props"), Path.Combine(root, "global.json")];

    /// <summary>The newest source file under <paramref name="sources"/> (directories or files), build outputs excluded.</summary>
    public static (string Path, DateTime WrittenUtc)? Newest(IEnumerable<string> sources)
    {
        (string, DateTime)? newest = null;
        foreach (string source in sources)
        {
            // A file named as a source is one, whatever its name; a folder's files are filtered.
            bool folder = Directory.Exists(source);
            IEnumerable<string> files = folder ? Patterns.SelectMany(pattern => Directory.EnumerateFiles(source, pattern, SearchOption.AllDirectories))
                : File.Exists(source) ? [source]
                : [];
            foreach (string file in files)
            {
                if (folder && IsBuildOutput(source, file))
                {
                    continue;
                }

                DateTime written = File.GetLastWriteTimeUtc(file);
                if (newest is null || written > newest.Value.Item2)
                {
                    newest = (file, written);
                }
            }
        }

        return newest;
    }

    private static bool IsBuildOutput(string source, string file)
    {
        string relative = Path.GetRelativePath(source, file);
        foreach (string part in relative.Split(Path.DirectorySeparatorChar))
        {
            if (Array.IndexOf(BuildOutputs, part) >= 0 || part.StartsWith('.'))
            {
                return true;
            }
        }

        return false;
    }
}
