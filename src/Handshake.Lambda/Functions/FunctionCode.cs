using System.IO.Compression;
using System.Security.Cryptography;

namespace Handshake.Lambda.Functions;

/// <summary>Deployment packages: a zip unpacked under the data directory, or a local directory used in place.</summary>
public static class FunctionCode
{
    /// <summary>LocalStack's convention, which deploy tools know: S3Bucket "hot-reload" with S3Key = a local directory.</summary>
    public const string LocalDirectoryBucket = "hot-reload";

    /// <summary>Lambda's message for a package that is not a readable zip.</summary>
    public const string CannotUnzip = "Could not unzip uploaded file. Please check your file, then try to upload again.";

    /// <summary>Lambda's message (InvalidParameterValueException) for a readable zip that holds no entry.</summary>
    public const string EmptyZip = "Uploaded file must be a non-empty zip";

    /// <summary>Lambda's quota on a zip uploaded directly (Code.ZipFile, 50 MB).</summary>
    public const int MaxZippedBytes = 52_428_800;

    /// <summary>
    /// What Lambda answers a Code.ZipFile above <see cref="MaxZippedBytes"/> with since 2023-11 (before the request
    /// size check): the message as LocalStack's parity update records it; InvalidParameterValueException is inferred.
    /// </summary>
    public const string ZippedTooLarge = "Zipped size must be smaller than 52428800 bytes";

    /// <summary>Lambda's quota on a package's unzipped size (250 MB).</summary>
    public const long MaxUnzippedBytes = 262_144_000;

    /// <summary>Lambda's message (InvalidParameterValueException) for a package above <see cref="MaxUnzippedBytes"/> unzipped.</summary>
    public const string UnzippedTooLarge = "Unzipped size must be smaller than 262144000 bytes";

    /// <summary>Unpacks a zip into functions/NAME/SHA under the host's data directory (DATA/lambda under `up`) and returns the directory, CodeSha256 and CodeSize.</summary>
    /// <exception cref="LambdaException">
    /// InvalidParameterValueException when the zip cannot be read or unpacked (see <see cref="ZipPackage"/>) or is above
    /// 250 MB unzipped; nothing is left behind then.
    /// </exception>
    public static (string Directory, string Sha256, long Size) InstallZip(string dataDirectory, string functionName, byte[] zip)
    {
        string sha = Convert.ToBase64String(SHA256.HashData(zip));
        string directory = Path.Combine(dataDirectory, "functions", functionName, Convert.ToHexStringLower(SHA256.HashData(zip))[..16]);
        string staging = directory + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using MemoryStream stream = new(zip);
            using ZipArchive archive = new(stream, ZipArchiveMode.Read);
            // An empty archive extracts nothing, not even the staging directory, so the move below failed with a bare
            // 500; Lambda refuses such a package before anything else.
            if (archive.Entries.Count == 0)
            {
                throw LambdaException.InvalidParameter(EmptyZip);
            }

            // Extraction restores Unix permissions from the entries, so a `bootstrap` stays executable.
            ZipPackage.Extract(archive, staging);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            TryDelete(staging);
            throw LambdaException.InvalidParameter(CannotUnzip);
        }
        catch (LambdaException)
        {
            // Above the unzipped limit, part of the package is already written.
            TryDelete(staging);
            throw;
        }

        if (Directory.Exists(directory))
        {
            TryDelete(staging);
        }
        else
        {
            Directory.Move(staging, directory);
        }

        return (directory, sha, zip.Length);
    }

    /// <summary>Reads every entry of a zip without writing anything (a dry run's validation).</summary>
    /// <exception cref="LambdaException">InvalidParameterValueException when the zip cannot be read.</exception>
    public static void CheckZip(byte[] zip)
    {
        try
        {
            using MemoryStream stream = new(zip);
            using ZipArchive archive = new(stream, ZipArchiveMode.Read);
            if (archive.Entries.Count == 0)
            {
                throw LambdaException.InvalidParameter(EmptyZip);
            }

            ZipPackage.Check(archive);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
        {
            throw LambdaException.InvalidParameter(CannotUnzip);
        }
    }

    /// <summary>A local directory used in place (code changes are picked up by new environments).</summary>
    public static (string Directory, string Sha256, long Size) UseDirectory(string directory)
    {
        string full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
        {
            throw LambdaException.InvalidParameter($"Code directory {full} does not exist.");
        }

        (string sha, long size) = CodeDirectoryHash.Compute(full);
        return (full, sha, size);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}
