using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.DataModel;
using Amazon.DynamoDBv2.Model;
using Handshake.Dynamo.Tests.Indexes;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests.QueryScan;

/// <summary>Query and Scan on secondary indexes: index order, LastEvaluatedKey with both key sets, projections, errors.</summary>
[Collection(ServerCollection.Name)]
public sealed class IndexReadTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;
    private static readonly TimeSpan Timeout = ServerFixture.Timeout;

    /// <summary>12 items: owner "ann" for all, created = i / 4 (so runs of equal GSI keys), category on even items only.</summary>
    private async Task<string> TableAsync()
    {
        var table = await IndexTables.CreateAsync(Client, fixture.NewTableName());
        for (int i = 0; i < 12; i++)
        {
            var item = new Dictionary<string, AttributeValue>
            {
                ["pk"] = S("p" + (i % 3)), ["sk"] = N(i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ["owner"] = S("ann"), ["created"] = N((i / 4).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ["status"] = S("s" + (11 - i).ToString("00", System.Globalization.CultureInfo.InvariantCulture)), ["note"] = S("n"), ["secret"] = S("x"),
            };
            if (i % 2 == 0) item["category"] = S("even");
            await Client.PutItemAsync(table, item).WaitAsync(Timeout);
        }
        return table;
    }

    [Fact]
    public async Task GsiPagesWithEqualIndexKeysResumeWithoutLossOrRepeat()
    {
        var table = await TableAsync();
        var seen = new List<string>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await Client.QueryAsync(new QueryRequest
            {
                TableName = table, IndexName = OwnerGsi, Limit = 3, ExclusiveStartKey = start,
                KeyConditionExpression = "#o = :o", ExpressionAttributeNames = new() { ["#o"] = "owner" },
                ExpressionAttributeValues = new() { [":o"] = S("ann") },
            }).WaitAsync(Timeout);
            foreach (var item in page.Items)
            {
                Assert.Equal(["created", "owner", "pk", "sk"], item.Keys.Order()); // KEYS_ONLY: index and table keys
                seen.Add(item["created"].N + "/" + item["pk"].S + "/" + item["sk"].N);
            }
            start = page.LastEvaluatedKey is { Count: > 0 } lek ? lek : null;
            if (start is not null) Assert.Equal(["created", "owner", "pk", "sk"], start.Keys.Order());
        } while (start is not null);
        Assert.Equal(12, seen.Count);
        Assert.Equal(12, seen.Distinct().Count());
        Assert.Equal(seen.OrderBy(s => int.Parse(s.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture)).ThenBy(s => s.Split('/')[1], StringComparer.Ordinal)
            .ThenBy(s => int.Parse(s.Split('/')[2], System.Globalization.CultureInfo.InvariantCulture)), seen);
    }

    [Fact]
    public async Task LsiQueriesInIndexOrderAndFetchesUnprojectedAttributes()
    {
        var table = await TableAsync();
        var projected = await Client.QueryAsync(new QueryRequest
        {
            TableName = table, IndexName = Lsi, KeyConditionExpression = "pk = :p AND #s < :s",
            ExpressionAttributeNames = new() { ["#s"] = "status" },
            ExpressionAttributeValues = new() { [":p"] = S("p0"), [":s"] = S("s05") },
        }).WaitAsync(Timeout);
        Assert.Equal(["s02"], projected.Items.Select(i => i["status"].S));
        Assert.All(projected.Items, i => Assert.Equal("n", i["note"].S)); // INCLUDE [note]
        Assert.All(projected.Items, i => Assert.False(i.ContainsKey("secret")));
        var all = await Client.QueryAsync(new QueryRequest
        {
            TableName = table, IndexName = Lsi, Select = Select.ALL_ATTRIBUTES, KeyConditionExpression = "pk = :p",
            ExpressionAttributeValues = new() { [":p"] = S("p0") }, ScanIndexForward = false,
        }).WaitAsync(Timeout);
        Assert.Equal(["s11", "s08", "s05", "s02"], all.Items.Select(i => i["status"].S));
        Assert.All(all.Items, i => Assert.Equal("x", i["secret"].S));
    }

    [Fact]
    public async Task SparseGsiScanAndIndexErrors()
    {
        var table = await TableAsync();
        var scan = await Client.ScanAsync(new ScanRequest { TableName = table, IndexName = CategoryGsi, ReturnConsumedCapacity = ReturnConsumedCapacity.INDEXES })
            .WaitAsync(Timeout);
        Assert.Equal(6, scan.Count);
        Assert.Equal(0.5, scan.ConsumedCapacity.CapacityUnits);
        Assert.Equal(0.5, scan.ConsumedCapacity.GlobalSecondaryIndexes[CategoryGsi].CapacityUnits);
        Assert.Equal(0, scan.ConsumedCapacity.Table.CapacityUnits);
        Assert.All(scan.Items, i => Assert.Equal("x", i["secret"].S)); // ALL projection

        async Task<string> Error(QueryRequest request)
        {
            request.TableName = table;
            var e = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.QueryAsync(request).WaitAsync(Timeout));
            return e.Message;
        }
        Assert.Equal("Consistent reads are not supported on global secondary indexes", await Error(new QueryRequest
        {
            IndexName = CategoryGsi, ConsistentRead = true, KeyConditionExpression = "category = :c", ExpressionAttributeValues = new() { [":c"] = S("even") },
        }));
        Assert.Equal("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index " + OwnerGsi
            + " because its projection type is not ALL", await Error(new QueryRequest
        {
            IndexName = OwnerGsi, Select = Select.ALL_ATTRIBUTES, KeyConditionExpression = "#o = :o",
            ExpressionAttributeNames = new() { ["#o"] = "owner" }, ExpressionAttributeValues = new() { [":o"] = S("ann") },
        }));
        Assert.Equal("Query condition missed key schema element: category", await Error(new QueryRequest
        {
            IndexName = CategoryGsi, KeyConditionExpression = "pk = :p", ExpressionAttributeValues = new() { [":p"] = S("p0") },
        }));
    }

    [Fact]
    public async Task AGsiRefusesAProjectionOfAttributesItDoesNotProjectWhereAnLsiFetchesThem()
    {
        var table = await TableAsync();
        async Task<string> Error(Func<Task> call) => (await Assert.ThrowsAsync<AmazonDynamoDBException>(() => call().WaitAsync(Timeout))).Message;
        var byOwner = new QueryRequest
        {
            TableName = table, IndexName = OwnerGsi, KeyConditionExpression = "#o = :o", ProjectionExpression = "secret, pk, #o, note, tags.a, tags.b",
            ExpressionAttributeNames = new() { ["#o"] = "owner" }, ExpressionAttributeValues = new() { [":o"] = S("ann") },
        };
        // KEYS_ONLY: the keys are projected; the rest are named once each (by top-level name), in request order.
        Assert.Equal("One or more parameter values were invalid: Global secondary index " + OwnerGsi + " does not project [secret, note, tags]",
            await Error(() => Client.QueryAsync(byOwner)));
        Assert.Equal("One or more parameter values were invalid: Global secondary index " + OwnerGsi + " does not project [note]",
            await Error(() => Client.ScanAsync(new ScanRequest { TableName = table, IndexName = OwnerGsi, AttributesToGet = ["pk", "created", "note"] })));
        var keys = await Client.ScanAsync(new ScanRequest { TableName = table, IndexName = OwnerGsi, ProjectionExpression = "pk, created" }).WaitAsync(Timeout);
        Assert.Equal(12, keys.Count);
        Assert.All(keys.Items, i => Assert.Equal(["created", "pk"], i.Keys.Order()));
        // An ALL index projects everything; a local index fetches what it lacks from the table.
        var all = await Client.ScanAsync(new ScanRequest { TableName = table, IndexName = CategoryGsi, ProjectionExpression = "secret" }).WaitAsync(Timeout);
        Assert.Equal(6, all.Count); // the sparse index's six items: an empty scan would pass the check below
        Assert.All(all.Items, i => Assert.Equal("x", i["secret"].S));
        var local = await Client.QueryAsync(new QueryRequest
        {
            TableName = table, IndexName = Lsi, KeyConditionExpression = "pk = :p", ProjectionExpression = "secret",
            ExpressionAttributeValues = new() { [":p"] = S("p0") },
        }).WaitAsync(Timeout);
        Assert.Equal(4, local.Count);
        Assert.All(local.Items, i => Assert.Equal("x", i["secret"].S));
    }

    [DynamoDBTable("placeholder")]
    public sealed class Entry
    {
        [DynamoDBHashKey("pk")] public string Partition { get; set; } = "";
        [DynamoDBRangeKey("sk")] public int Sort { get; set; }
        [DynamoDBGlobalSecondaryIndexHashKey(CategoryGsi, AttributeName = "category")] public string? Category { get; set; }
        [DynamoDBProperty("secret")] public string? Secret { get; set; }
    }

    [Fact]
    public async Task DynamoDBContextQueriesAGsi()
    {
        var table = await TableAsync();
        using var context = new DynamoDBContextBuilder().WithDynamoDBClient(() => Client).Build();
        var entries = await context.QueryAsync<Entry>("even", new QueryConfig { OverrideTableName = table, IndexName = CategoryGsi })
            .GetRemainingAsync().WaitAsync(Timeout);
        Assert.Equal(6, entries.Count);
        Assert.All(entries, e => Assert.Equal("x", e.Secret));
        Assert.Equal([0, 2, 4, 6, 8, 10], entries.Select(e => e.Sort).Order());
    }
}
