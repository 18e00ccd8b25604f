using System.Numerics;
using System.Text;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Model;

/// <summary>
/// DynamoDB's Number: an exact decimal of up to 38 significant digits, magnitude 1E-130 to under 1E+126.
/// Neither <see cref="decimal"/> (28 digits) nor <see cref="double"/> can hold that, so the value is kept as its
/// significant digits and a decimal exponent: value = sign × 0.D₁D₂…Dₙ × 10^Exponent, with no leading or trailing
/// zero digits. That normal form makes equality, ordering and the canonical text all follow directly.
/// </summary>
public readonly struct DynamoNumber : IEquatable<DynamoNumber>, IComparable<DynamoNumber>
{
    public const int MaxSignificantDigits = 38;

    // Exponent bounds in this struct's normal form (0.D × 10^E): 1E-130 is 0.1 × 10^-129, and anything at or above
    // 1E+126 (0.1 × 10^127) overflows.
    private const int MinExponent = -129;
    private const int MaxExponent = 126;

    public const string OverflowMessage =
        "Number overflow. Attempting to store a number with magnitude larger than supported range";
    public const string UnderflowMessage =
        "Number underflow. Attempting to store a number with magnitude smaller than supported range";
    public const string TooManyDigitsMessage = "Attempting to store more than 38 significant digits in a Number";

    private readonly string? _digits;

    private DynamoNumber(bool negative, string digits, int exponent)
    {
        IsNegative = negative;
        _digits = digits;
        Exponent = exponent;
    }

    public static DynamoNumber Zero => default;

    /// <summary>Significant digits as ASCII, without leading or trailing zeros; empty for zero.</summary>
    public string Digits => _digits ?? string.Empty;
    public int Exponent { get; }
    public bool IsNegative { get; }
    public bool IsZero => string.IsNullOrEmpty(_digits);

    /// <summary>Parses DynamoDB number text, throwing AWS's ValidationException messages.</summary>
    public static DynamoNumber Parse(string text)
    {
        var error = TryParse(text, out var number);
        if (error is not null) throw DynamoException.Validation(error);
        return number;
    }

    /// <summary>Parses DynamoDB number text; returns AWS's error message, or null on success.</summary>
    public static string? TryParse(string text, out DynamoNumber number)
    {
        number = default;
        if (text.Length == 0) return "The parameter cannot be converted to a numeric value";
        var span = text.AsSpan();
        int i = 0;
        bool negative = false;
        if (span[0] is '+' or '-')
        {
            negative = span[0] == '-';
            i = 1;
        }

        // Mantissa: digits with at most one '.', at least one digit in total (".5" and "5." are both numbers).
        Span<char> digits = span.Length <= 256 ? stackalloc char[span.Length] : new char[span.Length];
        int count = 0, pointPosition = 0, mantissaDigits = 0;
        bool seenPoint = false;
        for (; i < span.Length; i++)
        {
            char c = span[i];
            if (c is >= '0' and <= '9')
            {
                mantissaDigits++;
                // Leading zeros carry no significance; they only shift the point, which is tracked separately.
                if (count == 0 && c == '0')
                {
                    if (seenPoint) pointPosition--;
                    continue;
                }
                digits[count++] = c;
            }
            else if (c == '.' && !seenPoint)
            {
                seenPoint = true;
                pointPosition = count;
            }
            else break;
        }
        if (mantissaDigits == 0) return Invalid(text);
        long exponent = 0;
        if (i < span.Length)
        {
            if (span[i] is not ('e' or 'E')) return Invalid(text);
            i++;
            bool negativeExponent = false;
            if (i < span.Length && span[i] is '+' or '-')
            {
                negativeExponent = span[i] == '-';
                i++;
            }
            if (i == span.Length) return Invalid(text);
            for (; i < span.Length; i++)
            {
                char c = span[i];
                if (c is < '0' or > '9') return Invalid(text);
                // Saturate: anything this large is an overflow or underflow anyway.
                if (exponent < 1_000_000_000) exponent = exponent * 10 + (c - '0');
            }
            if (negativeExponent) exponent = -exponent;
        }

        int integerDigits = seenPoint ? pointPosition : count;
        while (count > 0 && digits[count - 1] == '0') count--;
        if (count == 0) return null; // zero, whatever its sign or exponent ("-0", "0e999")

        long normalExponent = integerDigits + exponent;
        if (normalExponent > MaxExponent) return OverflowMessage;
        if (normalExponent < MinExponent) return UnderflowMessage;
        if (count > MaxSignificantDigits) return TooManyDigitsMessage;
        number = new DynamoNumber(negative, new string(digits[..count]), (int)normalExponent);
        return null;
    }

    private static string Invalid(string text) => "The parameter cannot be converted to a numeric value: " + text;

    /// <summary>Builds a number from an exact integer mantissa and a power of ten, validating range and digits.</summary>
    public static string? TryFromScaled(BigInteger unscaled, int scale, out DynamoNumber number)
    {
        number = default;
        if (unscaled.IsZero) return null;
        bool negative = unscaled.Sign < 0;
        string text = BigInteger.Abs(unscaled).ToString(System.Globalization.CultureInfo.InvariantCulture);
        int length = text.Length;
        int trimmed = length;
        while (text[trimmed - 1] == '0') trimmed--;
        long exponent = (long)length + scale;
        if (exponent > MaxExponent) return OverflowMessage;
        if (exponent < MinExponent) return UnderflowMessage;
        if (trimmed > MaxSignificantDigits) return TooManyDigitsMessage;
        number = new DynamoNumber(negative, text[..trimmed], (int)exponent);
        return null;
    }

    /// <summary>The exact sum; throws AWS's ValidationException if the result leaves the supported range.</summary>
    public DynamoNumber Add(DynamoNumber other)
    {
        if (other.IsZero) return this;
        if (IsZero) return other;
        int scaleA = Exponent - Digits.Length, scaleB = other.Exponent - other.Digits.Length;
        int scale = Math.Min(scaleA, scaleB);
        var a = Unscaled() * BigInteger.Pow(10, scaleA - scale);
        var b = other.Unscaled() * BigInteger.Pow(10, scaleB - scale);
        var error = TryFromScaled(a + b, scale, out var sum);
        // A sum that needs more than 38 digits (1E50 + 1) is reported by DynamoDB as an overflow, not as the
        // "more than 38 significant digits" it says for such a literal (scylla test_number.py records this).
        if (error == TooManyDigitsMessage) error = OverflowMessage;
        if (error is not null) throw DynamoException.Validation(error);
        return sum;
    }

    public DynamoNumber Negate() => IsZero ? this : new DynamoNumber(!IsNegative, Digits, Exponent);

    public DynamoNumber Subtract(DynamoNumber other) => Add(other.Negate());

    private BigInteger Unscaled()
    {
        var value = BigInteger.Parse(Digits, System.Globalization.CultureInfo.InvariantCulture);
        return IsNegative ? -value : value;
    }

    /// <summary>Canonical text as DynamoDB returns it: no exponent, no leading or trailing zeros, "0" for zero.</summary>
    public override string ToString()
    {
        if (IsZero) return "0";
        var digits = Digits;
        var sb = new StringBuilder(digits.Length + Math.Abs(Exponent) + 3);
        if (IsNegative) sb.Append('-');
        if (Exponent <= 0)
        {
            sb.Append("0.").Append('0', -Exponent).Append(digits);
        }
        else if (Exponent >= digits.Length)
        {
            sb.Append(digits).Append('0', Exponent - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, Exponent).Append('.').Append(digits, Exponent, digits.Length - Exponent);
        }
        return sb.ToString();
    }

    /// <summary>
    /// DynamoDB's storage size of a number: digits are stored in base-100 pairs aligned on the decimal point, plus
    /// one byte of exponent (the rule dynalite derived from measurements against AWS).
    /// </summary>
    public int StorageSize
    {
        get
        {
            if (IsZero) return 3; // "0" is one digit at exponent 0
            int scientificExponent = Exponent - 1;
            return (Digits.Length + 1) / 2 + (scientificExponent % 2 != 0 ? 1 : 2);
        }
    }

    public int CompareTo(DynamoNumber other)
    {
        int signA = IsZero ? 0 : IsNegative ? -1 : 1;
        int signB = other.IsZero ? 0 : other.IsNegative ? -1 : 1;
        if (signA != signB) return signA.CompareTo(signB);
        if (signA == 0) return 0;
        int magnitude = Exponent != other.Exponent
            ? Exponent.CompareTo(other.Exponent)
            : string.CompareOrdinal(Digits, other.Digits);
        return signA > 0 ? Math.Sign(magnitude) : -Math.Sign(magnitude);
    }

    public bool Equals(DynamoNumber other) =>
        IsNegative == other.IsNegative && Exponent == other.Exponent && Digits == other.Digits;

    public override bool Equals(object? obj) => obj is DynamoNumber other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(IsNegative, Exponent, Digits);

    public static bool operator ==(DynamoNumber left, DynamoNumber right) => left.Equals(right);
    public static bool operator !=(DynamoNumber left, DynamoNumber right) => !left.Equals(right);
    public static bool operator <(DynamoNumber left, DynamoNumber right) => left.CompareTo(right) < 0;
    public static bool operator >(DynamoNumber left, DynamoNumber right) => left.CompareTo(right) > 0;
    public static bool operator <=(DynamoNumber left, DynamoNumber right) => left.CompareTo(right) <= 0;
    public static bool operator >=(DynamoNumber left, DynamoNumber right) => left.CompareTo(right) >= 0;

    /// <summary>Largest key encoding: sign byte, exponent byte, one byte per digit, terminator.</summary>
    public const int MaxKeyBytes = 2 + MaxSignificantDigits + 1;

    /// <summary>
    /// Writes an encoding whose unsigned byte order is numeric order, so a sort-key range is an index seek.
    /// Layout: class byte (1 negative, 2 zero, 3 positive), then the exponent and digits; for negatives both are
    /// inverted and a terminator is appended so that a longer digit string (a larger magnitude) sorts lower.
    /// </summary>
    public int WriteKeyBytes(Span<byte> destination)
    {
        if (IsZero)
        {
            destination[0] = 2;
            return 1;
        }
        var digits = Digits;
        byte exponentByte = (byte)(Exponent - MinExponent);
        if (!IsNegative)
        {
            destination[0] = 3;
            destination[1] = exponentByte;
            for (int i = 0; i < digits.Length; i++) destination[2 + i] = (byte)(digits[i] - '0');
            return 2 + digits.Length;
        }
        destination[0] = 1;
        destination[1] = (byte)(255 - exponentByte);
        for (int i = 0; i < digits.Length; i++) destination[2 + i] = (byte)(9 - (digits[i] - '0'));
        destination[2 + digits.Length] = 10; // above every inverted digit: a prefix is a smaller magnitude, sorts higher
        return 3 + digits.Length;
    }

    /// <summary>Reads back <see cref="WriteKeyBytes"/>.</summary>
    public static DynamoNumber FromKeyBytes(ReadOnlySpan<byte> source)
    {
        if (source[0] == 2) return default;
        bool negative = source[0] == 1;
        int exponentByte = negative ? 255 - source[1] : source[1];
        int length = negative ? source.Length - 3 : source.Length - 2;
        var chars = new char[length];
        for (int i = 0; i < length; i++) chars[i] = (char)('0' + (negative ? 9 - source[2 + i] : source[2 + i]));
        return new DynamoNumber(negative, new string(chars), exponentByte + MinExponent);
    }
}
