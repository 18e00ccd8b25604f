using CsCheck;
using Handshake.Dynamo.Model;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// The number codec under random text: parsing never raises anything but DynamoDB's errors, a parsed number's
/// canonical text parses back to itself, and the key encoding orders exactly as the numbers do.
/// </summary>
public sealed class NumberCodecFuzzTests
{
    private static readonly Gen<string> NumberLike = Gen.Char["0123456789.-+eE 0123456789"].Array[0, 45].Select(c => new string(c));

    private static readonly Gen<string> ValidNumber =
        Gen.Select(Gen.Bool, Gen.Char["0123456789"].Array[1, 38], Gen.Int[-60, 60])
            .Select((negative, digits, exponent) => (negative ? "-" : "") + new string(digits) + "e" + exponent);

    [Fact]
    public void ParsingRandomTextRaisesOnlyDynamoErrors()
    {
        NumberLike.Sample(text =>
        {
            string? error = DynamoNumber.TryParse(text, out _);
            OnlyDynamoErrors.Run(() => DynamoNumber.Parse(text));
            return error is null || error.Length > 0;
        }, iter: 20_000);
    }

    [Fact]
    public void CanonicalTextRoundTripsAndKeyBytesKeepNumericOrder()
    {
        Gen.Select(ValidNumber, ValidNumber).Sample((a, b) =>
        {
            if (DynamoNumber.TryParse(a, out DynamoNumber x) is not null || DynamoNumber.TryParse(b, out DynamoNumber y) is not null)
            {
                return true; // out of range: covered by the test above.
            }

            DynamoNumber xAgain = DynamoNumber.Parse(x.ToString());
            Span<byte> xKey = stackalloc byte[DynamoNumber.MaxKeyBytes];
            Span<byte> yKey = stackalloc byte[DynamoNumber.MaxKeyBytes];
            xKey = xKey[..x.WriteKeyBytes(xKey)];
            yKey = yKey[..y.WriteKeyBytes(yKey)];
            return xAgain == x && xAgain.ToString() == x.ToString()
                && Math.Sign(x.CompareTo(y)) == Math.Sign(xKey.SequenceCompareTo(yKey))
                && DynamoNumber.FromKeyBytes(xKey) == x;
        }, iter: 20_000);
    }
}
