namespace Handshake.Network.SigV4;

/// <summary>Why a request's signature was refused: an AWS error code (the part after '#') and AWS's exact message.</summary>
public sealed record SigV4Failure(string Code, string Message)
{
    public const string IncompleteSignatureException = nameof(IncompleteSignatureException);
    public const string InvalidSignatureException = nameof(InvalidSignatureException);
    public const string UnrecognizedClientException = nameof(UnrecognizedClientException);
    public const string MissingAuthenticationTokenException = nameof(MissingAuthenticationTokenException);

    public static SigV4Failure Missing() => new(MissingAuthenticationTokenException, "Request is missing Authentication Token");

    public static SigV4Failure Incomplete(string message) => new(IncompleteSignatureException, message);

    public static SigV4Failure Invalid(string message) => new(InvalidSignatureException, message);

    public static SigV4Failure UnknownKey() => new(UnrecognizedClientException, "The security token included in the request is invalid.");

    // AWS drops the final period for a bad session token (observed by dynalite against DynamoDB).
    public static SigV4Failure BadSessionToken() => new(UnrecognizedClientException, "The security token included in the request is invalid");

    public static SigV4Failure SignatureMismatch() => new(InvalidSignatureException,
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
}
