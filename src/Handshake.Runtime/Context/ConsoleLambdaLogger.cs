using System.Globalization;

namespace Handshake.Runtime.Context;

/// <summary>
/// The log line layout of AWS's .NET runtime (Amazon.Lambda.RuntimeSupport, text format):
/// <c>timestamp TAB requestId TAB level TAB message</c> on stdout, the level spelled as Microsoft.Extensions.Logging's
/// console does (<c>info</c> for <see cref="LogLine"/>, <c>fail</c> for <see cref="LogError"/>). The platform captures
/// stdout into the log stream, so nothing else is needed, here or on real Lambda.
/// </summary>
public sealed class ConsoleLambdaLogger : ILambdaLogger
{
    private readonly string _awsRequestId;
    private readonly TimeProvider _clock;

    public ConsoleLambdaLogger(string awsRequestId, TimeProvider clock)
    {
        _awsRequestId = awsRequestId;
        _clock = clock;
    }

    public void LogLine(string message) => Write(LambdaConsole.Information, "info", message);

    public void LogError(string message) => Write(LambdaConsole.Error, "fail", message);

    /// <summary>The timestamp column: UTC, milliseconds, <c>2024-05-01T12:34:56.789Z</c>.</summary>
    internal static string Timestamp(TimeProvider clock) =>
        clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private void Write(int level, string label, string message)
    {
        // AWS_LAMBDA_LOG_LEVEL applies to the logger as to the console (only under LambdaRuntime, which reads it).
        if (level >= LambdaConsole.MinimumLevel)
        {
            LambdaConsole.WriteFormattedLine($"{Timestamp(_clock)}\t{_awsRequestId}\t{label}\t{message}");
        }
    }
}
