using System.Text;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Model;

/// <summary>
/// An item's key in a secondary index, in the same order-preserving encoding as <see cref="PrimaryKey"/>. An item
/// that lacks an index key attribute is simply not in the index (a sparse index); one whose index key attribute has
/// the wrong type or is empty is refused with AWS's messages.
/// </summary>
public static class SecondaryIndexKey
{
    private const string Invalid = "One or more parameter values were invalid: ";

    /// <summary>
    /// Checks an item about to be written against every index of its table, as AWS does: type mismatches first,
    /// then empty values, each reported for the alphabetically first index that uses the attribute.
    /// </summary>
    public static void Validate(TableDefinition table, Dictionary<string, AttributeValue> item, bool fromUpdateExpression = false)
    {
        var indexes = table.Indexes;
        if (indexes.Count == 0) return;
        var ordered = new List<SecondaryIndexDefinition>(indexes);
        ordered.Sort(static (a, b) => string.CompareOrdinal(a.IndexName, b.IndexName));
        foreach (var index in ordered)
        {
            CheckType(index, index.Hash, item);
            if (index.Range is not null) CheckType(index, index.Range, item);
        }
        foreach (var index in ordered)
        {
            CheckNotEmpty(index, index.Hash, item, fromUpdateExpression);
            if (index.Range is not null) CheckNotEmpty(index, index.Range, item, fromUpdateExpression);
        }
    }

    /// <summary>
    /// Only the emptiness check: a transaction reports an empty index key as a top-level error before it runs, but a
    /// wrong-typed one as a cancellation reason (as DynamoDB does).
    /// </summary>
    public static void ValidateNotEmpty(TableDefinition table, Dictionary<string, AttributeValue> item, bool fromUpdateExpression)
    {
        if (table.Indexes.Count == 0) return;
        var ordered = new List<SecondaryIndexDefinition>(table.Indexes);
        ordered.Sort(static (a, b) => string.CompareOrdinal(a.IndexName, b.IndexName));
        foreach (var index in ordered)
        {
            CheckNotEmpty(index, index.Hash, item, fromUpdateExpression);
            if (index.Range is not null) CheckNotEmpty(index, index.Range, item, fromUpdateExpression);
        }
    }

    /// <summary>The item's key in <paramref name="index"/>; false when the item is not in it (sparse).</summary>
    public static bool TryEncode(SecondaryIndexDefinition index, Dictionary<string, AttributeValue> item, out byte[] hash, out byte[] range)
    {
        hash = [];
        range = [];
        if (!item.TryGetValue(index.Hash.Name, out var h) || h.Type != index.Hash.Type) return false;
        AttributeValue? r = null;
        if (index.Range is not null && (!item.TryGetValue(index.Range.Name, out r) || r.Type != index.Range.Type)) return false;
        hash = Encode(h);
        if (r is not null) range = Encode(r);
        return true;
    }

    public static byte[] Encode(AttributeValue value)
    {
        switch (value.Type)
        {
            case AttributeType.S: return Encoding.UTF8.GetBytes(value.S);
            case AttributeType.B: return value.B;
            default:
            {
                Span<byte> buffer = stackalloc byte[DynamoNumber.MaxKeyBytes];
                int length = value.N.WriteKeyBytes(buffer);
                return buffer[..length].ToArray();
            }
        }
    }

    private static void CheckType(SecondaryIndexDefinition index, KeyAttribute key, Dictionary<string, AttributeValue> item)
    {
        if (item.TryGetValue(key.Name, out var value) && value.Type != key.Type)
            throw DynamoException.Validation(Invalid + "Type mismatch for Index Key " + key.Name + " Expected: " + key.Type
                + " Actual: " + value.Type + " IndexName: " + index.IndexName);
    }

    private static void CheckNotEmpty(SecondaryIndexDefinition index, KeyAttribute key, Dictionary<string, AttributeValue> item, bool fromUpdateExpression)
    {
        if (!item.TryGetValue(key.Name, out var value)) return;
        bool empty = (value.Type == AttributeType.S && value.S.Length == 0) || (value.Type == AttributeType.B && value.B.Length == 0);
        if (!empty) return;
        string kind = value.Type == AttributeType.S ? "string" : "binary";
        throw DynamoException.Validation(fromUpdateExpression
            ? "One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty " + kind + " value."
            : "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty " + kind + " value. IndexName: " + index.IndexName + ", IndexKey: " + key.Name);
    }
}
