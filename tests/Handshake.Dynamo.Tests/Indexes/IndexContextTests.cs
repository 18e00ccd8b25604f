using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.DataModel;
using Amazon.DynamoDBv2.Model;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests.Indexes;

/// <summary>The SDK's object persistence model (DynamoDBContext) querying a GSI, paging through equal index keys.</summary>
[Collection(ServerCollection.Name)]
public sealed class IndexContextTests(ServerFixture fixture)
{
    [DynamoDBTable("placeholder")]
    public sealed class Order
    {
        [DynamoDBHashKey("pk")] public string Customer { get; set; } = "";
        [DynamoDBRangeKey("sk")] public int Number { get; set; }
        [DynamoDBGlobalSecondaryIndexHashKey("gsi-category", AttributeName = "category")] public string? Category { get; set; }
        [DynamoDBProperty("note")] public string? Note { get; set; }
    }

    [Fact]
    public async Task DynamoDBContextQueriesAGlobalIndexAcrossPages()
    {
        var table = await CreateAsync(fixture.Client, fixture.NewTableName());
        using var context = new DynamoDBContextBuilder().WithDynamoDBClient(() => fixture.Client).Build();
        var save = new SaveConfig { OverrideTableName = table };
        for (int i = 0; i < 7; i++)
        {
            await context.SaveAsync(new Order { Customer = "c" + (i % 3), Number = i, Category = i < 5 ? "books" : null, Note = "n" + i }, save)
                .WaitAsync(ServerFixture.Timeout);
        }

        var query = context.QueryAsync<Order>("books", new QueryConfig { OverrideTableName = table, IndexName = CategoryGsi });
        var books = await query.GetRemainingAsync().WaitAsync(ServerFixture.Timeout);
        // Equal index keys: ordered by the table key (pk, then sk).
        Assert.Equal(["c0/0", "c0/3", "c1/1", "c1/4", "c2/2"], books.Select(o => o.Customer + "/" + o.Number));
        Assert.All(books, o => Assert.StartsWith("n", o.Note));

        // The context itself paging the index two items at a time (Limit 2): the same five, in the same order.
        var paged = context.FromQueryAsync<Order>(
            new Amazon.DynamoDBv2.DocumentModel.QueryOperationConfig
            {
                IndexName = CategoryGsi, Limit = 2,
                KeyExpression = new Amazon.DynamoDBv2.DocumentModel.Expression
                {
                    ExpressionStatement = "category = :c",
                    ExpressionAttributeValues = new() { [":c"] = "books" },
                },
            },
            new FromQueryConfig { OverrideTableName = table });
        var pageSizes = new List<int>();
        var pagedBooks = new List<Order>();
        while (!paged.IsDone && pageSizes.Count < 10)
        {
            var page = await paged.GetNextSetAsync().WaitAsync(ServerFixture.Timeout);
            pageSizes.Add(page.Count);
            pagedBooks.AddRange(page);
        }
        Assert.Equal(books.Select(o => o.Customer + "/" + o.Number), pagedBooks.Select(o => o.Customer + "/" + o.Number));
        Assert.True(pageSizes.Count >= 3, string.Join(",", pageSizes));
        Assert.All(pageSizes, size => Assert.True(size <= 2));

        // The low-level client pages the same index two at a time and sees each item once.
        var seen = new List<string>();
        Dictionary<string, AttributeValue>? start = null;
        for (int pages = 0; pages < 10; pages++)
        {
            var page = await fixture.Client.QueryAsync(new QueryRequest
            {
                TableName = table, IndexName = CategoryGsi, KeyConditionExpression = "category = :c",
                ExpressionAttributeValues = new() { [":c"] = S("books") }, Limit = 2, ExclusiveStartKey = start,
            }).WaitAsync(ServerFixture.Timeout);
            seen.AddRange(page.Items.Select(i => i["pk"].S + "/" + i["sk"].N));
            start = page.LastEvaluatedKey is { Count: > 0 } lek ? lek : null;
            if (start is null) break;
            Assert.Equal(["category", "pk", "sk"], start.Keys.Order(StringComparer.Ordinal));
        }
        Assert.Equal(books.Select(o => o.Customer + "/" + o.Number), seen);
    }
}
