using System.Globalization;

namespace Handshake.Runtime.Context;

/// <summary>The function-wide facts the platform passes in environment variables, read once at init.</summary>
public sealed class LambdaEnvironment
{
    public string RuntimeApi { get; init; } = string.Empty;
    public string FunctionName { get; init; } = string.Empty;
    public string FunctionVersion { get; init; } = "$LATEST";
    public int MemoryLimitInMB { get; init; } = 128;
    public string LogGroupName { get; init; } = string.Empty;
    public string LogStreamName { get; init; } = string.Empty;
    public string Handler { get; init; } = string.Empty;

    public static LambdaEnvironment FromEnvironmentVariables() => new()
    {
        RuntimeApi = Read("AWS_LAMBDA_RUNTIME_API") ?? string.Empty,
        FunctionName = Read("AWS_LAMBDA_FUNCTION_NAME") ?? string.Empty,
        FunctionVersion = Read("AWS_LAMBDA_FUNCTION_VERSION") ?? "$LATEST",
        MemoryLimitInMB = int.TryParse(Read("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), NumberStyles.None, CultureInfo.InvariantCulture, out var mb)
            ? mb
            : 128,
        LogGroupName = Read("AWS_LAMBDA_LOG_GROUP_NAME") ?? string.Empty,
        LogStreamName = Read("AWS_LAMBDA_LOG_STREAM_NAME") ?? string.Empty,
        Handler = Read("_HANDLER") ?? string.Empty,
    };

    private static string? Read(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
