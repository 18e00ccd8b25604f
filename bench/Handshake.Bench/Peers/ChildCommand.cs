using System.Diagnostics;

namespace Handshake.Bench.Peers;

/// <summary>A command run to completion (a publish, `handshake up --help`): its exit code and its output, bounded in time.</summary>
internal static class ChildCommand
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string[] arguments, TimeSpan limit, CancellationToken ct, string? workingDirectory = null)
    {
        using var process = Process.Start(new ProcessStartInfo(fileName, arguments)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? string.Empty,
        }) ?? throw new InvalidOperationException($"could not start {fileName}");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output + await error);
    }
}
