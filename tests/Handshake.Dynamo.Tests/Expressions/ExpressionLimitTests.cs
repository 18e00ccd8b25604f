using System.Text;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Tests.Expressions;

/// <summary>
/// AWS's per-expression limits: 300 operators or functions (comparators, AND, OR, NOT, BETWEEN, IN, function calls,
/// an update's + and -; not parentheses, paths or a SET's =) and 32 levels in a document path. The boundaries and the
/// words follow AWS's answers as reported in aws-sdk-js#3721 ("operator count: 301") and in ScyllaDB's Alternator
/// tests, which were checked against DynamoDB (149 nested "a&lt;b or (...)" levels pass, 454 fail; 32 path levels
/// pass, 33 fail).
/// </summary>
public sealed class ExpressionLimitTests
{
    private const string TooManyOperators = "The expression contains too many operators; operator count: 301";

    private static string Chain(int comparisons, string joiner = " AND ")
    {
        var text = new StringBuilder();
        for (int i = 0; i < comparisons; i++)
        {
            if (i > 0) text.Append(joiner);
            text.Append("a < :n");
        }
        return text.ToString();
    }

    private static string ConditionError(string expression, string name = "ConditionExpression") =>
        Assert.Throws<DynamoException>(() => ExpressionParser.ParseCondition(expression, ExpressionErrorTests.Attributes(), name)).Message;

    [Fact]
    public void Three_hundred_operators_pass_and_the_three_hundred_and_first_is_refused()
    {
        // 150 comparisons joined by 149 ANDs: 299 operators. 149 and 148, then AND NOT a = :n: exactly 300.
        ExpressionParser.ParseCondition(Chain(150), ExpressionErrorTests.Attributes());
        ExpressionParser.ParseCondition(Chain(149) + " AND NOT a = :n", ExpressionErrorTests.Attributes());
        Assert.Equal("Invalid ConditionExpression: " + TooManyOperators, ConditionError(Chain(149) + " AND NOT a = :n OR a = :n"));
        Assert.Equal("Invalid ConditionExpression: " + TooManyOperators, ConditionError(Chain(151)));
        Assert.Equal("Invalid FilterExpression: " + TooManyOperators, ConditionError(Chain(200, " OR "), "FilterExpression"));
        Assert.Equal("Invalid KeyConditionExpression: " + TooManyOperators, ConditionError(Chain(151), "KeyConditionExpression"));
    }

    [Fact]
    public void Parentheses_do_not_count_but_every_nested_comparison_and_OR_does()
    {
        // AWS accepts depth 149 (299 operators) and refuses depth 454 (909 operators, still under 4 KB).
        string Nested(int depth) => "a<b " + string.Concat(Enumerable.Repeat("or (a<b ", depth)) + new string(')', depth);
        ExpressionParser.ParseCondition(Nested(149), ExpressionErrorTests.Attributes());
        Assert.True(Encoding.UTF8.GetByteCount(Nested(454)) < 4096);
        Assert.Equal("Invalid ConditionExpression: " + TooManyOperators, ConditionError(Nested(454)));
        Assert.Equal("Invalid ConditionExpression: " + TooManyOperators, ConditionError(string.Concat(Enumerable.Repeat("NOT ", 1000)) + "a < b"));
    }

    [Fact]
    public void Functions_BETWEEN_and_IN_count_one_each()
    {
        string Repeat(string condition, int times) => string.Join(" AND ", Enumerable.Repeat(condition, times));
        // attribute_exists + AND: 2 per condition, less one AND.
        ExpressionParser.ParseCondition(Repeat("attribute_exists(a)", 150), ExpressionErrorTests.Attributes());
        Assert.Equal("Invalid ConditionExpression: " + TooManyOperators, ConditionError(Repeat("attribute_exists(a)", 151)));
        // size() inside a comparison is a function too: 3 per condition, less one AND.
        ExpressionParser.ParseCondition(Repeat("size(a) < :n", 100), ExpressionErrorTests.Attributes());
        Assert.Equal("Invalid ConditionExpression: " + TooManyOperators, ConditionError(Repeat("size(a) < :n", 101)));
        ExpressionParser.ParseCondition(Repeat("a BETWEEN :one AND :n", 150), ExpressionErrorTests.Attributes());
        Assert.Equal("Invalid ConditionExpression: " + TooManyOperators, ConditionError(Repeat("a BETWEEN :one AND :n", 151)));
        ExpressionParser.ParseCondition(Repeat("a IN (:n, :one)", 150), ExpressionErrorTests.Attributes());
        Assert.Equal("Invalid ConditionExpression: " + TooManyOperators, ConditionError(Repeat("a IN (:n, :one)", 151)));
    }

    [Fact]
    public void Update_expressions_count_plus_minus_and_functions_but_not_the_assignment()
    {
        string Sets(int actions, string value) => "SET " + string.Join(",", Enumerable.Range(0, actions).Select(i => "a" + i + "=" + value)); // compact: under 4 KB
        // 300 assignments of a sum: 300 operators, accepted; plain assignments count nothing.
        ExpressionParser.ParseUpdate(Sets(300, ":n+:n"), ExpressionErrorTests.Attributes());
        ExpressionParser.ParseUpdate(Sets(400, ":n"), ExpressionErrorTests.Attributes());
        var error = Assert.Throws<DynamoException>(() => ExpressionParser.ParseUpdate(Sets(301, ":n-:n"), ExpressionErrorTests.Attributes()));
        Assert.Equal("Invalid UpdateExpression: " + TooManyOperators, error.Message);
        // if_not_exists and list_append are functions: 100 x (if_not_exists, +) and 100 x (+) = 300, one more + is 301.
        string Functions(int sums) => Sets(100, "if_not_exists(b,:n)+:n") + "," + string.Join(",", Enumerable.Range(0, sums).Select(i => "c" + i + "=:n+:n"));
        ExpressionParser.ParseUpdate(Functions(100), ExpressionErrorTests.Attributes());
        error = Assert.Throws<DynamoException>(() => ExpressionParser.ParseUpdate(Functions(101), ExpressionErrorTests.Attributes()));
        Assert.Equal("Invalid UpdateExpression: " + TooManyOperators, error.Message);
        // 50 list_appends and 250 sums: 300. One sum more: refused at 301.
        string Appends(int sums) => Sets(50, "list_append(b,:l)") + "," + string.Join(",", Enumerable.Range(0, sums).Select(i => "c" + i + "=:n+:n"));
        ExpressionParser.ParseUpdate(Appends(250), ExpressionErrorTests.Attributes());
        error = Assert.Throws<DynamoException>(() => ExpressionParser.ParseUpdate(Appends(251), ExpressionErrorTests.Attributes()));
        Assert.Equal("Invalid UpdateExpression: " + TooManyOperators, error.Message);
    }

    [Fact]
    public void Document_paths_have_at_most_thirty_two_levels()
    {
        var attributes = ExpressionErrorTests.Attributes();
        ExpressionParser.ParseProjection("a" + string.Concat(Enumerable.Repeat(".b", 31)), attributes);
        var error = Assert.Throws<DynamoException>(() => ExpressionParser.ParseProjection("a" + string.Concat(Enumerable.Repeat(".b", 32)), attributes));
        Assert.Equal("Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 33", error.Message);
        // A list index is a level too.
        ExpressionParser.ParseCondition("attribute_exists(a" + string.Concat(Enumerable.Repeat("[0]", 31)) + ")", attributes);
        Assert.Equal("Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 34",
            ConditionError("attribute_exists(a" + string.Concat(Enumerable.Repeat("[0]", 33)) + ")"));
        error = Assert.Throws<DynamoException>(() => ExpressionParser.ParseUpdate("SET a" + string.Concat(Enumerable.Repeat(".b", 32)) + " = :n", attributes));
        Assert.Equal("Invalid UpdateExpression: The document path has too many nesting levels; nesting levels: 33", error.Message);
        // The depth is checked before the placeholders in the path: an undefined one deep inside it comes second.
        Assert.Equal("Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33",
            ConditionError("attribute_exists(a.#undefined" + string.Concat(Enumerable.Repeat(".b", 31)) + ")"));
    }
}
