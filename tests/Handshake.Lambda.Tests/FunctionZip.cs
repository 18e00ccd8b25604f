using System.IO.Compression;

namespace Handshake.Lambda.Tests;

/// <summary>Deployment packages for the tests: the bash runtime, zipped with its executable bit.</summary>
internal static class FunctionZip
{
    public static byte[] BashRuntime(string? extraFile = null)
    {
        using MemoryStream buffer = new();
        using (ZipArchive zip = new(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            ZipArchiveEntry bootstrap = zip.CreateEntry("bootstrap");
            // Unix mode 0100755 in the high 16 bits, as `zip` writes it: extraction restores it.
            bootstrap.ExternalAttributes = 0x81ED << 16;
            using (Stream stream = bootstrap.Open())
            {
                stream.Write(File.ReadAllBytes(Path.Combine(TestHost.FunctionDirectory("bash-runtime"), "bootstrap")));
            }

            if (extraFile is not null)
            {
                using StreamWriter writer = new(zip.CreateEntry(extraFile).Open());
                writer.Write(extraFile);
            }
        }

        return buffer.ToArray();
    }
}
