using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Amazon.DynamoDBv2.Model;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// The model's own number: sign and digits as a BigInteger mantissa times a power of ten, written here from the
/// documented rules and not from the store's number code (which is what the fuzz checks). Canonical text is plain
/// decimal, never scientific: AWS answers <c>1E2</c> as <c>100</c> and <c>1E+125</c> as 126 digits.
/// </summary>
internal readonly record struct ModelNumber(BigInteger Mantissa, int Exponent) : IComparable<ModelNumber>
{
    public static ModelNumber Parse(string text)
    {
        string s = text.Trim();
        int exponent = 0;
        int e = s.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            exponent = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..e];
        }

        bool negative = s.StartsWith('-');
        s = s.TrimStart('+', '-');
        int point = s.IndexOf('.');
        if (point >= 0)
        {
            exponent -= s.Length - point - 1;
            s = s.Remove(point, 1);
        }

        BigInteger mantissa = BigInteger.Parse(s.Length == 0 ? "0" : s, CultureInfo.InvariantCulture);
        return Normalize(negative ? -mantissa : mantissa, exponent);
    }

    private static ModelNumber Normalize(BigInteger mantissa, int exponent)
    {
        if (mantissa.IsZero)
        {
            return new(BigInteger.Zero, 0);
        }

        while (mantissa % 10 == 0)
        {
            mantissa /= 10;
            exponent++;
        }

        return new(mantissa, exponent);
    }

    /// <summary>Significant digits: more than 38 and AWS refuses the number.</summary>
    public int Digits => Mantissa.IsZero ? 1 : BigInteger.Abs(Mantissa).ToString(CultureInfo.InvariantCulture).Length;

    public ModelNumber Add(ModelNumber other)
    {
        int common = Math.Min(Exponent, other.Exponent);
        return Normalize(Scale(common) + other.Scale(common), common);
    }

    public ModelNumber Negate() => new(-Mantissa, Exponent);

    private BigInteger Scale(int exponent) => Mantissa * BigInteger.Pow(10, Exponent - exponent);

    public int CompareTo(ModelNumber other)
    {
        int common = Math.Min(Exponent, other.Exponent);
        return Scale(common).CompareTo(other.Scale(common));
    }

    public override string ToString()
    {
        if (Mantissa.IsZero)
        {
            return "0";
        }

        string digits = BigInteger.Abs(Mantissa).ToString(CultureInfo.InvariantCulture);
        string sign = Mantissa.Sign < 0 ? "-" : "";
        if (Exponent >= 0)
        {
            return sign + digits + new string('0', Exponent);
        }

        int fraction = -Exponent;
        return fraction < digits.Length
            ? sign + digits[..^fraction] + "." + digits[^fraction..]
            : sign + "0." + new string('0', fraction - digits.Length) + digits;
    }
}

/// <summary>
/// Values and their order as AWS documents them: numbers by value, strings by their UTF-8 bytes (not UTF-16 code units:
/// U+FFFD sorts before U+1F600 in UTF-8, after it in UTF-16), binary by unsigned bytes; and a canonical text of an
/// attribute value or item, so the model's expectation and the store's answer compare as strings.
/// </summary>
internal static class ModelValues
{
    public static AttributeValue S(string s) => new() { S = s };

    public static AttributeValue N(string n) => new() { N = n };

    public static AttributeValue B(byte[] b) => new() { B = new MemoryStream(b) };

    public static byte[] Bytes(AttributeValue v) => v.B!.ToArray();

    /// <summary>The scalar type of a value: "S", "N", "B", or the set/document type name.</summary>
    public static string TypeOf(AttributeValue v) =>
        v.S is not null ? "S" : v.N is not null ? "N" : v.B is not null ? "B"
        : v.SS is { Count: > 0 } ? "SS" : v.NS is { Count: > 0 } ? "NS" : v.BS is { Count: > 0 } ? "BS"
        : v.L is not null ? "L" : v.M is not null ? "M" : v.BOOL is not null ? "BOOL" : v.NULL is not null ? "NULL" : "?";

    /// <summary>Orders two scalars of the same key type (S, N or B) as DynamoDB sorts keys.</summary>
    public static int CompareKeys(AttributeValue a, AttributeValue b) => TypeOf(a) switch
    {
        "N" => ModelNumber.Parse(a.N).CompareTo(ModelNumber.Parse(b.N)),
        "S" => Encoding.UTF8.GetBytes(a.S).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b.S)),
        _ => Bytes(a).AsSpan().SequenceCompareTo(Bytes(b)),
    };

    /// <summary>The same value as DynamoDB compares with = (numbers by value; sets as sets).</summary>
    public static bool SameValue(AttributeValue a, AttributeValue b) => Render(Canonical(a)) == Render(Canonical(b));

    /// <summary>A copy with every number (nested ones too) in canonical text, as the store must keep it.</summary>
    public static AttributeValue Canonical(AttributeValue v) => TypeOf(v) switch
    {
        "N" => N(ModelNumber.Parse(v.N).ToString()),
        "NS" => new AttributeValue { NS = v.NS.Select(n => ModelNumber.Parse(n).ToString()).ToList() },
        "L" => new AttributeValue { L = v.L.Select(Canonical).ToList() },
        "M" => new AttributeValue { M = v.M.ToDictionary(p => p.Key, p => Canonical(p.Value)) },
        "B" => B(Bytes(v)),
        "BS" => new AttributeValue { BS = v.BS.Select(m => new MemoryStream(m.ToArray())).ToList() },
        "SS" => new AttributeValue { SS = [.. v.SS] },
        _ => v,
    };

    public static Dictionary<string, AttributeValue> Canonical(Dictionary<string, AttributeValue> item) =>
        item.ToDictionary(p => p.Key, p => Canonical(p.Value));

    /// <summary>
    /// Canonical text of a value, exact (a number's text is compared as written, so a non-canonical answer shows); set
    /// members are sorted because DynamoDB leaves a set's order unspecified.
    /// </summary>
    public static string Render(AttributeValue v) => TypeOf(v) switch
    {
        "S" => "S" + Quote(v.S),
        "N" => "N" + v.N,
        "B" => "B" + Convert.ToHexString(Bytes(v)),
        "SS" => "SS[" + string.Join(",", v.SS.Select(Quote).Order(StringComparer.Ordinal)) + "]",
        "NS" => "NS[" + string.Join(",", v.NS.Order(StringComparer.Ordinal)) + "]",
        "BS" => "BS[" + string.Join(",", v.BS.Select(m => Convert.ToHexString(m.ToArray())).Order(StringComparer.Ordinal)) + "]",
        "L" => "L[" + string.Join(",", v.L.Select(Render)) + "]",
        "M" => "M" + Render(v.M),
        "BOOL" => v.BOOL!.Value ? "true" : "false",
        "NULL" => "null",
        _ => "?",
    };

    public static string Render(Dictionary<string, AttributeValue>? item) => item is null || item.Count == 0
        ? "{}"
        : "{" + string.Join(",", item.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + ":" + Render(p.Value))) + "}";

    /// <summary>Escapes what would make a failure message unreadable (NUL, surrogates stay as code points).</summary>
    private static string Quote(string s)
    {
        if (s.Length > 64)
        {
            // A large value by its length and digest: exact enough to compare, short enough to read.
            return $"\"{s[..8]}...({s.Length} chars, sha256 {Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(s)))[..16]})\"";
        }

        StringBuilder b = new("\"");
        foreach (Rune r in s.EnumerateRunes())
        {
            b.Append(r.Value is < 0x20 or > 0x7E ? $"\\u{{{r.Value:X}}}" : r.ToString());
        }

        return b.Append('"').ToString();
    }
}
