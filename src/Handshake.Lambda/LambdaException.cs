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

    /// <summary>
    /// A request that breaks a constraint of Lambda's API model (a pattern, an enum, a range, a required member): AWS's
    /// request validation answers these "1 validation error detected: ..." as ValidationException, before Lambda's own
    /// checks, which answer InvalidParameterValueException.
    /// </summary>
    public static LambdaException Validation(string message) =>
        new(400, "ValidationException", message);

    /// <summary>A RevisionId that is not the function's current one (optimistic locking).</summary>
    public static LambdaException PreconditionFailed() =>
        new(412, "PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");

    /// <summary>A RevisionId that is not the resource-based policy's current one (AddPermission, RemovePermission).</summary>
    public static LambdaException PolicyPreconditionFailed() =>
        new(412, "PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id");

    public static LambdaException Conflict(string message) =>
        new(409, "ResourceConflictException", message);

    public static LambdaException Throttled(string reason) =>
        new(429, "TooManyRequestsException", "Rate Exceeded.", reason);

    public const string ReservedConcurrencyReason = "ReservedFunctionConcurrentInvocationLimitExceeded";

    public const string AccountConcurrencyReason = "ConcurrentInvocationLimitExceeded";
}
