using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Handshake.Dynamo.Tests.Expressions;

/// <summary>
/// How a ProjectionExpression rebuilds lists. DynamoDB gathers the elements picked from one list into a new list in
/// their index order, not the expression's (ExtendDB PR #171, checked against DynamoDB: <c>mylist[2], mylist[0]</c>
/// gives <c>[zero, two]</c>); paths through one element build that one element (dynoxide #126, checked in
/// eu-west-2: <c>l[0].a, l[0].b</c> gives <c>[{a, b}]</c>); and a path that does not resolve adds nothing
/// (ExtendDB PR #18: an out-of-range index gives an empty item).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ProjectionListTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;

    private static AttributeValue S(string s) => new() { S = s };

    private static AttributeValue M(params (string Name, AttributeValue Value)[] members) =>
        new() { M = members.ToDictionary(m => m.Name, m => m.Value) };

    private async Task<(string Table, Dictionary<string, AttributeValue> Key)> PutAsync()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var key = new Dictionary<string, AttributeValue> { ["pk"] = S("a") };
        await Client.PutItemAsync(new PutItemRequest
        {
            TableName = table,
            Item = new()
            {
                ["pk"] = S("a"),
                ["l"] = new AttributeValue { L = [S("zero"), S("one"), S("two"), M(("a", S("a3")), ("b", S("b3")), ("c", S("c3")))] },
                ["n"] = new AttributeValue { L = [new AttributeValue { N = "1" }] },
            },
        }).WaitAsync(ServerFixture.Timeout);
        return (table, key);
    }

    private async Task<Dictionary<string, AttributeValue>> ProjectAsync(string table, Dictionary<string, AttributeValue> key, string projection) =>
        (await Client.GetItemAsync(new GetItemRequest { TableName = table, Key = key, ProjectionExpression = projection, ConsistentRead = true })
            .WaitAsync(ServerFixture.Timeout)).Item;

    private static string Render(AttributeValue value) =>
        value.S ?? value.N ?? (value.L is { Count: > 0 } || value.IsLSet ? "[" + string.Join(", ", value.L!.Select(Render)) + "]"
            : "{" + string.Join(", ", value.M.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => m.Key + ":" + Render(m.Value))) + "}");

    [Theory]
    [InlineData("l[2], l[0]", "[zero, two]")]
    [InlineData("l[0], l[2]", "[zero, two]")]
    [InlineData("l[3].b, l[1], l[3].a", "[one, {a:a3, b:b3}]")]
    [InlineData("l[3].c, l[9], l[0]", "[zero, {c:c3}]")]
    public async Task ElementsComeBackInIndexOrderAndOneElementStaysOne(string projection, string expected)
    {
        var (table, key) = await PutAsync();
        var item = await ProjectAsync(table, key, projection);
        Assert.Equal(["l"], item.Keys);
        Assert.Equal(expected, Render(item["l"]));
    }

    [Theory]
    [InlineData("l[0].a")]     // l[0] is a string: no member to take
    [InlineData("l[9]")]       // past the end
    [InlineData("n[0].x, l[7].a")]
    public async Task APathThatDoesNotResolveAddsNoEmptyList(string projection)
    {
        var (table, key) = await PutAsync();
        var item = await ProjectAsync(table, key, projection);
        Assert.Empty(item);
    }

    [Fact]
    public async Task UpdatedNewGathersTheUpdatedElementsInIndexOrder()
    {
        // UPDATED_NEW returns the updated paths as a projection of the new item, so it follows the same rule.
        var (table, key) = await PutAsync();
        var response = await Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = key,
            UpdateExpression = "SET l[2] = :v, l[0] = :w",
            ExpressionAttributeValues = new() { [":v"] = S("TWO"), [":w"] = S("ZERO") },
            ReturnValues = ReturnValue.UPDATED_NEW,
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal("[ZERO, TWO]", Render(response.Attributes["l"]));
    }
}
