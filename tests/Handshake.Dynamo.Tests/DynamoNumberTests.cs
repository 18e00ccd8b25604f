using System.Globalization;
using System.Numerics;
using CsCheck;
using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Tests;

public sealed class DynamoNumberTests
{
    [Theory]
    [InlineData("007", "7")]
    [InlineData("+3", "3")]
    [InlineData("1.10", "1.1")]
    [InlineData("1e3", "1000")]
    [InlineData("1E+3", "1000")]
    [InlineData("-0", "0")]
    [InlineData("0.000", "0")]
    [InlineData(".5", "0.5")]
    [InlineData("5.", "5")]
    [InlineData("-.5e-2", "-0.005")]
    [InlineData("0.05", "0.05")]
    [InlineData("10.05", "10.05")]
    [InlineData("123.456e2", "12345.6")]
    [InlineData("99999999999999999999999999999999999999", "99999999999999999999999999999999999999")]
    public void CanonicalForm(string input, string canonical)
    {
        Assert.Equal(canonical, DynamoNumber.Parse(input).ToString());
    }

    [Fact]
    public void SmallestMagnitudeIsWrittenInFull()
    {
        Assert.Equal("0." + new string('0', 129) + "1", DynamoNumber.Parse("1e-130").ToString());
        Assert.Equal("-0." + new string('0', 129) + "1", DynamoNumber.Parse("-1E-130").ToString());
    }

    [Fact]
    public void LargeNumbersAreNeverScientific()
    {
        var text = DynamoNumber.Parse("1e125").ToString();
        Assert.Equal(126, text.Length);
        Assert.StartsWith("1", text);
        Assert.Equal(125, text.Count(c => c == '0'));
    }

    [Theory]
    [InlineData("1e126", DynamoNumber.OverflowMessage)]
    [InlineData("-1e126", DynamoNumber.OverflowMessage)]
    [InlineData("1e-131", DynamoNumber.UnderflowMessage)]
    [InlineData("123456789012345678901234567890123456789", DynamoNumber.TooManyDigitsMessage)]
    [InlineData("1.23456789012345678901234567890123456789", DynamoNumber.TooManyDigitsMessage)]
    [InlineData("", "The parameter cannot be converted to a numeric value")]
    [InlineData("abc", "The parameter cannot be converted to a numeric value: abc")]
    [InlineData("1 ", "The parameter cannot be converted to a numeric value: 1 ")]
    [InlineData("NaN", "The parameter cannot be converted to a numeric value: NaN")]
    [InlineData("Infinity", "The parameter cannot be converted to a numeric value: Infinity")]
    [InlineData("1e", "The parameter cannot be converted to a numeric value: 1e")]
    [InlineData("1..2", "The parameter cannot be converted to a numeric value: 1..2")]
    [InlineData(".", "The parameter cannot be converted to a numeric value: .")]
    [InlineData("--1", "The parameter cannot be converted to a numeric value: --1")]
    public void InvalidNumbersGiveAwsMessages(string input, string message)
    {
        Assert.Equal(message, DynamoNumber.TryParse(input, out _));
    }

    [Fact]
    public void TrailingZerosDoNotCountAsSignificantDigits()
    {
        Assert.Null(DynamoNumber.TryParse("12345678901234567890123456789012345678000000", out var n));
        Assert.Equal("12345678901234567890123456789012345678000000", n.ToString());
    }

    // A random number as (unscaled integer, scale): value = unscaled × 10^scale, kept within DynamoDB's range.
    private static readonly Gen<(BigInteger Unscaled, int Scale)> GenScaled =
        Gen.Select(Gen.Long, Gen.Int[0, 20], Gen.Int[-60, 60]).Select((l, digits, scale) =>
        {
            var unscaled = new BigInteger(l) % BigInteger.Pow(10, Math.Max(1, digits));
            return (unscaled, scale);
        });

    private static DynamoNumber Make((BigInteger Unscaled, int Scale) v)
    {
        Assert.Null(DynamoNumber.TryFromScaled(v.Unscaled, v.Scale, out var n));
        return n;
    }

    // Exact reference comparison through BigInteger at a common scale.
    private static int ReferenceCompare((BigInteger Unscaled, int Scale) a, (BigInteger Unscaled, int Scale) b)
    {
        int scale = Math.Min(a.Scale, b.Scale);
        return (a.Unscaled * BigInteger.Pow(10, a.Scale - scale)).CompareTo(b.Unscaled * BigInteger.Pow(10, b.Scale - scale));
    }

    [Fact]
    public void CanonicalTextRoundTrips()
    {
        GenScaled.Sample(v =>
        {
            var n = Make(v);
            var again = DynamoNumber.Parse(n.ToString());
            return again == n && again.ToString() == n.ToString();
        }, iter: 2000);
    }

    [Fact]
    public void EveryTextFormOfAValueIsTheSameNumber()
    {
        GenScaled.Sample(v =>
        {
            var n = Make(v);
            // The same value written as unscaled·10^scale in exponent notation.
            var scientific = DynamoNumber.Parse(v.Unscaled.ToString(CultureInfo.InvariantCulture) + "e" + v.Scale.ToString(CultureInfo.InvariantCulture));
            return scientific == n && scientific.CompareTo(n) == 0;
        }, iter: 2000);
    }

    [Fact]
    public void ComparisonMatchesExactArithmetic()
    {
        Gen.Select(GenScaled, GenScaled).Sample((a, b) =>
            Math.Sign(Make(a).CompareTo(Make(b))) == Math.Sign(ReferenceCompare(a, b)), iter: 3000);
    }

    [Fact]
    public void KeyBytesSortInNumericOrder()
    {
        Gen.Select(GenScaled, GenScaled).Sample((a, b) =>
        {
            Span<byte> x = stackalloc byte[DynamoNumber.MaxKeyBytes];
            Span<byte> y = stackalloc byte[DynamoNumber.MaxKeyBytes];
            var na = Make(a);
            var nb = Make(b);
            int lx = na.WriteKeyBytes(x), ly = nb.WriteKeyBytes(y);
            bool roundTrips = DynamoNumber.FromKeyBytes(x[..lx]) == na;
            return roundTrips && Math.Sign(x[..lx].SequenceCompareTo(y[..ly])) == Math.Sign(ReferenceCompare(a, b));
        }, iter: 3000);
    }

    [Fact]
    public void AdditionAndSubtractionAreExact()
    {
        Gen.Select(GenScaled, GenScaled).Sample((a, b) =>
            Matches(Make(a).Add, Make(b), a, b, 1) && Matches(Make(a).Subtract, Make(b), a, b, -1), iter: 3000,
            print: t => $"{t.Item1.Unscaled}e{t.Item1.Scale} {t.Item2.Unscaled}e{t.Item2.Scale} add={Try(() => Make(t.Item1).Add(Make(t.Item2)).ToString())} sub={Try(() => Make(t.Item1).Subtract(Make(t.Item2)).ToString())}");

        static string Try(Func<string> f)
        {
            try { return f(); } catch (Exception e) { return e.Message; }
        }

        // The result equals the exact BigInteger result when that is in range, and is AWS's error when not.
        static bool Matches(Func<DynamoNumber, DynamoNumber> op, DynamoNumber right, (BigInteger Unscaled, int Scale) a,
            (BigInteger Unscaled, int Scale) b, int sign)
        {
            int scale = Math.Min(a.Scale, b.Scale);
            var exact = a.Unscaled * BigInteger.Pow(10, a.Scale - scale) + sign * b.Unscaled * BigInteger.Pow(10, b.Scale - scale);
            var error = DynamoNumber.TryFromScaled(exact, scale, out var reference);
            // DynamoDB words lost precision in arithmetic as an overflow.
            if (error == DynamoNumber.TooManyDigitsMessage) error = DynamoNumber.OverflowMessage;
            string actual;
            try
            {
                actual = op(right).ToString();
            }
            catch (Protocol.DynamoException e)
            {
                actual = e.Message;
            }
            var expected = error ?? reference.ToString();
            if (actual != expected) throw new InvalidOperationException($"{a} {b} {sign}: expected {expected}, got {actual}");
            if (error is null && op(right) != reference)
                throw new InvalidOperationException($"{a} {b} {sign}: equal text {actual} but == differs: {op(right).IsNegative}/{op(right).Exponent}/{op(right).Digits} vs {reference.IsNegative}/{reference.Exponent}/{reference.Digits}");
            return true;
        }
    }

    [Fact]
    public void AdditionBeyondThirtyEightDigitsIsRejected()
    {
        var error = Assert.Throws<Protocol.DynamoException>(() => DynamoNumber.Parse("1e50").Add(DynamoNumber.Parse("1")));
        Assert.Equal(DynamoNumber.OverflowMessage, error.Message); // what DynamoDB says for a sum beyond 38 digits
    }

    [Fact]
    public void StorageSizeFollowsDynamoDbRule()
    {
        // ceil(digits / 2) plus 1 when the decimal exponent is odd, 2 when even (dynalite's measured rule).
        Assert.Equal(3, DynamoNumber.Zero.StorageSize);
        Assert.Equal(3, DynamoNumber.Parse("1").StorageSize);
        Assert.Equal(2, DynamoNumber.Parse("12").StorageSize);
        Assert.Equal(4, DynamoNumber.Parse("123").StorageSize);
        Assert.Equal(20, DynamoNumber.Parse("12345678901234567890123456789012345678").StorageSize);
    }
}
