using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>ReturnValues and ReturnValuesOnConditionCheckFailure as PutItem and DeleteItem accept them.</summary>
internal static class ReturnValuesMember
{
    public static void Validate(string? value, ValidationErrors errors) =>
        errors.Enum(value, "returnValues", "ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW",
            "ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW");

    public static void ValidateOnConditionCheckFailure(string? value, ValidationErrors errors) =>
        errors.Enum(value, "returnValuesOnConditionCheckFailure", "ALL_OLD, NONE", "ALL_OLD", "NONE");

    /// <summary>Single-item writes other than UpdateItem only return the old item.</summary>
    public static bool ReturnsOld(string? value)
    {
        if (value is not null && value != "ALL_OLD" && value != "NONE")
            throw DynamoException.Validation("ReturnValues can only be ALL_OLD or NONE");
        return value == "ALL_OLD";
    }

    public static void ValidateItemCollectionMetrics(string? value, ValidationErrors errors) =>
        errors.Enum(value, "returnItemCollectionMetrics", "SIZE, NONE", "SIZE", "NONE");
}
