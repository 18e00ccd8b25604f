using CsCheck;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Tests.Expressions;

/// <summary>Bad input never crashes: any token soup either parses or raises a DynamoException, and so does applying it.</summary>
public sealed class ExpressionFuzzTests
{
    private static readonly string[] Pieces =
    [
        "a", "b", "#n", "#k", "#missing", ":v", ":n", ":ss", ":l", ":m", ":nope", "(", ")", "[", "]", "[0]", "[99999999999]", ".", ",",
        "=", "<>", "<", "<=", ">", ">=", "+", "-", "AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE",
        "size", "begins_with", "contains", "attribute_exists", "attribute_type", "if_not_exists", "list_append", "year", "!", "\u00e9", " ",
    ];

    private static readonly Gen<string> Soup = Gen.Int[0, Pieces.Length - 1].Array[0, 14]
        .Select(indexes => string.Join(" ", indexes.Select(i => Pieces[i])));

    private static void OnlyDynamoErrors(Action action)
    {
        try
        {
            action();
        }
        catch (DynamoException)
        {
        }
    }

    [Fact]
    public void ParsersRaiseOnlyDynamoExceptions()
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["a"] = AttributeValue.FromList([AttributeValue.FromString("x")]),
            ["b"] = AttributeValue.FromNumber(DynamoNumber.Parse("1")),
        };
        Soup.Sample(text =>
        {
            OnlyDynamoErrors(() => ExpressionParser.ParseCondition(text, ExpressionErrorTests.Attributes()).Evaluate(item));
            OnlyDynamoErrors(() => ExpressionParser.ParseProjection(text, ExpressionErrorTests.Attributes()));
            OnlyDynamoErrors(() => ExpressionParser.ParseUpdate(text, ExpressionErrorTests.Attributes()).Apply(item));
            OnlyDynamoErrors(() => KeyCondition.FromExpression(ExpressionParser.ParseCondition(text, ExpressionErrorTests.Attributes(), "KeyConditionExpression")));
            OnlyDynamoErrors(() => ExpressionParser.ParseUpdate("SET " + text, ExpressionErrorTests.Attributes()).Apply(item));
        }, iter: 5000);
    }

    [Fact]
    public void DeepNestingWithinFourKilobytesIsAnErrorNotAStackOverflow()
    {
        string parens = new string('(', 2040) + "a = :v" + new string(')', 2040);
        Assert.Throws<DynamoException>(() => ExpressionParser.ParseCondition(parens, ExpressionErrorTests.Attributes()));
        string nots = string.Concat(Enumerable.Repeat("NOT ", 1020)) + "a = :v";
        Assert.Throws<DynamoException>(() => ExpressionParser.ParseCondition(nots, ExpressionErrorTests.Attributes()));
        string functions = "SET a = " + string.Concat(Enumerable.Repeat("list_append(", 300)) + ":l" + string.Concat(Enumerable.Repeat(", :l)", 300));
        Assert.Throws<DynamoException>(() => ExpressionParser.ParseUpdate(functions, ExpressionErrorTests.Attributes()));
        // Moderate nesting is fine.
        var node = ExpressionParser.ParseCondition(string.Concat(Enumerable.Repeat("NOT ", 50)) + "a = :v", ExpressionErrorTests.Attributes());
        Assert.IsType<NotNode>(node);
    }
}
