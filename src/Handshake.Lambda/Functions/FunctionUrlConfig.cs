namespace Handshake.Lambda.Functions;

/// <summary>
/// A function URL (Lambda's FunctionUrlConfig): the dedicated HTTP endpoint of a function's unqualified ARN or of one
/// alias. Immutable: UpdateFunctionUrlConfig replaces it. The url-id never changes for a (function, qualifier).
/// </summary>
public sealed record FunctionUrlConfig
{
    public const string AuthNone = "NONE";
    public const string AuthIam = "AWS_IAM";
    public const string Buffered = "BUFFERED";
    public const string ResponseStream = "RESPONSE_STREAM";

    public required string FunctionName { get; init; }

    /// <summary>The alias the URL invokes, or null for the unqualified function ($LATEST).</summary>
    public string? Qualifier { get; init; }

    /// <summary>32 lowercase letters and digits: the URL's host label (and the event's apiId).</summary>
    public required string UrlId { get; init; }

    public required string AuthType { get; init; }

    public FunctionUrlCors? Cors { get; init; }

    public string InvokeMode { get; init; } = Buffered;

    public required DateTimeOffset CreationTime { get; init; }

    public required DateTimeOffset LastModifiedTime { get; init; }
}

/// <summary>The URL's CORS settings (Lambda's Cors shape); absent members are null.</summary>
public sealed record FunctionUrlCors
{
    public bool? AllowCredentials { get; init; }

    public IReadOnlyList<string>? AllowHeaders { get; init; }

    public IReadOnlyList<string>? AllowMethods { get; init; }

    public IReadOnlyList<string>? AllowOrigins { get; init; }

    public IReadOnlyList<string>? ExposeHeaders { get; init; }

    public int? MaxAge { get; init; }
}
