using Amazon.DynamoDBv2.Model;

namespace Handshake.Dynamo.Tests;

/// <summary>BatchGetItem's 16 MB answer limit: what does not fit comes back in UnprocessedKeys.</summary>
[Collection(ServerCollection.Name)]
public sealed class BatchGetLimitTests(ServerFixture fixture)
{
    [Fact]
    public async Task KeysPastSixteenMegabytesComeBackUnprocessed()
    {
        var client = fixture.Client;
        var name = await SdkItemTests.CreateTableAsync(client, fixture.NewTableName());
        var big = new string('x', 390 * 1024);
        for (int batch = 0; batch < 2; batch++)
        {
            var writes = Enumerable.Range(batch * 25, 25)
                .Select(i => new WriteRequest(new PutRequest(new() { ["pk"] = new AttributeValue { S = "k" + i }, ["v"] = new AttributeValue { S = big } })))
                .ToList();
            await client.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = new() { [name] = writes } }).WaitAsync(ServerFixture.Timeout);
        }

        var got = await client.BatchGetItemAsync(new BatchGetItemRequest
        {
            RequestItems = new()
            {
                [name] = new KeysAndAttributes
                {
                    Keys = Enumerable.Range(0, 50).Select(i => new Dictionary<string, AttributeValue> { ["pk"] = new AttributeValue { S = "k" + i } }).ToList(),
                    ConsistentRead = true,
                },
            },
        }).WaitAsync(ServerFixture.Timeout);

        int answered = got.Responses[name].Count;
        int unprocessed = got.UnprocessedKeys[name].Keys.Count;
        Assert.Equal(50, answered + unprocessed);
        Assert.True(unprocessed > 0);
        Assert.True(got.UnprocessedKeys[name].ConsistentRead);
    }
}
