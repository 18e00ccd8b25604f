using System.Text;

namespace Handshake.Dynamo.Model;

/// <summary>
/// Item size by DynamoDB's rules (developer guide, "Item sizes and formats"): each attribute costs the UTF-8 bytes of
/// its name plus its value; strings count UTF-8 bytes, binary the raw bytes (not base64), numbers about one byte per
/// two significant digits plus one, BOOL and NULL one byte, and a list or map 3 bytes plus 1 per element.
/// The 400 KB limit includes attribute names.
/// </summary>
public static class ItemSize
{
    public const int MaxItemBytes = 400 * 1024;
    public const int MaxHashKeyBytes = 2048;
    public const int MaxRangeKeyBytes = 1024;

    public static int Of(Dictionary<string, AttributeValue> item)
    {
        int size = 0;
        foreach (var (name, value) in item) size += Encoding.UTF8.GetByteCount(name) + Of(value);
        return size;
    }

    public static int Of(AttributeValue value)
    {
        switch (value.Type)
        {
            case AttributeType.S: return Encoding.UTF8.GetByteCount(value.S);
            case AttributeType.N: return value.N.StorageSize;
            case AttributeType.B: return value.B.Length;
            case AttributeType.BOOL:
            case AttributeType.NULL: return 1;
            case AttributeType.SS:
            {
                int size = 0;
                foreach (var s in value.SS) size += Encoding.UTF8.GetByteCount(s);
                return size;
            }
            case AttributeType.NS:
            {
                int size = 0;
                foreach (var n in value.NS) size += n.StorageSize;
                return size;
            }
            case AttributeType.BS:
            {
                int size = 0;
                foreach (var b in value.BS) size += b.Length;
                return size;
            }
            case AttributeType.L:
            {
                int size = 3;
                foreach (var element in value.L) size += 1 + Of(element);
                return size;
            }
            case AttributeType.M:
            {
                int size = 3;
                foreach (var (name, element) in value.M) size += 1 + Encoding.UTF8.GetByteCount(name) + Of(element);
                return size;
            }
            default: return 0;
        }
    }
}
