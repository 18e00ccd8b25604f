using System.IO.Compression;

namespace Handshake.Lambda.Functions;

/// <summary>
/// Unpacks a deployment package entry by entry, instead of <see cref="ZipFileExtensions.ExtractToDirectory(ZipArchive, string, bool)"/>,
/// to hold what a package is untrusted input for: Lambda's 250 MB unzipped limit (a 50 MB upload of zeros inflates to
/// ~50 GB; checked on the declared sizes, which bound what an entry inflates to, and on the bytes written), entries kept
/// inside the code directory, symlinks kept as links (as Lambda keeps them: node_modules/.bin) but created last, so
/// that no entry is ever written through one, and no setuid/setgid bit.
/// </summary>
internal static class ZipPackage
{
    private const int FileTypeMask = 0xF000;
    private const int SymbolicLink = 0xA000;
    private const int Directory = 0x4000;

    /// <summary>rwx for user, group and others: the setuid, setgid and sticky bits are dropped.</summary>
    private const int PermissionMask = 0x1FF;

    /// <summary>A link target is a path, never more than PATH_MAX.</summary>
    private const int MaxLinkTargetBytes = 4096;

    /// <summary>Unpacks into <paramref name="destination"/>, which must not exist yet.</summary>
    /// <exception cref="LambdaException">InvalidParameterValueException when the unzipped size is above Lambda's limit.</exception>
    /// <exception cref="InvalidDataException">An entry outside the destination, a broken entry or link.</exception>
    /// <exception cref="IOException">Entries that collide (a file where a directory or link is, or the reverse).</exception>
    public static void Extract(ZipArchive archive, string destination)
    {
        CheckDeclaredSize(archive);
        string root = Path.GetFullPath(destination);
        System.IO.Directory.CreateDirectory(root);
        long budget = FunctionCode.MaxUnzippedBytes;
        List<(string Path, string Target)> links = [];
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            string path = PathInside(root, entry.FullName);
            int mode = (int)((uint)entry.ExternalAttributes >> 16);
            if (IsDirectory(entry, mode))
            {
                System.IO.Directory.CreateDirectory(path);
                continue;
            }

            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if ((mode & FileTypeMask) == SymbolicLink)
            {
                links.Add((path, LinkTarget(entry, ref budget)));
                continue;
            }

            // A duplicate entry replaces the file written before it (the last one wins, as `unzip -o` does).
            FileStreamOptions options = new() { Mode = FileMode.Create, Access = FileAccess.Write };
            using (FileStream target = new(path, options))
            using (Stream source = entry.Open())
            {
                Copy(source, target, ref budget);
            }

            // A zip from Windows carries no mode: the file keeps the default (0644 under the usual umask). The host
            // runs on Unix only (process groups, SIGSTOP); the check is for the platform analyzer.
            if ((mode & PermissionMask) != 0 && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, (UnixFileMode)(mode & PermissionMask));
            }
        }

        foreach ((string path, string target) in links)
        {
            // A link over a file or link of the same name replaces it (duplicate entries); over a directory (entries
            // were written beneath the link's name) creating it throws and the package is refused, as Check refuses it.
            if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
            {
                File.Delete(path);
            }

            File.CreateSymbolicLink(path, target);
        }
    }

    /// <summary>Inflates every entry without writing anything (a dry run), with the same limits as <see cref="Extract"/>.</summary>
    public static void Check(ZipArchive archive)
    {
        CheckDeclaredSize(archive);
        const string root = "/code";
        long budget = FunctionCode.MaxUnzippedBytes;
        HashSet<string> links = new(StringComparer.Ordinal);
        List<string> paths = [];
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            string path = PathInside(root, entry.FullName);
            int mode = (int)((uint)entry.ExternalAttributes >> 16);
            if (!IsDirectory(entry, mode) && (mode & FileTypeMask) == SymbolicLink)
            {
                links.Add(path);
                LinkTarget(entry, ref budget);
                continue;
            }

            paths.Add(path);
            using Stream source = entry.Open();
            Copy(source, Stream.Null, ref budget);
        }

        // What Extract refuses when it creates the links: one where an entry was written beneath it.
        foreach (string path in paths)
        {
            for (string? parent = Path.GetDirectoryName(path); parent is not null && parent != root; parent = Path.GetDirectoryName(parent))
            {
                if (links.Contains(parent))
                {
                    throw new IOException($"Entry {path} is beneath the symlink {parent}.");
                }
            }
        }
    }

    /// <summary>The declared sizes first, which costs nothing: a bomb is refused before anything is inflated or written.</summary>
    private static void CheckDeclaredSize(ZipArchive archive)
    {
        long declared = 0;
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            declared += entry.Length;
            if (declared > FunctionCode.MaxUnzippedBytes)
            {
                throw LambdaException.InvalidParameter(FunctionCode.UnzippedTooLarge);
            }
        }
    }

    private static bool IsDirectory(ZipArchiveEntry entry, int mode) =>
        entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\') || (mode & FileTypeMask) == Directory;

    /// <summary>The entry's full path, refusing one that is absolute or climbs out of <paramref name="root"/> (zip slip).</summary>
    private static string PathInside(string root, string name)
    {
        string path = Path.GetFullPath(Path.Combine(root, name.Replace('\\', '/')));
        if (Path.IsPathRooted(name) || (path != root && !path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
        {
            throw new InvalidDataException($"Entry {name} is outside the code directory.");
        }

        return path.TrimEnd(Path.DirectorySeparatorChar);
    }

    private static string LinkTarget(ZipArchiveEntry entry, ref long budget)
    {
        using Stream source = entry.Open();
        using MemoryStream target = new();
        long linkBudget = MaxLinkTargetBytes;
        Copy(source, target, ref linkBudget, () => new InvalidDataException($"Symlink {entry.FullName} has a target above {MaxLinkTargetBytes} bytes."));
        budget -= target.Length;
        string text = System.Text.Encoding.UTF8.GetString(target.GetBuffer(), 0, (int)target.Length);
        return text.Length == 0 || text.Contains('\0') ? throw new InvalidDataException($"Symlink {entry.FullName} has no valid target.") : text;
    }

    private static void Copy(Stream source, Stream target, ref long budget, Func<Exception>? tooLarge = null)
    {
        byte[] buffer = new byte[81920];
        int read;
        while ((read = source.Read(buffer)) > 0)
        {
            budget -= read;
            if (budget < 0)
            {
                throw tooLarge?.Invoke() ?? LambdaException.InvalidParameter(FunctionCode.UnzippedTooLarge);
            }

            target.Write(buffer, 0, read);
        }
    }
}
