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

    // A session token that is not the key's (a stale AWS_SESSION_TOKEN, a rotated role token, or any token sent with a
    // key that has none): AWS's text with its period, as boto3#509 quotes DynamoDB for a role token gone stale.
    public static SigV4Failure BadSessionToken() => UnknownKey();

    // A key that needs a session token, sent without one: DynamoDB drops the period here (the raw body in
    // baopham/laravel-dynamodb#228 and pynamodb/PynamoDB#603, both temporary keys sent without their token).
    public static SigV4Failure MissingSessionToken() => new(UnrecognizedClientException, "The security token included in the request is invalid");

    public static SigV4Failure SignatureMismatch() => new(InvalidSignatureException,
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
}
