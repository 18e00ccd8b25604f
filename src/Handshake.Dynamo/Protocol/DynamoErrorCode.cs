namespace Handshake.Dynamo.Protocol;

/// <summary>
/// Every error code the store sends, and the single place that maps a code to its wire namespace and HTTP status.
/// AWS splits errors across three namespaces: the service's own errors, the Coral framework's validation layer,
/// and the Coral service layer (protocol, auth, serialization). SDKs match on the part after '#'.
/// </summary>
public static class DynamoErrorCode
{
    public const string ValidationException = nameof(ValidationException);
    public const string SerializationException = nameof(SerializationException);
    public const string UnknownOperationException = nameof(UnknownOperationException);
    public const string MissingAuthenticationTokenException = nameof(MissingAuthenticationTokenException);
    public const string IncompleteSignatureException = nameof(IncompleteSignatureException);
    public const string InvalidSignatureException = nameof(InvalidSignatureException);
    public const string UnrecognizedClientException = nameof(UnrecognizedClientException);
    public const string AccessDeniedException = nameof(AccessDeniedException);
    public const string ResourceNotFoundException = nameof(ResourceNotFoundException);
    public const string ResourceInUseException = nameof(ResourceInUseException);
    public const string TableNotFoundException = nameof(TableNotFoundException);
    public const string ConditionalCheckFailedException = nameof(ConditionalCheckFailedException);
    public const string LimitExceededException = nameof(LimitExceededException);
    public const string ProvisionedThroughputExceededException = nameof(ProvisionedThroughputExceededException);
    public const string ItemCollectionSizeLimitExceededException = nameof(ItemCollectionSizeLimitExceededException);
    public const string TransactionCanceledException = nameof(TransactionCanceledException);
    public const string TransactionConflictException = nameof(TransactionConflictException);
    public const string IdempotentParameterMismatchException = nameof(IdempotentParameterMismatchException);
    public const string DuplicateItemException = nameof(DuplicateItemException);
    public const string InternalServerError = nameof(InternalServerError);
    public const string ExpiredIteratorException = nameof(ExpiredIteratorException);
    public const string TrimmedDataAccessException = nameof(TrimmedDataAccessException);
    public const string RequestEntityTooLarge = nameof(RequestEntityTooLarge);

    private const string ServiceNamespace = "com.amazonaws.dynamodb.v20120810#";
    private const string ValidateNamespace = "com.amazon.coral.validate#";
    private const string CoralNamespace = "com.amazon.coral.service#";

    /// <summary>The full <c>__type</c> for a code.</summary>
    public static string WireType(string code) => code switch
    {
        ValidationException => ValidateNamespace + code,
        SerializationException or UnknownOperationException or MissingAuthenticationTokenException
            or IncompleteSignatureException or InvalidSignatureException or UnrecognizedClientException
            or AccessDeniedException or RequestEntityTooLarge => CoralNamespace + code,
        _ => ServiceNamespace + code,
    };

    /// <summary>The HTTP status AWS uses: every client error is 400; only server faults are 5xx.</summary>
    public static int HttpStatus(string code) => code switch
    {
        InternalServerError => 500,
        RequestEntityTooLarge => 413,
        _ => 400,
    };

    /// <summary>
    /// The Coral serialization layer spells the member "Message"; everything else uses "message". SDKs read both.
    /// DynamoDB's model spells it "Message" for TransactionCanceledException (beside its CancellationReasons) and
    /// IdempotentParameterMismatchException too.
    /// </summary>
    public static string MessageMember(string code) =>
        code is SerializationException or TransactionCanceledException or IdempotentParameterMismatchException ? "Message" : "message";
}
