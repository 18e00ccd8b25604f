using CsCheck;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// The expression parsers under character-level noise (the store's own tests cover token soup): any text parses or
/// raises DynamoException, and so does evaluating or applying what parsed.
/// </summary>
public sealed class ExpressionFuzzTests
{
    private static readonly Gen<string> Noise = Gen.OneOf(
        Gen.Char["ab#:vn()[]., =<>+-_0123456789ANDORNOTSETREMOVEADDDELETEsizecontainsbegins_with\"'\\\t\n\u00e9\u0000"].Array[0, 80].Select(c => new string(c)),
        Gen.String[0, 40]);

    private static ExpressionAttributes Attributes() => new(
        new Dictionary<string, string> { ["#n"] = "a", ["#k"] = "b" },
        new Dictionary<string, AttributeValue>
        {
            [":v"] = AttributeValue.FromString("x"),
            [":n"] = AttributeValue.FromNumber(DynamoNumber.Parse("1")),
            [":l"] = AttributeValue.FromList([AttributeValue.FromString("y")]),
        });

    [Fact]
    public void ParsersAndEvaluationRaiseOnlyDynamoErrors()
    {
        Dictionary<string, AttributeValue> item = new()
        {
            ["a"] = AttributeValue.FromList([AttributeValue.FromString("x")]),
            ["b"] = AttributeValue.FromNumber(DynamoNumber.Parse("1")),
        };
        Noise.Sample(text =>
        {
            OnlyDynamoErrors.Run(() => ExpressionParser.ParseCondition(text, Attributes()).Evaluate(item));
            OnlyDynamoErrors.Run(() => ExpressionParser.ParseProjection(text, Attributes()));
            OnlyDynamoErrors.Run(() => ExpressionParser.ParseUpdate(text, Attributes()).Apply(new Dictionary<string, AttributeValue>(item)));
            OnlyDynamoErrors.Run(() => KeyCondition.FromExpression(ExpressionParser.ParseCondition(text, Attributes(), "KeyConditionExpression")));
        }, iter: 10_000);
    }
}
