using System.Net;
using System.Text.Json;

namespace Handshake.Dynamo.Tests.PartiQL;

/// <summary>
/// What the PartiQL fuzz (tests/Handshake.Reliability.Tests/Fuzzing/PartiQLFuzzTests.cs) found, pinned one by one over
/// raw HTTP, each failing without its fix.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class PartiQLFuzzFindingsTests(ServerFixture fixture)
{
    private static string Json(string text) => JsonSerializer.Serialize(text);

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string operation, string body)
    {
        var response = await fixture.PostAsync(operation, body);
        return (response.StatusCode, await response.Content.ReadAsStringAsync().WaitAsync(ServerFixture.Timeout));
    }

    // INSERT ... VALUE ? takes the whole item as one map parameter. The parser meant to accept it but compared the ?
    // as a symbol, and a ? is a parameter token: every such INSERT was refused as "Unsupported format in item expression".
    [Fact]
    public async Task AnInsertWhoseItemIsOneMapParameterWritesIt()
    {
        var table = await fixture.CreateHashTableAsync();
        var insert = Json($"INSERT INTO \"{table}\" VALUE ?");
        var item = """{"M":{"pk":{"S":"a"},"v":{"N":"1"},"l":{"L":[{"S":"x"}]}}}""";
        var (status, body) = await PostAsync("ExecuteStatement", $$$"""{"Statement":{{{insert}}},"Parameters":[{{{item}}}]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"Items":[]}""", body);

        (status, body) = await PostAsync("GetItem", $$$$"""{"TableName":"{{{{table}}}}","Key":{"pk":{"S":"a"}}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"Item":{"pk":{"S":"a"},"v":{"N":"1"},"l":{"L":[{"S":"x"}]}}}""", body);

        // The same item again is a duplicate, in a transaction too, where it is a one-statement cancellation.
        var (_, type, message) = await fixture.ErrorAsync("ExecuteStatement", $$$"""{"Statement":{{{insert}}},"Parameters":[{{{item}}}]}""");
        Assert.Equal("com.amazonaws.dynamodb.v20120810#DuplicateItemException", type);
        Assert.Equal("Duplicate primary key exists in table", message);
        (status, body) = await PostAsync("ExecuteTransaction", $$$"""{"TransactStatements":[{"Statement":{{{insert}}},"Parameters":[{{{item}}}]}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        using (var cancelled = JsonDocument.Parse(body))
        {
            Assert.Equal("com.amazonaws.dynamodb.v20120810#TransactionCanceledException", cancelled.RootElement.GetProperty("__type").GetString());
            Assert.Equal("DuplicateItem", cancelled.RootElement.GetProperty("CancellationReasons")[0].GetProperty("Code").GetString());
        }

        // A parameter that is not a map is still not an item.
        (status, type, message) = await fixture.ErrorAsync("ExecuteStatement", $$$"""{"Statement":{{{insert}}},"Parameters":[{"S":"a"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazon.coral.validate#ValidationException", type);
        Assert.Equal("Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.", message);
    }
}
