using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Tests.Expressions;

/// <summary>Applying update expressions to items: SET, REMOVE, ADD, DELETE and their runtime errors.</summary>
public sealed class UpdateExpressionTests
{
    private static AttributeValue N(string n) => AttributeValue.FromNumber(DynamoNumber.Parse(n));
    private static AttributeValue S(string s) => AttributeValue.FromString(s);

    private static Dictionary<string, AttributeValue> Item() => new()
    {
        ["pk"] = S("k"),
        ["cnt"] = N("10"),
        ["lst"] = AttributeValue.FromList([S("a"), S("b"), S("c"), S("d")]),
        ["mp"] = AttributeValue.FromMap(new() { ["child"] = N("1") }),
        ["tags"] = AttributeValue.FromStringSet(["x", "y"]),
    };

    private static Dictionary<string, AttributeValue> Apply(string expression, Dictionary<string, AttributeValue> item) =>
        ExpressionParser.ParseUpdate(expression, ExpressionErrorTests.Attributes()).Apply(item);

    [Fact]
    public void SetArithmeticListAppendAndIfNotExistsSeeTheOldItem()
    {
        var old = Item();
        var updated = Apply("SET #n = cnt, a = if_not_exists(absent, :n) + :one, lst = list_append(:l, lst), mp.child = mp.child - :n", old);
        Assert.Equal("6", updated["a"].N.ToString());
        Assert.Equal(["e", "a", "b", "c", "d"], updated["lst"].L.ConvertAll(v => v.S));
        Assert.Equal("-4", updated["mp"].M["child"].N.ToString());
        Assert.Equal("1", old["mp"].M["child"].N.ToString()); // the original is untouched
    }

    [Fact]
    public void RemoveListElementsByOriginalIndex()
    {
        var updated = Apply("REMOVE lst[1], lst[3], mp.child, nothing", Item());
        Assert.Equal(["a", "c"], updated["lst"].L.ConvertAll(v => v.S));
        Assert.Empty(updated["mp"].M);
    }

    [Fact]
    public void SetPastTheEndOfAListAppends()
    {
        var updated = Apply("SET lst[10] = :v", Item());
        Assert.Equal(5, updated["lst"].L.Count);
        Assert.Equal("x", updated["lst"].L[4].S);
    }

    [Fact]
    public void SeveralAppendsPastTheEndLandInIndexOrder()
    {
        var updated = Apply("SET lst[12] = :n, lst[10] = :v", Item());
        Assert.Equal(["a", "b", "c", "d", "x"], updated["lst"].L.Take(5).Select(v => v.S));
        Assert.Equal("5", updated["lst"].L[5].N.ToString());
    }

    [Fact]
    public void AddAndDeleteOnNumbersAndSets()
    {
        var updated = Apply("ADD #k :n, tags :ss, cnt :one DELETE mp.nothing :ss", Item());
        Assert.Equal("5", updated["key"].N.ToString());
        Assert.Equal("11", updated["cnt"].N.ToString());
        Assert.Equal(["x", "y", "a"], updated["tags"].SS);
        var emptied = Apply("DELETE tags :ss", new() { ["tags"] = AttributeValue.FromStringSet(["a"]) });
        Assert.False(emptied.ContainsKey("tags"));
    }

    [Theory]
    [InlineData("SET a = lst + :one", UpdateExpression.IncorrectType)]
    [InlineData("ADD tags :n", UpdateExpression.IncorrectType)]
    [InlineData("SET a = nothing", UpdateValue.MissingAttribute)]
    [InlineData("SET nothing.deeper = :v", UpdateExpression.InvalidPath)]
    [InlineData("SET cnt[0] = :v", UpdateExpression.InvalidPath)]
    public void RuntimeErrors(string expression, string message)
    {
        var error = Assert.Throws<DynamoException>(() => Apply(expression, Item()));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ArithmeticBeyondThirtyEightDigitsIsRejected()
    {
        var big = new Dictionary<string, AttributeValue> { ["a"] = N("1e50") };
        var error = Assert.Throws<DynamoException>(() => Apply("SET a = a + :one", big));
        Assert.Equal(DynamoNumber.OverflowMessage, error.Message); // DynamoDB's (odd) word for lost precision
        var top = new Dictionary<string, AttributeValue> { ["a"] = N("9.9999999999999999999999999999999999999e125") };
        Assert.Equal(DynamoNumber.OverflowMessage, Assert.Throws<DynamoException>(() => Apply("SET a = a + a", top)).Message);
    }
}
