using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Handshake.Bench.Reliability;

/// <summary>`handshake up --port 0` on a data directory as a child process, and the endpoint its banner reports.</summary>
public static partial class HandshakeUp
{
    /// <param name="handshake">handshake.dll (run with dotnet) or the handshake executable.</param>
    public static Process Start(string handshake, string dataDirectory)
    {
        // The child runs in the data directory (where it reads handshake.json), so a relative path would miss.
        handshake = Path.GetFullPath(handshake);
        bool dll = handshake.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        ProcessStartInfo start = new(dll ? dotnet : handshake)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        if (dll) start.ArgumentList.Add(handshake);
        foreach (string argument in new[] { "up", "--port", "0", "--data-dir", dataDirectory })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("AWS_ENDPOINT_URL");
        Directory.CreateDirectory(dataDirectory);
        Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start handshake");
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    public static async Task<Uri> WaitUntilUpAsync(Process server, CancellationToken cancellationToken)
    {
        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            string? line = await server.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false)
                ?? throw new InvalidOperationException("handshake exited before it was up (a refused database?)");
            Match match = UpLine().Match(line);
            if (match.Success)
            {
                // The rest of the banner is drained so that the child never blocks on a full pipe.
                _ = server.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return new Uri(match.Groups[1].Value + "/");
            }
        }
    }

    /// <summary>Resident memory of a process in bytes (VmRSS), or 0 once it is gone.</summary>
    public static long ResidentBytes(int processId) => Memory(processId).Resident;

    /// <summary>
    /// VmRSS and its two parts from /proc/PID/status: RssAnon (the heap, stacks, SQLite's page cache: what a leak grows)
    /// and RssFile (mapped files: the code, and the store's database file mapped by its readers, which grows with the data).
    /// Zeros once the process is gone.
    /// </summary>
    public static ProcessMemory Memory(int processId)
    {
        long resident = 0, anonymous = 0, file = 0;
        try
        {
            foreach (string line in File.ReadLines($"/proc/{processId}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) resident = Kilobytes(line);
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anonymous = Kilobytes(line);
                else if (line.StartsWith("RssFile:", StringComparison.Ordinal)) file = Kilobytes(line);
            }
        }
        catch (IOException)
        {
        }

        return new ProcessMemory(resident, anonymous, file);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;

    [GeneratedRegex(@"Handshake is up on (http://[^ ]+) ")]
    private static partial Regex UpLine();
}

/// <summary>Resident memory in bytes: all of it, the anonymous part and the file-backed part.</summary>
public readonly record struct ProcessMemory(long Resident, long Anonymous, long File);
