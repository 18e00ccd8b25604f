using System.Net;
using System.Text.Json;

namespace Handshake.Dynamo.Tests.PartiQL;

/// <summary>
/// Bad values in PartiQL requests, over raw HTTP: a parameter's own error is the answer (as for the same value in
/// PutItem), and a tuple that would make an empty attribute name is refused before anything is written.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class PartiQLBadValueTests(ServerFixture fixture)
{
    private static string Json(string text) => JsonSerializer.Serialize(text);

    [Theory]
    [InlineData("""{}""", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")]
    [InlineData("""{"S":"a","N":"1"}""", "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")]
    [InlineData("""{"N":"1e999"}""", "Number overflow. Attempting to store a number with magnitude larger than supported range")]
    [InlineData("""{"N":"abc"}""", "The parameter cannot be converted to a numeric value: abc")]
    [InlineData("""{"NULL":false}""", "One or more parameter values were invalid: Null attribute value types must have the value of true")]
    [InlineData("""{"M":{"":{"S":"x"}}}""", "1 validation error detected: Empty attribute name")]
    public async Task AnInvalidParameterIsReportedAsItselfNotAsAnEmptyList(string parameter, string message)
    {
        var table = await fixture.CreateHashTableAsync();
        var statement = Json($"SELECT * FROM \"{table}\" WHERE pk = ?");
        var (status, type, text) = await fixture.ErrorAsync("ExecuteStatement", $$$"""{"Statement":{{{statement}}},"Parameters":[{{{parameter}}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazon.coral.validate#ValidationException", type);
        Assert.Equal(message, text);

        (status, type, text) = await fixture.ErrorAsync("ExecuteTransaction", $$$"""{"TransactStatements":[{"Statement":{{{statement}}},"Parameters":[{{{parameter}}}]}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazon.coral.validate#ValidationException", type);
        Assert.Equal(message, text);
    }

    [Theory]
    [InlineData("INSERT INTO \"T\" VALUE {'pk': 'a', '': 1}")]
    [InlineData("INSERT INTO \"T\" VALUE {'pk': 'a', 'm': {'k': [{'': 1}]}}")]
    [InlineData("UPDATE \"T\" SET m = {'': 1} WHERE pk = 'b'")]
    public async Task ATupleWithAnEmptyAttributeNameIsRefusedAndWritesNothing(string statement)
    {
        var table = await fixture.CreateHashTableAsync();
        Assert.Equal(HttpStatusCode.OK, (await fixture.PostAsync("PutItem", $$$$$"""{"TableName":"{{{{{table}}}}}","Item":{"pk":{"S":"b"}}}""")).StatusCode);

        var (status, type, text) = await fixture.ErrorAsync("ExecuteStatement", $$$$"""{"Statement":{{{{Json(statement.Replace("\"T\"", "\"" + table + "\""))}}}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazon.coral.validate#ValidationException", type);
        Assert.Equal("1 validation error detected: Empty attribute name", text);

        var scan = await fixture.PostAsync("Scan", $$$$$"""{"TableName":"{{{{{table}}}}}","ConsistentRead":true}""");
        Assert.Equal("""{"Items":[{"pk":{"S":"b"}}],"Count":1,"ScannedCount":1}""", await scan.Content.ReadAsStringAsync());
    }
}
