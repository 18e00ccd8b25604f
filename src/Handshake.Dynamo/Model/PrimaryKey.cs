using System.Text;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Model;

/// <summary>
/// A table's primary key in its storage form: the hash and range values in an order-preserving byte encoding
/// (strings as UTF-8, binary as is, numbers by <see cref="DynamoNumber.WriteKeyBytes"/>). SQLite compares BLOBs
/// with memcmp, so byte order here is DynamoDB's order and a sort-key range is an index seek.
/// A table without a range key stores an empty range.
/// </summary>
public readonly record struct PrimaryKey(byte[] Hash, byte[] Range)
{
    private const string Invalid = "One or more parameter values were invalid: ";
    public const string KeyMismatch = "The provided key element does not match the schema";

    /// <summary>Extracts and validates the key of a request's Key member (GetItem, DeleteItem, BatchGet...).</summary>
    public static PrimaryKey FromKey(TableDefinition table, Dictionary<string, AttributeValue> key)
    {
        int expected = table.Range is null ? 1 : 2;
        if (key.Count != expected) throw DynamoException.Validation(KeyMismatch);
        var hash = EncodeKeyPart(table.Hash, key, isHash: true, fromItem: false);
        var range = table.Range is null ? [] : EncodeKeyPart(table.Range, key, isHash: false, fromItem: false);
        return new PrimaryKey(hash, range);
    }

    /// <summary>Extracts and validates the key attributes of a whole item (PutItem, BatchWrite puts).</summary>
    public static PrimaryKey FromItem(TableDefinition table, Dictionary<string, AttributeValue> item)
    {
        var hash = EncodeKeyPart(table.Hash, item, isHash: true, fromItem: true);
        var range = table.Range is null ? [] : EncodeKeyPart(table.Range, item, isHash: false, fromItem: true);
        return new PrimaryKey(hash, range);
    }

    /// <summary>
    /// AWS refuses an empty string or binary as the value of a key attribute wherever one is given: in an item, a
    /// key, an ExclusiveStartKey, and a Query's key condition (on the table or an index).
    /// </summary>
    public static void ThrowIfEmpty(string keyName, AttributeValue value)
    {
        if (value.Type == AttributeType.S && value.S.Length == 0)
            throw DynamoException.Validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: " + keyName);
        if (value.Type == AttributeType.B && value.B.Length == 0)
            throw DynamoException.Validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: " + keyName);
    }

    private static byte[] EncodeKeyPart(KeyAttribute attribute, Dictionary<string, AttributeValue> values, bool isHash, bool fromItem)
    {
        if (!values.TryGetValue(attribute.Name, out var value))
            throw DynamoException.Validation(fromItem ? Invalid + "Missing the key " + attribute.Name + " in the item" : KeyMismatch);
        if (value.Type != attribute.Type)
            throw DynamoException.Validation(fromItem
                ? Invalid + "Type mismatch for key " + attribute.Name + " expected: " + attribute.Type + " actual: " + value.Type
                : KeyMismatch);
        ThrowIfEmpty(attribute.Name, value);
        byte[] bytes;
        switch (value.Type)
        {
            case AttributeType.S:
                bytes = Encoding.UTF8.GetBytes(value.S);
                break;
            case AttributeType.B:
                bytes = value.B;
                break;
            default:
            {
                Span<byte> buffer = stackalloc byte[DynamoNumber.MaxKeyBytes];
                int length = value.N.WriteKeyBytes(buffer);
                return buffer[..length].ToArray(); // numbers are always within the key size limits
            }
        }
        if (isHash && bytes.Length > ItemSize.MaxHashKeyBytes)
            throw DynamoException.Validation(Invalid + "Size of hashkey has exceeded the maximum size limit of2048 bytes");
        if (!isHash && bytes.Length > ItemSize.MaxRangeKeyBytes)
            throw DynamoException.Validation(Invalid + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
        return bytes;
    }

    /// <summary>Decodes one key part back to its attribute value (for keys returned from storage order).</summary>
    public static AttributeValue Decode(AttributeType type, byte[] bytes) => type switch
    {
        AttributeType.S => AttributeValue.FromString(Encoding.UTF8.GetString(bytes)),
        AttributeType.B => AttributeValue.FromBinary(bytes),
        _ => AttributeValue.FromNumber(DynamoNumber.FromKeyBytes(bytes)),
    };

    public bool Equals(PrimaryKey other) => Hash.AsSpan().SequenceEqual(other.Hash) && Range.AsSpan().SequenceEqual(other.Range);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Hash);
        hash.Add(-1);
        hash.AddBytes(Range);
        return hash.ToHashCode();
    }
}
