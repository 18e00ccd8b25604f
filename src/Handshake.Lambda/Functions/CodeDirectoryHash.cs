using System.Security.Cryptography;
using System.Text;

namespace Handshake.Lambda.Functions;

/// <summary>CodeSha256 and CodeSize for a code directory: a hash of relative paths, sizes and modification times (not contents, so node_modules stays cheap).</summary>
internal static class CodeDirectoryHash
{
    public static (string Sha256, long Size) Compute(string directory)
    {
        using IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        List<string> files = [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)];
        files.Sort(StringComparer.Ordinal);
        foreach (string file in files)
        {
            FileInfo info = new(file);
            size += info.Length;
            hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetRelativePath(directory, file)}\0{info.Length}\0{info.LastWriteTimeUtc.Ticks}\n"));
        }

        return (Convert.ToBase64String(hash.GetHashAndReset()), size);
    }
}
