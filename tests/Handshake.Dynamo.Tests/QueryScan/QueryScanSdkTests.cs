using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.DataModel;
using Amazon.DynamoDBv2.Model;

namespace Handshake.Dynamo.Tests.QueryScan;

/// <summary>Query and Scan through AWSSDK.DynamoDBv2: key conditions, paging, filters, Select, segments, capacity.</summary>
[Collection(ServerCollection.Name)]
public sealed class QueryScanSdkTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;
    private static readonly TimeSpan Timeout = ServerFixture.Timeout;

    private static AttributeValue S(string s) => new() { S = s };
    private static AttributeValue N(int n) => new() { N = n.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    /// <summary>A pk (S) + sk (N) table with partitions "p" (sk 0..19, v = sk % 3) and "q" (sk 0..4).</summary>
    private async Task<string> NumbersTableAsync()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName(), withRange: true);
        var writes = new List<WriteRequest>();
        for (int i = 0; i < 20; i++) writes.Add(new WriteRequest(new PutRequest(new() { ["pk"] = S("p"), ["sk"] = N(i), ["v"] = N(i % 3) })));
        for (int i = 0; i < 5; i++) writes.Add(new WriteRequest(new PutRequest(new() { ["pk"] = S("q"), ["sk"] = N(i), ["v"] = N(0) })));
        foreach (var chunk in writes.Chunk(25))
            await Client.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = new() { [table] = [.. chunk] } }).WaitAsync(Timeout);
        return table;
    }

    private Task<QueryResponse> QueryAsync(string table, string condition, Dictionary<string, AttributeValue> values, Action<QueryRequest>? configure = null)
    {
        var request = new QueryRequest { TableName = table, KeyConditionExpression = condition, ExpressionAttributeValues = values };
        configure?.Invoke(request);
        return Client.QueryAsync(request).WaitAsync(Timeout);
    }

    private static int[] SortKeys(List<Dictionary<string, AttributeValue>> items) => [.. items.Select(i => int.Parse(i["sk"].N, System.Globalization.CultureInfo.InvariantCulture))];

    [Fact]
    public async Task SortKeyConditionsSeekInOrderBothWays()
    {
        var table = await NumbersTableAsync();
        var between = await QueryAsync(table, "pk = :p AND sk BETWEEN :a AND :b", new() { [":p"] = S("p"), [":a"] = N(5), [":b"] = N(9) });
        Assert.Equal([5, 6, 7, 8, 9], SortKeys(between.Items));
        Assert.Equal(5, between.Count);
        var backwards = await QueryAsync(table, "pk = :p AND sk < :a", new() { [":p"] = S("p"), [":a"] = N(3) }, r => r.ScanIndexForward = false);
        Assert.Equal([2, 1, 0], SortKeys(backwards.Items));
        var flipped = await QueryAsync(table, ":a <= sk AND pk = :p", new() { [":p"] = S("q"), [":a"] = N(3) });
        Assert.Equal([3, 4], SortKeys(flipped.Items));
        var whole = await QueryAsync(table, "pk = :p", new() { [":p"] = S("q") });
        Assert.Equal([0, 1, 2, 3, 4], SortKeys(whole.Items));
        Assert.Null(whole.LastEvaluatedKey is { Count: > 0 } ? whole.LastEvaluatedKey : null);
    }

    [Fact]
    public async Task LimitCountsItemsBeforeTheFilterAndPagesResume()
    {
        var table = await NumbersTableAsync();
        var seen = new List<int>();
        Dictionary<string, AttributeValue>? start = null;
        int pages = 0, scanned = 0;
        do
        {
            var page = await QueryAsync(table, "pk = :p", new() { [":p"] = S("p"), [":zero"] = N(0) }, r =>
            {
                r.Limit = 6;
                r.FilterExpression = "v = :zero";
                r.ExclusiveStartKey = start;
            });
            pages++;
            scanned += page.ScannedCount ?? 0;
            Assert.True(page.ScannedCount <= 6);
            seen.AddRange(SortKeys(page.Items));
            start = page.LastEvaluatedKey is { Count: > 0 } lek ? lek : null;
        } while (start is not null);
        Assert.Equal([0, 3, 6, 9, 12, 15, 18], seen);
        Assert.Equal(20, scanned);
        Assert.Equal(4, pages); // 6 + 6 + 6 + 2; the last page is short, so it has no LastEvaluatedKey
    }

    [Fact]
    public async Task BeginsWithOnAStringSortKeyAndProjectionAndCount()
    {
        var table = fixture.NewTableName();
        await Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = table,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("pk", ScalarAttributeType.S), new("sk", ScalarAttributeType.S)],
            KeySchema = [new("pk", KeyType.HASH), new("sk", KeyType.RANGE)],
        }).WaitAsync(Timeout);
        foreach (var sk in new[] { "a#1", "a#2", "ab", "b#1", "a", "\uD83D\uDE00", "\uFFFD" })
            await Client.PutItemAsync(table, new() { ["pk"] = S("x"), ["sk"] = S(sk), ["extra"] = S("e"), ["keep"] = S("k") }).WaitAsync(Timeout);

        var prefixed = await QueryAsync(table, "pk = :p AND begins_with(sk, :prefix)", new() { [":p"] = S("x"), [":prefix"] = S("a#") },
            r => r.ProjectionExpression = "sk, keep");
        Assert.Equal(["a#1", "a#2"], prefixed.Items.Select(i => i["sk"].S));
        Assert.All(prefixed.Items, i => Assert.Equal(["sk", "keep"], i.Keys.Order().Reverse()));

        // UTF-8 byte order: U+FFFD (EF BF BD) sorts below U+1F600 (F0 9F 98 80), unlike UTF-16 order.
        var all = await QueryAsync(table, "pk = :p", new() { [":p"] = S("x") });
        Assert.Equal(["a", "a#1", "a#2", "ab", "b#1", "\uFFFD", "\uD83D\uDE00"], all.Items.Select(i => i["sk"].S));

        var count = await QueryAsync(table, "pk = :p AND sk > :a", new() { [":p"] = S("x"), [":a"] = S("a") }, r => r.Select = Select.COUNT);
        Assert.Equal(6, count.Count);
        Assert.Empty(count.Items ?? []);
    }

    [Fact]
    public async Task ScanPagesAndParallelSegmentsPartitionTheTable()
    {
        var table = await NumbersTableAsync();
        var all = new List<(string, int)>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await Client.ScanAsync(new ScanRequest { TableName = table, Limit = 7, ExclusiveStartKey = start }).WaitAsync(Timeout);
            all.AddRange(page.Items.Select(i => (i["pk"].S, int.Parse(i["sk"].N, System.Globalization.CultureInfo.InvariantCulture))));
            start = page.LastEvaluatedKey is { Count: > 0 } lek ? lek : null;
        } while (start is not null);
        Assert.Equal(25, all.Distinct().Count());

        var bySegment = new List<HashSet<string>>();
        int total = 0;
        for (int segment = 0; segment < 4; segment++)
        {
            var page = await Client.ScanAsync(new ScanRequest { TableName = table, Segment = segment, TotalSegments = 4 }).WaitAsync(Timeout);
            total += page.Count ?? 0;
            bySegment.Add([.. page.Items.Select(i => i["pk"].S)]);
            Assert.All(page.Items.GroupBy(i => i["pk"].S), g => Assert.Equal(g.Key == "p" ? 20 : 5, g.Count()));
        }
        Assert.Equal(25, total);
        Assert.Equal(2, bySegment.Sum(s => s.Count)); // each partition in exactly one segment
    }

    [Fact]
    public async Task PagesStopAtOneMegabyteReadBeforeFiltering()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName(), withRange: true);
        var blob = new string('x', 100 * 1024);
        for (int i = 0; i < 12; i++)
            await Client.PutItemAsync(table, new() { ["pk"] = S("big"), ["sk"] = N(i), ["payload"] = S(blob) }).WaitAsync(Timeout);
        var first = await QueryAsync(table, "pk = :p", new() { [":p"] = S("big"), [":none"] = S("none") }, r => r.FilterExpression = "payload = :none");
        Assert.Equal(0, first.Count);
        Assert.True(first.ScannedCount is > 0 and < 12);
        Assert.NotEmpty(first.LastEvaluatedKey);
        var rest = await QueryAsync(table, "pk = :p", new() { [":p"] = S("big") }, r => r.ExclusiveStartKey = first.LastEvaluatedKey);
        Assert.Equal(12 - first.ScannedCount, rest.Count);
    }

    [Fact]
    public async Task ConsumedCapacityIsTheSumRoundedOnce()
    {
        var table = await NumbersTableAsync();
        var consistent = await QueryAsync(table, "pk = :p", new() { [":p"] = S("p") }, r =>
        {
            r.ConsistentRead = true;
            r.ReturnConsumedCapacity = ReturnConsumedCapacity.TOTAL;
        });
        Assert.Equal(1.0, consistent.ConsumedCapacity.CapacityUnits); // 20 small items: well under 4 KB in total
        var eventual = await Client.ScanAsync(new ScanRequest { TableName = table, ReturnConsumedCapacity = ReturnConsumedCapacity.TOTAL }).WaitAsync(Timeout);
        Assert.Equal(0.5, eventual.ConsumedCapacity.CapacityUnits);
        Assert.Equal(table, eventual.ConsumedCapacity.TableName);
    }

    [Fact]
    public async Task LegacyKeyConditionsQueryFilterScanFilterAndAttributesToGet()
    {
        var table = await NumbersTableAsync();
        var query = await Client.QueryAsync(new QueryRequest
        {
            TableName = table,
            KeyConditions = new()
            {
                ["pk"] = new Condition { ComparisonOperator = ComparisonOperator.EQ, AttributeValueList = [S("p")] },
                ["sk"] = new Condition { ComparisonOperator = ComparisonOperator.GE, AttributeValueList = [N(15)] },
            },
            QueryFilter = new() { ["v"] = new Condition { ComparisonOperator = ComparisonOperator.NE, AttributeValueList = [N(0)] } },
            AttributesToGet = ["sk"],
        }).WaitAsync(Timeout);
        Assert.Equal([16, 17, 19], SortKeys(query.Items));
        Assert.All(query.Items, i => Assert.Single(i));

        var scan = await Client.ScanAsync(new ScanRequest
        {
            TableName = table,
            ScanFilter = new()
            {
                ["sk"] = new Condition { ComparisonOperator = ComparisonOperator.BETWEEN, AttributeValueList = [N(2), N(3)] },
                ["v"] = new Condition { ComparisonOperator = ComparisonOperator.IN, AttributeValueList = [N(0), N(2)] },
            },
            ConditionalOperator = ConditionalOperator.AND,
        }).WaitAsync(Timeout);
        Assert.Equal(4, scan.Count); // p/2 (v=2), p/3 (v=0), q/2 and q/3 (v=0)
        Assert.Equal(25, scan.ScannedCount);
    }

    [DynamoDBTable("placeholder")]
    public sealed class Reading
    {
        [DynamoDBHashKey("pk")] public string Sensor { get; set; } = "";
        [DynamoDBRangeKey("sk")] public int Sequence { get; set; }
        [DynamoDBProperty("v")] public int Value { get; set; }
    }

    [Fact]
    public async Task DynamoDBContextQueries()
    {
        var table = await NumbersTableAsync();
        using var context = new DynamoDBContextBuilder().WithDynamoDBClient(() => Client).Build();
        var search = context.QueryAsync<Reading>("p", Amazon.DynamoDBv2.DocumentModel.QueryOperator.GreaterThan, [17],
            new QueryConfig { OverrideTableName = table, BackwardQuery = true });
        var readings = await search.GetRemainingAsync().WaitAsync(Timeout);
        Assert.Equal([19, 18], readings.Select(r => r.Sequence));
        Assert.Equal([1, 0], readings.Select(r => r.Value));
    }
}
