using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Tests.Expressions;

/// <summary>Legacy Expected / filters / AttributeUpdates: AWS's checks, and the same semantics as expressions.</summary>
public sealed class LegacyConditionTests
{
    private static AttributeValue N(string n) => AttributeValue.FromNumber(DynamoNumber.Parse(n));

    private static string ExpectedError(LegacyCondition condition) =>
        Assert.Throws<DynamoException>(() => LegacyConditions.FromExpected(new() { ["a"] = condition }, null)).Message;

    [Fact]
    public void ExpectedMessages()
    {
        Assert.Equal("One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: a",
            ExpectedError(new LegacyCondition(null, null, null, null)));
        Assert.Equal("One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a",
            ExpectedError(new LegacyCondition(null, true, null, null)));
        Assert.Equal("One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a",
            ExpectedError(new LegacyCondition(N("1"), false, null, null)));
        Assert.Equal("One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: a",
            ExpectedError(new LegacyCondition(null, true, "NULL", null)));
        Assert.Equal("One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: a",
            ExpectedError(new LegacyCondition(N("1"), null, "EQ", [N("1")])));
        Assert.Equal("One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a",
            ExpectedError(new LegacyCondition(null, null, "EQ", null)));
        Assert.Equal("One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: a",
            ExpectedError(new LegacyCondition(null, null, null, [N("1")])));
        Assert.Equal("One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator",
            ExpectedError(new LegacyCondition(null, null, "BETWEEN", [N("1")])));
        Assert.Equal("One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type",
            ExpectedError(new LegacyCondition(null, null, "IN", [N("1"), AttributeValue.FromString("x")])));
    }

    [Fact]
    public void ConditionalOperatorCombinesEntries()
    {
        var item = new Dictionary<string, AttributeValue> { ["a"] = N("1") };
        var conditions = new Dictionary<string, LegacyCondition>
        {
            ["a"] = new(N("1"), null, null, null),
            ["b"] = new(null, null, "NOT_NULL", null),
        };
        Assert.False(LegacyConditions.FromExpected(conditions, "AND")!.Evaluate(item));
        Assert.True(LegacyConditions.FromExpected(conditions, "OR")!.Evaluate(item));
        Assert.True(LegacyConditions.FromExpected(new() { ["b"] = new(null, false, null, null) }, null)!.Evaluate(item));
    }

    [Fact]
    public void AttributeUpdatesMessagesAndSemantics()
    {
        string Error(LegacyUpdate update) =>
            Assert.Throws<DynamoException>(() => LegacyConditions.FromAttributeUpdates(new() { ["a"] = update })).Message;
        Assert.Equal("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified", Error(new(null, "PUT")));
        Assert.Equal("One or more parameter values were invalid: DELETE action with value is not supported for the type N", Error(new(N("1"), "DELETE")));
        Assert.Equal("One or more parameter values were invalid: ADD action is not supported for the type S", Error(new(AttributeValue.FromString("x"), "ADD")));

        Assert.Equal(UpdateExpression.LegacyTypeMismatch,
            Assert.Throws<DynamoException>(() => LegacyConditions.FromAttributeUpdates(new() { ["a"] = new(AttributeValue.FromStringSet(["x"]), "ADD") })!
                .Apply(new() { ["a"] = N("1") })).Message);
    }
}
