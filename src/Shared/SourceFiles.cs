namespace Handshake.Builds;

/// <summary>
/// Whether a build is older than what it is built from. The demo builds its sample functions once and caches them, and
/// the benchmarks measure NativeAOT publishes; both build again only when a source file is newer than the build. One
/// rule for both, so that the demo and the benchmarks agree on what counts as a source. One source file, linked into
/// Handshake (the demo) and Handshake.Bench.
/// </summary>
internal static class SourceFiles
{
    private static readonly string[] Extensions = [".cs", ".csproj", ".props", ".targets", ".json"];

    // Build outputs and hidden folders (.handshake data, .git) are not sources, and are not walked into: a sample's bin/
    // holds thousands of files. `out` is where the samples publish to.
    private static readonly string[] BuildOutputs = ["bin", "obj", "out", "node_modules"];

    /// <summary>The repository's own build files, which every project is built from too.</summary>
    public static string[] RootBuildFiles(string root) =>
        [Path.Combine(root, "Directory.Build.props"), Path.Combine(root, "Directory.Packages.props"), Path.Combine(root, "global.json")];

    /// <summary>The newest source file under <paramref name="sources"/> (directories or files), build outputs excluded.</summary>
    public static (string Path, DateTime WrittenUtc)? Newest(IEnumerable<string> sources)
    {
        (string Path, DateTime WrittenUtc)? newest = null;
        foreach (string source in sources)
        {
            // A file named as a source is one, whatever its name; a folder's files are filtered.
            if (Directory.Exists(source))
            {
                Walk(new DirectoryInfo(source), ref newest);
            }
            else if (File.Exists(source))
            {
                Consider(new FileInfo(source), ref newest);
            }
        }

        return newest;
    }

    // One walk per folder, pruned at build outputs and hidden folders.
    private static void Walk(DirectoryInfo directory, ref (string Path, DateTime WrittenUtc)? newest)
    {
        foreach (FileSystemInfo entry in directory.EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo child)
            {
                // Not through symbolic links either: a link back up the tree would never end.
                if (Array.IndexOf(BuildOutputs, child.Name) < 0 && !child.Name.StartsWith('.') && child.LinkTarget is null)
                {
                    Walk(child, ref newest);
                }
            }
            else if (entry is FileInfo file && Array.IndexOf(Extensions, file.Extension) >= 0 && !file.Name.StartsWith('.'))
            {
                Consider(file, ref newest);
            }
        }
    }

    private static void Consider(FileInfo file, ref (string Path, DateTime WrittenUtc)? newest)
    {
        DateTime written = file.LastWriteTimeUtc;
        if (newest is null || written > newest.Value.WrittenUtc)
        {
            newest = (file.FullName, written);
        }
    }
}
