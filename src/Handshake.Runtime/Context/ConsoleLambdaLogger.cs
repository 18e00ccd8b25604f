using System.Globalization;

namespace Handshake.Runtime.Context;

/// <summary>
/// Lambda's log line layout, <c>timestamp TAB requestId TAB LEVEL TAB message</c>, on stdout. The platform captures stdout
/// into the log stream, so nothing else is needed, here or on real Lambda.
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

    public void LogLine(string message) => Write("INFO", message);

    public void LogError(string message) => Write("ERROR", message);

    private void Write(string level, string message)
    {
        var timestamp = _clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        Console.Out.WriteLine($"{timestamp}\t{_awsRequestId}\t{level}\t{message}");
    }
}
