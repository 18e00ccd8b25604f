using System.Globalization;

namespace Handshake.Runtime.Context;

/// <summary>
/// The log lines of AWS's .NET runtime (Amazon.Lambda.RuntimeSupport) on stdout: <see cref="LogLine"/> at level
/// Information, <see cref="LogError"/> at Error, in the format <see cref="LambdaConsole"/> was set to: text
/// <c>timestamp TAB requestId TAB level TAB message</c> with the console's labels (<c>info</c>, <c>fail</c>), or one
/// JSON object per line under <c>AWS_LAMBDA_LOG_FORMAT=JSON</c>. The platform captures stdout into the log stream, so
/// nothing else is needed, here or on real Lambda.
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

    public void LogLine(string message) => Write(LambdaConsole.Information, message);

    public void LogError(string message) => Write(LambdaConsole.Error, message);

    /// <summary>The timestamp column: UTC, milliseconds, <c>2024-05-01T12:34:56.789Z</c>.</summary>
    internal static string Timestamp(TimeProvider clock) =>
        clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private void Write(int level, string message)
    {
        // AWS_LAMBDA_LOG_LEVEL and AWS_LAMBDA_LOG_FORMAT apply to the logger as to the console (only under
        // LambdaRuntime, which reads them).
        if (level >= LambdaConsole.MinimumLevel)
        {
            LambdaConsole.WriteFormattedLine(LambdaConsole.FormatLine(level, _awsRequestId, message, _clock));
        }
    }
}
