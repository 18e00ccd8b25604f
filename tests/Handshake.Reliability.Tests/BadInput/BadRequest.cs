namespace Handshake.Reliability.Tests.BadInput;

/// <summary>One malformed request of the corpus: what it breaks, and the bytes and headers sent.</summary>
public sealed record BadRequest(string Category, string Name, string? Operation, byte[] Body, string? ContentType, string? Authorization)
{
    public const string JsonContentType = "application/x-amz-json-1.0";
    public const string DummyAuthorization =
        "AWS4-HMAC-SHA256 Credential=corpus/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";

    /// <summary>A body the client declares larger than it is sent: Content-Length alone exceeds 16 MB.</summary>
    public long? DeclaredLength { get; init; }

    public override string ToString() => $"{Category}/{Operation}/{Name}";
}
