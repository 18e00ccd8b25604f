namespace Handshake.Dynamo.Protocol;

/// <summary>
/// The one exception type the store raises for anything a client did wrong (or a condition that failed).
/// It carries DynamoDB's error code and exact message; <see cref="DynamoErrorCode"/> maps the code to the wire
/// namespace and HTTP status in one place.
/// </summary>
public sealed class DynamoException : Exception
{
    public DynamoException(string code, string? message) : base(message ?? string.Empty)
    {
        Code = code;
        WireMessage = message;
    }

    /// <summary>The short error type, e.g. "ValidationException".</summary>
    public string Code { get; }

    /// <summary>The message as sent on the wire; null when AWS sends none (e.g. malformed JSON).</summary>
    public string? WireMessage { get; }

    /// <summary>Extra members of the error body (e.g. the Item of a failed condition, issue 5). Null when none.</summary>
    internal Action<System.Text.Json.Utf8JsonWriter>? WriteExtraMembers { get; init; }

    /// <summary>The stored item a failed condition returns (ReturnValuesOnConditionCheckFailure=ALL_OLD); a
    /// BatchExecuteStatement entry carries it in its Error.</summary>
    internal byte[]? Item { get; init; }

    public static DynamoException Validation(string message) => new(DynamoErrorCode.ValidationException, message);

    public static DynamoException Serialization(string? message) => new(DynamoErrorCode.SerializationException, message);

    public static DynamoException ResourceNotFound(string message = "Requested resource not found") =>
        new(DynamoErrorCode.ResourceNotFoundException, message);

    public static DynamoException TableNotFound(string tableName) =>
        new(DynamoErrorCode.ResourceNotFoundException, "Requested resource not found: Table: " + tableName + " not found");

    public static DynamoException ConditionalCheckFailed() =>
        new(DynamoErrorCode.ConditionalCheckFailedException, "The conditional request failed");

    public static DynamoException ResourceInUse(string message) => new(DynamoErrorCode.ResourceInUseException, message);
}
