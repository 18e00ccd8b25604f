using System.Text;
using CsCheck;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Tests;

public sealed class KeyOrderTests
{
    [Fact]
    public void StringOrderIsUtf8ByteOrderNotUtf16()
    {
        // U+FF61 (3 UTF-8 bytes, 0xEF...) sorts before U+1F600 (4 bytes, 0xF0...) in UTF-8, after it in UTF-16.
        string bmp = "\uFF61", astral = "\U0001F600";
        Assert.True(string.CompareOrdinal(bmp, astral) > 0);
        Assert.True(ValueOrder.CompareUtf8(bmp, astral) < 0);
    }

    [Fact]
    public void Utf8ComparisonMatchesByteComparison()
    {
        Gen.Select(Gen.String[Gen.Char['a', 'c'], 0, 4], Gen.String[Gen.Char['a', 'c'], 0, 4], Gen.Bool, Gen.Bool).Sample((a, b, astralA, astralB) =>
        {
            string x = a + (astralA ? "\U0001F600" : "\uFF61") + a;
            string y = b + (astralB ? "\U0001F600" : "\uFF61") + b;
            int expected = Math.Sign(Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)));
            return Math.Sign(ValueOrder.CompareUtf8(x, y)) == expected;
        }, iter: 2000);
    }

    [Fact]
    public void EqualNumberKeysEncodeIdentically()
    {
        var table = new TableDefinition
        {
            InternalId = 1, Name = "t", TableId = "id", Arn = "arn", CreationDateTime = DateTimeOffset.UnixEpoch,
            Hash = new KeyAttribute("pk", AttributeType.N), AttributeDefinitions = [new KeyAttribute("pk", AttributeType.N)],
        };
        var forms = new[] { "1000", "1e3", "1E+3", "001000", "+1000", "1000.000" };
        var keys = forms.Select(f => PrimaryKey.FromKey(table, new() { ["pk"] = AttributeValue.FromNumber(DynamoNumber.Parse(f)) })).ToList();
        Assert.All(keys, k => Assert.Equal(keys[0], k));
    }
}
