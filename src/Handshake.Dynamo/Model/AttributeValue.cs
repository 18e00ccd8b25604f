namespace Handshake.Dynamo.Model;

/// <summary>The ten DynamoDB data types, named as on the wire.</summary>
public enum AttributeType : byte
{
    S, N, B, BOOL, NULL, M, L, SS, NS, BS,
}

/// <summary>
/// One DynamoDB attribute value. A single sealed class with a type tag (rather than a class per type) keeps items
/// compact and lets the evaluator switch on <see cref="Type"/> without casts. Values are immutable once built.
/// </summary>
public sealed class AttributeValue
{
    private readonly object? _payload;
    private readonly DynamoNumber _number;
    private readonly bool _bool;

    private AttributeValue(AttributeType type, object? payload, DynamoNumber number = default, bool boolean = false)
    {
        Type = type;
        _payload = payload;
        _number = number;
        _bool = boolean;
    }

    public AttributeType Type { get; }

    public static readonly AttributeValue Null = new(AttributeType.NULL, null, boolean: true);
    public static readonly AttributeValue True = new(AttributeType.BOOL, null, boolean: true);
    public static readonly AttributeValue False = new(AttributeType.BOOL, null, boolean: false);

    public static AttributeValue FromString(string value) => new(AttributeType.S, value);
    public static AttributeValue FromNumber(DynamoNumber value) => new(AttributeType.N, null, value);
    public static AttributeValue FromBinary(byte[] value) => new(AttributeType.B, value);
    public static AttributeValue FromBool(bool value) => value ? True : False;
    public static AttributeValue FromMap(Dictionary<string, AttributeValue> value) => new(AttributeType.M, value);
    public static AttributeValue FromList(List<AttributeValue> value) => new(AttributeType.L, value);
    public static AttributeValue FromStringSet(List<string> value) => new(AttributeType.SS, value);
    public static AttributeValue FromNumberSet(List<DynamoNumber> value) => new(AttributeType.NS, value);
    public static AttributeValue FromBinarySet(List<byte[]> value) => new(AttributeType.BS, value);

    public string S => (string)_payload!;
    public DynamoNumber N => _number;
    public byte[] B => (byte[])_payload!;
    public bool Bool => _bool;
    public Dictionary<string, AttributeValue> M => (Dictionary<string, AttributeValue>)_payload!;
    public List<AttributeValue> L => (List<AttributeValue>)_payload!;
    public List<string> SS => (List<string>)_payload!;
    public List<DynamoNumber> NS => (List<DynamoNumber>)_payload!;
    public List<byte[]> BS => (List<byte[]>)_payload!;

    /// <summary>
    /// DynamoDB equality: same type and same value; numbers by value, sets regardless of order.
    /// </summary>
    public bool ValueEquals(AttributeValue other)
    {
        if (Type != other.Type) return false;
        switch (Type)
        {
            case AttributeType.S: return S == other.S;
            case AttributeType.N: return N == other.N;
            case AttributeType.B: return B.AsSpan().SequenceEqual(other.B);
            case AttributeType.BOOL: return Bool == other.Bool;
            case AttributeType.NULL: return true;
            case AttributeType.L:
            {
                var a = L; var b = other.L;
                if (a.Count != b.Count) return false;
                for (int i = 0; i < a.Count; i++) if (!a[i].ValueEquals(b[i])) return false;
                return true;
            }
            case AttributeType.M:
            {
                var a = M; var b = other.M;
                if (a.Count != b.Count) return false;
                foreach (var (name, value) in a)
                    if (!b.TryGetValue(name, out var v) || !value.ValueEquals(v)) return false;
                return true;
            }
            case AttributeType.SS:
            {
                var a = SS; var b = other.SS;
                if (a.Count != b.Count) return false;
                foreach (var x in a) if (!b.Contains(x)) return false;
                return true;
            }
            case AttributeType.NS:
            {
                var a = NS; var b = other.NS;
                if (a.Count != b.Count) return false;
                foreach (var x in a) if (!b.Contains(x)) return false;
                return true;
            }
            case AttributeType.BS:
            {
                var a = BS; var b = other.BS;
                if (a.Count != b.Count) return false;
                foreach (var x in a) if (!ContainsBinary(b, x)) return false;
                return true;
            }
            default: return false;
        }
    }

    internal static bool ContainsBinary(List<byte[]> set, byte[] value)
    {
        foreach (var member in set) if (member.AsSpan().SequenceEqual(value)) return true;
        return false;
    }
}
