using CsCheck;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

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
        int parsed = 0, refused = 0;
        NumberLike.Sample(text =>
        {
            // TryParse must not throw at all; Parse raises only DynamoDB's error, with TryParse's message, exactly when
            // TryParse refuses; what parses has a canonical text that parses back to the same number.
            string? error = DynamoNumber.TryParse(text, out DynamoNumber number);
            string? raised = null;
            OnlyDynamoErrors.Run(() =>
            {
                try
                {
                    DynamoNumber.Parse(text);
                }
                catch (DynamoException e)
                {
                    raised = e.WireMessage;
                    throw;
                }
            });
            if (error is null)
            {
                Interlocked.Increment(ref parsed);
                return raised is null && DynamoNumber.Parse(number.ToString()) == number;
            }

            Interlocked.Increment(ref refused);
            return error.Length > 0 && raised == error;
        }, iter: 20_000);

        // Both outcomes were exercised: a generator that only ever produced garbage (or only numbers) would test half.
        Assert.True(parsed > 100, $"{parsed} of 20000 random texts parsed");
        Assert.True(refused > 100, $"{refused} of 20000 random texts refused");
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
