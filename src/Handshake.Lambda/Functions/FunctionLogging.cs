namespace Handshake.Lambda.Functions;

/// <summary>
/// A function's LoggingConfig: LogFormat "Text" (no levels) or "JSON" (with ApplicationLogLevel and SystemLogLevel,
/// INFO unless given), and a LogGroup of its own or null for /aws/lambda/NAME.
/// </summary>
public sealed record FunctionLogging(string LogFormat, string? ApplicationLogLevel, string? SystemLogLevel, string? LogGroup)
{
    public static readonly FunctionLogging Default = new("Text", null, null, null);

    /// <summary>The group LoggingConfig names: its own, or Lambda's default for the function.</summary>
    public string LogGroupFor(string functionName) => LogGroup ?? "/aws/lambda/" + functionName;
}
