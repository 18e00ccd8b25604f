namespace Handshake.Runtime.Client;

/// <summary>One event as answered by <c>GET /runtime/invocation/next</c>: its headers and its payload.</summary>
public sealed class InvocationRequest
{
    public required string AwsRequestId { get; init; }

    /// <summary>Unix epoch milliseconds after which the host times the invocation out.</summary>
    public required long DeadlineMs { get; init; }

    public required string InvokedFunctionArn { get; init; }
    public string? TraceId { get; init; }
    public string? ClientContext { get; init; }
    public string? CognitoIdentity { get; init; }
    public required byte[] Payload { get; init; }
}
