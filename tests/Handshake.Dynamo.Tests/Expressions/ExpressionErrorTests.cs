using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Tests.Expressions;

/// <summary>Each validation message of the expression parser, exactly as AWS words it.</summary>
public sealed class ExpressionErrorTests
{
    internal static ExpressionAttributes Attributes(params (string Key, AttributeValue Value)[] values)
    {
        var names = new Dictionary<string, string> { ["#n"] = "name", ["#k"] = "key" };
        var map = new Dictionary<string, AttributeValue>();
        foreach (var (k, v) in values) map[k] = v;
        map.TryAdd(":v", AttributeValue.FromString("x"));
        map.TryAdd(":n", AttributeValue.FromNumber(DynamoNumber.Parse("5")));
        map.TryAdd(":one", AttributeValue.FromNumber(DynamoNumber.Parse("1")));
        map.TryAdd(":ss", AttributeValue.FromStringSet(["a"]));
        map.TryAdd(":l", AttributeValue.FromList([AttributeValue.FromString("e")]));
        map.TryAdd(":m", AttributeValue.FromMap(new Dictionary<string, AttributeValue>()));
        return new ExpressionAttributes(names, map);
    }

    private static string ConditionError(string expression, string name = "ConditionExpression") =>
        Assert.Throws<DynamoException>(() => ExpressionParser.ParseCondition(expression, Attributes(), name)).Message;

    private static string UpdateError(string expression) =>
        Assert.Throws<DynamoException>(() => ExpressionParser.ParseUpdate(expression, Attributes())).Message;

    [Theory]
    [InlineData("a = ", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\"")]
    [InlineData("a == :v", "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"== :v\"")]
    [InlineData("a = :v b", "Invalid ConditionExpression: Syntax error; token: \"b\", near: \":v b\"")]
    [InlineData("", "Invalid ConditionExpression: The expression can not be empty;")]
    [InlineData("a = :undefined", "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :undefined")]
    [InlineData("#undefined = :v", "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #undefined")]
    [InlineData("size = :v", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: size")]
    [InlineData("Status = :v", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Status")]
    [InlineData("((a = :v))", "Invalid ConditionExpression: The expression has redundant parentheses;")]
    [InlineData("a = :v AND ((b = :v))", "Invalid ConditionExpression: The expression has redundant parentheses;")]
    [InlineData("nope(a)", "Invalid ConditionExpression: Invalid function name; function: nope")]
    [InlineData("begins_with(a)", "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1")]
    [InlineData("attribute_exists(:v)", "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists")]
    [InlineData("begins_with(a, :n)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")]
    [InlineData("attribute_type(a, :n)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N")]
    [InlineData("attribute_type(a, :v)", "Invalid ConditionExpression: Invalid attribute type name found; type: x, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}")]
    [InlineData("size(a)", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size")]
    [InlineData("attribute_exists(a) = :v", "Invalid ConditionExpression: Syntax error; token: \"=\", near: \") = :v\"")]
    [InlineData("a = begins_with(b, :v)", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: begins_with")]
    [InlineData("a = a", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]")]
    [InlineData("a BETWEEN :n AND :one", "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}")]
    [InlineData("a BETWEEN :n AND :v", "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {S:x}")]
    public void ConditionMessages(string expression, string message) => Assert.Equal(message, ConditionError(expression));

    // Syntax errors as AWS words them, from real AWS responses quoted in public issues: "near" runs from the token
    // before the offending one to the token after it, and a name cannot start with '_' (or a digit).
    [Theory]
    [InlineData("attribute_not_exists(_version)", "ConditionExpression", "token: \"_\", near: \"(_version\"")] // aws-sdk-java-v2#2950
    [InlineData("_version = :v", "ConditionExpression", "token: \"_\", near: \"_version\"")] // aws-sdk-java-v2#3279
    [InlineData("_type = :v", "FilterExpression", "token: \"_\", near: \"_type\"")] // DynamoDb-GUI-Client#89
    [InlineData("#n attribute_not_exists :v", "FilterExpression", "token: \"attribute_not_exists\", near: \"#n attribute_not_exists :v\"")] // dynamodb-dashboard#735
    [InlineData("attribute_exists(a) AND NOT #n", "ConditionExpression", "token: \"<EOF>\", near: \"#n\"")] // minidyn#21
    [InlineData("GI-1-PK = :v", "KeyConditionExpression", "token: \"-\", near: \"GI-1\"")] // intellij-dynamodb#3
    [InlineData("a = 1v", "ConditionExpression", "token: \"1\", near: \"= 1v\"")] // by the same rules: a name cannot start with a digit either
    public void SyntaxErrorsAreNearTheTokensEitherSide(string expression, string name, string error) =>
        Assert.Equal("Invalid " + name + ": Syntax error; " + error, ConditionError(expression, name));

    [Theory]
    [InlineData("!!!", "Invalid ProjectionExpression: Syntax error; token: \"!\", near: \"!!\"")]
    [InlineData("!", "Invalid ProjectionExpression: Syntax error; token: \"!\", near: \"!\"")]
    [InlineData("a, !b", "Invalid ProjectionExpression: Syntax error; token: \"!\", near: \", !b\"")]
    // AWS captures: a '-' is its own token, so an unquoted hyphenated name fails there (dynamodb-admin#75, airbyte#22508),
    // and "0" is a whole integer token, so "03" is two tokens (aws-sdk-java-v2#2310).
    [InlineData("dummy-id", "Invalid ProjectionExpression: Syntax error; token: \"-\", near: \"dummy-id\"")]
    [InlineData("a-type", "Invalid ProjectionExpression: Syntax error; token: \"-\", near: \"a-type\"")]
    [InlineData("#n_2021-03-03", "Invalid ProjectionExpression: Syntax error; token: \"-\", near: \"#n_2021-0\"")]
    [InlineData("_a", "Invalid ProjectionExpression: Syntax error; token: \"_\", near: \"_a\"")]
    public void ProjectionSyntaxMessages(string expression, string message) =>
        Assert.Equal(message, Assert.Throws<DynamoException>(() => ExpressionParser.ParseProjection(expression, Attributes())).Message);

    [Fact]
    public void ReservedWordsAreTheFullAwsList()
    {
        Assert.Equal(573, ReservedWords.Count);
        Assert.True(ReservedWords.Contains("zone"));
        Assert.False(ReservedWords.Contains("counter_x"));
    }

    [Fact]
    public void InAcceptsAHundredOperandsButNotMore()
    {
        string Candidates(int n) => string.Join(", ", Enumerable.Repeat(":v", n));
        ExpressionParser.ParseCondition("a IN (" + Candidates(100) + ")", Attributes());
        Assert.Equal("Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101",
            ConditionError("a IN (" + Candidates(101) + ")"));
    }

    [Fact]
    public void ExpressionsAreLimitedToFourKilobytes()
    {
        var name = "a" + new string('z', 4096);
        Assert.Equal("Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: " + (name.Length + 5),
            ConditionError(name + " = :v"));
        Assert.Equal("Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: " + (name.Length + 5),
            ConditionError(name + " = :v", "FilterExpression"));
        Assert.Equal("Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;", UpdateError("SET " + name + " = :v"));
        ExpressionParser.ParseCondition(new string('a', 4091) + " = :v", Attributes()); // exactly 4096 bytes
    }

    [Theory]
    [InlineData("SET a = :v SET b = :v", "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;")]
    [InlineData("SET a = :v, a.b = :v", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]")]
    [InlineData("SET a.b = :v REMOVE a.b", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, b]")]
    [InlineData("SET a.b = :v REMOVE a[1]", "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]")]
    [InlineData("SET a = ", "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"=\"")]
    [InlineData("SET a :v", "Invalid UpdateExpression: Syntax error; token: \":v\", near: \"a :v\"")]
    [InlineData("ADD hits : incr", "Invalid UpdateExpression: Syntax error; token: \":\", near: \"hits : incr\"")] // aws-cdk#7591
    [InlineData("SET a = :v, #, b = :v", "Invalid UpdateExpression: Syntax error; token: \"#\", near: \", #,\"")] // dazn-lambda-powertools#242
    [InlineData("SET _a = :v", "Invalid UpdateExpression: Syntax error; token: \"_\", near: \"SET _a\"")]
    // A first token that is wrong is "near" itself and the next one (AWS, as the public conformance suite captured it).
    [InlineData("UPSERT a = :v", "Invalid UpdateExpression: Syntax error; token: \"UPSERT\", near: \"UPSERT a\"")]
    [InlineData("INVALID SYNTAX HERE", "Invalid UpdateExpression: Syntax error; token: \"INVALID\", near: \"INVALID SYNTAX\"")]
    [InlineData("SET a = :v + :one", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S")]
    [InlineData("SET a = list_append(:m, :l)", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: M")]
    [InlineData("SET a = if_not_exists(:v, :v)", "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists")]
    [InlineData("SET a = if_not_exists(a)", "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1")]
    [InlineData("SET a = nope(a, :v)", "Invalid UpdateExpression: Invalid function name; function: nope")]
    [InlineData("ADD a :v", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING")]
    [InlineData("DELETE a :n", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER")]
    [InlineData("SET year = :v", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: year")]
    [InlineData("SET a = :nothing", "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :nothing")]
    [InlineData("", "Invalid UpdateExpression: The expression can not be empty;")]
    public void UpdateMessages(string expression, string message) => Assert.Equal(message, UpdateError(expression));

    [Fact]
    public void UnusedPlaceholdersAreReportedAfterParsing()
    {
        var attributes = Attributes();
        ExpressionParser.ParseCondition("#n = :v", attributes);
        var error = Assert.Throws<DynamoException>(attributes.ThrowIfUnused);
        Assert.Equal("Value provided in ExpressionAttributeNames unused in expressions: keys: {#k}", error.Message);
    }

    [Fact]
    public void KeywordsAndFunctionsAreCaseInsensitiveOnlyWhereAwsIsLenient()
    {
        var node = ExpressionParser.ParseCondition("a = :v and not b = :v Or c Between :one aND :n", Attributes());
        Assert.IsType<OrNode>(node);
        Assert.Equal("Invalid ConditionExpression: Invalid function name; function: Begins_With", ConditionError("Begins_With(a, :v)"));
    }
}
