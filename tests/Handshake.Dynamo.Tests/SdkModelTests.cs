using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.DataModel;
using Amazon.DynamoDBv2.DocumentModel;

namespace Handshake.Dynamo.Tests;

[DynamoDBTable("model-orders")]
public sealed class Order
{
    [DynamoDBHashKey] public string CustomerId { get; set; } = "";
    [DynamoDBRangeKey] public int OrderNumber { get; set; }
    public string? Status { get; set; }
    public decimal Total { get; set; }
    public List<string> Lines { get; set; } = [];
    public Dictionary<string, int> Counts { get; set; } = [];
    public bool Paid { get; set; }
}

/// <summary>The SDK's higher-level models: Document (Table/Document) and object persistence (DynamoDBContext).</summary>
[Collection(ServerCollection.Name)]
public sealed class SdkModelTests(ServerFixture fixture)
{
    [Fact]
    public async Task DocumentModelPutsAndGets()
    {
        var name = await SdkItemTests.CreateTableAsync(fixture.Client, fixture.NewTableName());
        var table = new TableBuilder(fixture.Client, name).AddHashKey("pk", DynamoDBEntryType.String).Build();
        var document = new Document
        {
            ["pk"] = "doc-1",
            ["count"] = 42,
            ["price"] = 19.99m,
            ["tags"] = new PrimitiveList(DynamoDBEntryType.String) { Entries = [new Primitive("a"), new Primitive("b")] },
            ["nested"] = new Document { ["deep"] = "yes" },
        };
        await table.PutItemAsync(document).WaitAsync(ServerFixture.Timeout);

        var loaded = await table.GetItemAsync("doc-1").WaitAsync(ServerFixture.Timeout);

        Assert.Equal(42, loaded["count"].AsInt());
        Assert.Equal(19.99m, loaded["price"].AsDecimal());
        Assert.Equal("yes", loaded["nested"].AsDocument()["deep"].AsString());
        Assert.Equal(2, loaded["tags"].AsListOfString().Count);
    }

    [Fact]
    public async Task DynamoDbContextSavesLoadsAndDeletes()
    {
        try
        {
            await fixture.Client.CreateTableAsync(new Amazon.DynamoDBv2.Model.CreateTableRequest
            {
                TableName = "model-orders",
                BillingMode = BillingMode.PAY_PER_REQUEST,
                AttributeDefinitions = [new("CustomerId", ScalarAttributeType.S), new("OrderNumber", ScalarAttributeType.N)],
                KeySchema = [new("CustomerId", KeyType.HASH), new("OrderNumber", KeyType.RANGE)],
            }).WaitAsync(ServerFixture.Timeout);
        }
        catch (Amazon.DynamoDBv2.Model.ResourceInUseException)
        {
            // Created by an earlier run against the same fixture.
        }
        var context = new DynamoDBContextBuilder().WithDynamoDBClient(() => fixture.Client).Build();
        var order = new Order
        {
            CustomerId = "c-" + Guid.NewGuid().ToString("N"),
            OrderNumber = 7,
            Status = "NEW",
            Total = 123.45m,
            Lines = ["tea", "cake"],
            Counts = new() { ["tea"] = 2 },
            Paid = true,
        };
        await context.SaveAsync(order).WaitAsync(ServerFixture.Timeout);

        var loaded = await context.LoadAsync<Order>(order.CustomerId, 7).WaitAsync(ServerFixture.Timeout);
        Assert.NotNull(loaded);
        Assert.Equal("NEW", loaded.Status);
        Assert.Equal(123.45m, loaded.Total);
        Assert.Equal(["tea", "cake"], loaded.Lines);
        Assert.Equal(2, loaded.Counts["tea"]);
        Assert.True(loaded.Paid);

        await context.DeleteAsync(loaded).WaitAsync(ServerFixture.Timeout);
        Assert.Null(await context.LoadAsync<Order>(order.CustomerId, 7).WaitAsync(ServerFixture.Timeout));
    }
}
