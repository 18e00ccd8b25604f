using System.Net;
using System.Text.Json;

namespace Handshake.Dynamo.Tests;

/// <summary>
/// Which capacity objects carry ReadCapacityUnits/WriteCapacityUnits beside CapacityUnits. DynamoDB reports the split
/// only on transactions; every other data-plane operation reports CapacityUnits alone, at the top level, on Table and
/// on each index, under TOTAL and INDEXES (dynamodb-conformance #69, characterised against DynamoDB in eu-west-2;
/// aws-sdk-java #1986 and aws-sdk-go #2699 saw ReadCapacityUnits null on Query). The SDKs read an absent member and a
/// present one alike, so this is checked on the wire.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ConsumedCapacitySplitTests(ServerFixture fixture)
{
    private async Task<JsonElement> CallAsync(string operation, string body)
    {
        var response = await fixture.PostAsync(operation, body);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(ServerFixture.Timeout);
        Assert.True(response.StatusCode == HttpStatusCode.OK, operation + ": " + text);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    private async Task<string> CreateTableWithIndexAsync()
    {
        var name = fixture.NewTableName();
        await CallAsync("CreateTable", $$$$$"""
            {"TableName":"{{{{{name}}}}}","BillingMode":"PAY_PER_REQUEST",
             "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
             "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
             "GlobalSecondaryIndexes":[{"IndexName":"gsi","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}
            """);
        return name;
    }

    // Every property name anywhere under the response's ConsumedCapacity.
    private static List<string> NamesUnder(JsonElement response)
    {
        var names = new List<string>();
        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Object)
                foreach (var p in e.EnumerateObject()) { names.Add(p.Name); Walk(p.Value); }
            else if (e.ValueKind == JsonValueKind.Array)
                foreach (var x in e.EnumerateArray()) Walk(x);
        }
        Walk(response.GetProperty("ConsumedCapacity"));
        return names;
    }

    [Theory]
    [InlineData("TOTAL")]
    [InlineData("INDEXES")]
    public async Task NonTransactionalOperationsReportCapacityUnitsWithoutTheSplit(string mode)
    {
        var t = await CreateTableWithIndexAsync();
        string rcc = $$$$$""" "ReturnConsumedCapacity":"{{{{{mode}}}}}" """;
        var calls = new (string Operation, string Body)[]
        {
            ("PutItem", $$$$$"""{"TableName":"{{{{{t}}}}}","Item":{"pk":{"S":"a"},"g":{"S":"x"}},{{{{{rcc}}}}}}"""),
            ("UpdateItem", $$$$$"""{"TableName":"{{{{{t}}}}}","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET g = :g","ExpressionAttributeValues":{":g":{"S":"y"}},{{{{{rcc}}}}}}"""),
            ("GetItem", $$$$$"""{"TableName":"{{{{{t}}}}}","Key":{"pk":{"S":"a"}},{{{{{rcc}}}}}}"""),
            ("Query", $$$$$"""{"TableName":"{{{{{t}}}}}","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}},{{{{{rcc}}}}}}"""),
            ("Query", $$$$$"""{"TableName":"{{{{{t}}}}}","IndexName":"gsi","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"y"}},{{{{{rcc}}}}}}"""),
            ("Scan", $$$$$"""{"TableName":"{{{{{t}}}}}",{{{{{rcc}}}}}}"""),
            ("BatchGetItem", $$$$$"""{"RequestItems":{"{{{{{t}}}}}":{"Keys":[{"pk":{"S":"a"}}]}},{{{{{rcc}}}}}}"""),
            ("BatchWriteItem", $$$$$"""{"RequestItems":{"{{{{{t}}}}}":[{"PutRequest":{"Item":{"pk":{"S":"b"},"g":{"S":"x"}}}}]},{{{{{rcc}}}}}}"""),
            ("DeleteItem", $$$$$"""{"TableName":"{{{{{t}}}}}","Key":{"pk":{"S":"a"}},{{{{{rcc}}}}}}"""),
        };
        foreach (var (operation, body) in calls)
        {
            var names = NamesUnder(await CallAsync(operation, body));
            Assert.True(names.Contains("CapacityUnits"), operation);
            Assert.False(names.Contains("ReadCapacityUnits") || names.Contains("WriteCapacityUnits"), operation + " " + mode + ": " + string.Join(",", names));
        }
    }

    [Fact]
    public async Task TransactionsReportTheReadOrWriteSplit()
    {
        var t = await CreateTableWithIndexAsync();
        var write = await CallAsync("TransactWriteItems",
            $$$$$"""{"TransactItems":[{"Put":{"TableName":"{{{{{t}}}}}","Item":{"pk":{"S":"a"},"g":{"S":"x"}}}}],"ReturnConsumedCapacity":"TOTAL"}""");
        var written = write.GetProperty("ConsumedCapacity")[0];
        Assert.Equal(written.GetProperty("CapacityUnits").GetDouble(), written.GetProperty("WriteCapacityUnits").GetDouble());
        Assert.False(written.TryGetProperty("ReadCapacityUnits", out _));

        var read = await CallAsync("TransactGetItems",
            $$$$$"""{"TransactItems":[{"Get":{"TableName":"{{{{{t}}}}}","Key":{"pk":{"S":"a"}}}}],"ReturnConsumedCapacity":"TOTAL"}""");
        var got = read.GetProperty("ConsumedCapacity")[0];
        Assert.Equal(2, got.GetProperty("ReadCapacityUnits").GetDouble());
        Assert.False(got.TryGetProperty("WriteCapacityUnits", out _));
    }
}
