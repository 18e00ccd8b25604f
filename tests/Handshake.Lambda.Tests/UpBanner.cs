using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Handshake.Lambda.Tests;

/// <summary>The endpoint a started `handshake up` prints in its banner ("Handshake is up on http://127.0.0.1:PORT").</summary>
internal static partial class UpBanner
{
    /// <exception cref="InvalidOperationException">`up` exited before its banner, with what it printed to stderr.</exception>
    public static async Task<string> ReadEndpointAsync(Process up)
    {
        while (await up.StandardOutput.ReadLineAsync() is string line)
        {
            Match match = EndpointLine().Match(line);
            if (match.Success)
            {
                // Keep draining the output so that the host never blocks on a full pipe.
                _ = up.StandardOutput.ReadToEndAsync();
                _ = up.StandardError.ReadToEndAsync();
                return match.Groups[1].Value;
            }
        }

        throw new InvalidOperationException("handshake up exited: " + await up.StandardError.ReadToEndAsync());
    }

    [GeneratedRegex(@"is up on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex EndpointLine();
}
