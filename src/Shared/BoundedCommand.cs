using System.Diagnostics;

namespace Handshake.Builds;

/// <summary>
/// A command run to completion (a publish, `npm ci`, `node --version`, `handshake up --help`): its exit code and its
/// stdout and stderr together, bounded in time. A command that runs past its limit, or is cancelled, is killed with
/// its children, so that no build outlives the demo or the benchmark that started it. One source file, linked into
/// Handshake (the demo) and Handshake.Bench.
/// </summary>
internal static class BoundedCommand
{
    /// <exception cref="System.ComponentModel.Win32Exception">The program cannot be started (not on PATH).</exception>
    /// <exception cref="TimeoutException">It ran longer than <paramref name="limit"/> and was killed.</exception>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, string? workingDirectory,
        TimeSpan limit, CancellationToken cancellationToken)
    {
        ProcessStartInfo start = new(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {fileName}");
        // Both pipes are read from the start: a command that fills one while the other is waited on would block.
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return (process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }
}
