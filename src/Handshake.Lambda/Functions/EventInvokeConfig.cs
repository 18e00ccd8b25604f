namespace Handshake.Lambda.Functions;

/// <summary>
/// A function's asynchronous invocation settings for one qualifier ($LATEST, a version or an alias): how many times a
/// function error is retried, how old an event may get before it is dropped, and where the invocation record goes on
/// success or failure. Absent values mean Lambda's defaults (2 retries, 6 hours, no destination).
/// </summary>
public sealed record EventInvokeConfig(
    string Qualifier,
    int? MaximumRetryAttempts,
    int? MaximumEventAgeInSeconds,
    string? OnSuccess,
    string? OnFailure,
    DateTimeOffset LastModified)
{
    public const int DefaultRetryAttempts = 2;

    public const int DefaultMaximumEventAgeInSeconds = 21600;
}
