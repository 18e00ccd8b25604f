using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Model;

/// <summary>
/// DynamoDB's 32-level limit on nested attributes: a scalar inside 31 maps or lists is accepted, inside 32 it is not
/// (captured against AWS: 31 map wraps pass, 32 fail). Checked on every item that is written whole (PutItem,
/// BatchWriteItem, a transaction's Put) and on the item an UpdateItem or a transaction's Update produces, before
/// anything is stored.
/// </summary>
public static class ItemNesting
{
    public const int MaxLevels = 32;

    public const string Message = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit";

    public static void Validate(Dictionary<string, AttributeValue> item)
    {
        foreach (var value in item.Values)
        {
            if (Exceeds(value, 1)) throw DynamoException.Validation(Message);
        }
    }

    private static bool Exceeds(AttributeValue value, int level)
    {
        if (level > MaxLevels) return true;
        if (value.Type == AttributeType.M)
        {
            foreach (var element in value.M.Values)
            {
                if (Exceeds(element, level + 1)) return true;
            }
        }
        else if (value.Type == AttributeType.L)
        {
            foreach (var element in value.L)
            {
                if (Exceeds(element, level + 1)) return true;
            }
        }

        return false;
    }
}
