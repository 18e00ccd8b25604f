using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>ConditionalCheckFailedException, carrying the old item when ReturnValuesOnConditionCheckFailure=ALL_OLD.</summary>
internal static class ConditionFailure
{
    public static DynamoException Create(byte[]? oldItem)
    {
        if (oldItem is null) return DynamoException.ConditionalCheckFailed();
        return new DynamoException(DynamoErrorCode.ConditionalCheckFailedException, "The conditional request failed")
        {
            Item = oldItem,
            WriteExtraMembers = w =>
            {
                w.WritePropertyName("Item"u8);
                w.WriteRawValue(oldItem, skipInputValidation: true);
            },
        };
    }
}
