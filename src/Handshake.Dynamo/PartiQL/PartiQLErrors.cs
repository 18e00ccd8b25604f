using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.PartiQL;

/// <summary>
/// The PartiQL messages. Where AWS's own text is known (from captures of AWS, or the same frontend's messages in
/// DynamoDB Local) it is used word for word; the detail after "Statement wasn't well formed, can't be processed: "
/// for syntax errors other than a statement that is not DML is this store's own (README, known limits).
/// </summary>
internal static class PartiQLErrors
{
    public const string IncompleteKey = "Where clause does not contain a mandatory equality on all key attributes";
    public const string DuplicateItem = "Duplicate primary key exists in table";
    public const string ParameterCount = "Number of parameters in request and statement don't match.";
    public const string ExistsOutsideTransaction = "EXISTS can only be used in ExecuteTransaction write requests.";
    public const string NotOnIndex = "This operation is not supported on an index";

    public static DynamoException NotWellFormed(string detail) =>
        DynamoException.Validation("Statement wasn't well formed, can't be processed: " + detail);

    public static DynamoException DuplicateItemException() => new(DynamoErrorCode.DuplicateItemException, DuplicateItem);
}
