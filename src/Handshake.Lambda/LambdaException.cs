namespace Handshake.Lambda;

/// <summary>
/// A Lambda service error: HTTP status, the type sent in x-amzn-ErrorType, and Lambda's message. Mapped to the wire in
/// one place (InvokeApi/LambdaErrorWriter).
/// </summary>
public sealed class LambdaException(int statusCode, string errorType, string message, string? reason = null) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public string ErrorType { get; } = errorType;

    /// <summary>TooManyRequestsException's Reason.</summary>
    public string? Reason { get; } = reason;

    public static LambdaException FunctionNotFound(string arn) =>
        new(404, "ResourceNotFoundException", $"Function not found: {arn}");

    public static LambdaException InvalidParameter(string message) =>
        new(400, "InvalidParameterValueException", message);

    public static LambdaException Conflict(string message) =>
        new(409, "ResourceConflictException", message);

    public static LambdaException Throttled(string reason) =>
        new(429, "TooManyRequestsException", "Rate Exceeded.", reason);

    public const string ReservedConcurrencyReason = "ReservedFunctionConcurrentInvocationLimitExceeded";

    public const string AccountConcurrencyReason = "ConcurrentInvocationLimitExceeded";
}
