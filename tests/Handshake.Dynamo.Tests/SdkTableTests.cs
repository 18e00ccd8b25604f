using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Handshake.Dynamo.Tests;

/// <summary>The control plane through the .NET SDK: lifecycle and metadata, paging, billing, tags, TTL, limits.</summary>
[Collection(ServerCollection.Name)]
public sealed class SdkTableTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;

    [Fact]
    public async Task CreateDescribeDeleteLifecycle()
    {
        var name = fixture.NewTableName();
        var created = await Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            AttributeDefinitions = [new("pk", ScalarAttributeType.S), new("sk", ScalarAttributeType.B)],
            KeySchema = [new("pk", KeyType.HASH), new("sk", KeyType.RANGE)],
            ProvisionedThroughput = new ProvisionedThroughput(5, 7),
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(TableStatus.CREATING, created.TableDescription.TableStatus);

        var described = (await Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout)).Table;
        Assert.Equal(TableStatus.ACTIVE, described.TableStatus);
        Assert.Equal($"arn:aws:dynamodb:us-east-1:000000000000:table/{name}", described.TableArn);
        Assert.True(Guid.TryParse(described.TableId, out _));
        Assert.Equal(5, described.ProvisionedThroughput.ReadCapacityUnits);
        Assert.Equal(7, described.ProvisionedThroughput.WriteCapacityUnits);
        Assert.Equal(BillingMode.PROVISIONED, described.BillingModeSummary.BillingMode);
        Assert.Equal(0, described.ItemCount);
        Assert.Equal(created.TableDescription.CreationDateTime, described.CreationDateTime);
        Assert.Equal("sk", described.KeySchema[1].AttributeName);

        var deleted = await Client.DeleteTableAsync(name).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(TableStatus.DELETING, deleted.TableDescription.TableStatus);
        var error = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout));
        Assert.Equal($"Requested resource not found: Table: {name} not found", error.Message);
    }

    [Theory]
    [InlineData("S")]
    [InlineData("N")]
    public async Task AnAttributeDefinedTwiceIsRefusedInAwsWords(string secondType)
    {
        // ack-api-quirks DDB-TABLE-042: the same text whether the second definition has the same type or another.
        var name = fixture.NewTableName();
        var e = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name, BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("pk", ScalarAttributeType.S), new("pk", new ScalarAttributeType(secondType))],
            KeySchema = [new("pk", KeyType.HASH)],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal(("ValidationException", "Attribute Name is duplicated: pk"), (e.ErrorCode, e.Message));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout));
    }

    [Fact]
    public async Task AProvisionedGlobalIndexWithoutThroughputIsRefusedInCreateTablesWords()
    {
        // CreateTable's text differs from UpdateTable's "must be specified" (ack-api-quirks DDB-TABLE-442).
        var name = fixture.NewTableName();
        var e = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name, ProvisionedThroughput = new ProvisionedThroughput(1, 1),
            AttributeDefinitions = [new("pk", ScalarAttributeType.S), new("g", ScalarAttributeType.S)],
            KeySchema = [new("pk", KeyType.HASH)],
            GlobalSecondaryIndexes = [new GlobalSecondaryIndex { IndexName = "by-g", KeySchema = [new("g", KeyType.HASH)], Projection = new Projection { ProjectionType = ProjectionType.ALL } }],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal(("ValidationException", "One or more parameter values were invalid: ProvisionedThroughput is not specified for index: by-g"), (e.ErrorCode, e.Message));

        var table = await fixture.CreateHashTableAsync();
        await Client.UpdateTableAsync(new UpdateTableRequest { TableName = table, BillingMode = BillingMode.PROVISIONED, ProvisionedThroughput = new ProvisionedThroughput(1, 1) }).WaitAsync(ServerFixture.Timeout);
        var update = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.UpdateTableAsync(new UpdateTableRequest
        {
            TableName = table, AttributeDefinitions = [new("g", ScalarAttributeType.S)],
            GlobalSecondaryIndexUpdates = [new GlobalSecondaryIndexUpdate { Create = new CreateGlobalSecondaryIndexAction { IndexName = "by-g", KeySchema = [new("g", KeyType.HASH)], Projection = new Projection { ProjectionType = ProjectionType.ALL } } }],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: by-g", update.Message);
    }

    [Fact]
    public async Task ItemCountAndSizeAreMaintained()
    {
        var name = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await Client.PutItemAsync(name, new() { ["pk"] = new AttributeValue { S = "a" }, ["v"] = new AttributeValue { S = "12345" } }).WaitAsync(ServerFixture.Timeout);
        await Client.PutItemAsync(name, new() { ["pk"] = new AttributeValue { S = "b" } }).WaitAsync(ServerFixture.Timeout);
        await Client.PutItemAsync(name, new() { ["pk"] = new AttributeValue { S = "a" }, ["v"] = new AttributeValue { S = "1" } }).WaitAsync(ServerFixture.Timeout);
        var table = (await Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout)).Table;
        Assert.Equal(2, table.ItemCount);
        // "pk"+"a" (3) + "v"+"1" (2) for a, "pk"+"b" (3) for b.
        Assert.Equal(8, table.TableSizeBytes);
    }

    [Fact]
    public async Task ListTablesPagesInOrder()
    {
        var prefix = "page-" + Guid.NewGuid().ToString("N")[..6];
        for (int i = 0; i < 5; i++) await SdkItemTests.CreateTableAsync(Client, $"{prefix}-{i}");
        var names = new List<string>();
        string? start = prefix;
        do
        {
            var page = await Client.ListTablesAsync(new ListTablesRequest { ExclusiveStartTableName = start, Limit = 2 }).WaitAsync(ServerFixture.Timeout);
            names.AddRange(page.TableNames.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)));
            start = page.LastEvaluatedTableName;
            if (page.TableNames.Count > 0 && !page.TableNames[^1].StartsWith(prefix, StringComparison.Ordinal)) break;
        } while (start is not null);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{prefix}-{i}"), names);
    }

    // AWS's texts (ack-api-quirks DDB-TABLE-442); a refused CreateTable makes no table.
    [Theory]
    [InlineData("""{"Enabled":false,"SSEType":"KMS"}""", "One or more parameter values were invalid: SSEType can not be specified if Enabled is false")]
    [InlineData("""{"Enabled":false,"KMSMasterKeyId":"alias/k"}""", "One or more parameter values were invalid: KMSMasterKeyId can not be specified if Enabled is false")]
    [InlineData("""{"Enabled":true,"KMSMasterKeyId":"alias/k"}""", "One or more parameter values were invalid: SSEType KMS is required if KMSMasterKeyId is specified")]
    [InlineData("""{"Enabled":true,"SSEType":"AES256"}""", "One or more parameter values were invalid: SSEType AES256 is not supported")]
    [InlineData("""{"Enabled":true,"SSEType":"ROT13"}""", "1 validation error detected: Value 'ROT13' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]")]
    public async Task CreateTableRefusesAnSseSpecificationAwsRefuses(string sse, string message)
    {
        var name = fixture.NewTableName();
        var (status, type, text) = await fixture.ErrorAsync("CreateTable",
            $$$"""{"TableName":"{{{name}}}","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST","SSESpecification":{{{sse}}}}""");
        Assert.Equal((System.Net.HttpStatusCode.BadRequest, "com.amazon.coral.validate#ValidationException", message), (status, type, text));
        var (_, missing, _) = await fixture.ErrorAsync("DescribeTable", $$"""{"TableName":"{{name}}"}""");
        Assert.Equal("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", missing);
    }

    [Fact]
    public async Task UpdateTableTakesAnSseSpecificationAloneAndRefusesWhatAwsRefuses()
    {
        // AWS's answers (ack-api-quirks DDB-TABLE-442): the store was answering "At least one of ... is required".
        var table = await fixture.CreateHashTableAsync();
        foreach (var (sse, message) in new[]
        {
            ("""{"Enabled":false}""", "One or more parameter values were invalid: Table is already encrypted by default"),
            ("{}", "One or more parameter values were invalid: Table is already encrypted by default"),
            ("""{"Enabled":true,"SSEType":"AES256"}""", "One or more parameter values were invalid: SSEType AES256 is not supported"),
        })
        {
            var (_, type, text) = await fixture.ErrorAsync("UpdateTable", $$$"""{"TableName":"{{{table}}}","SSESpecification":{{{sse}}}}""");
            Assert.Equal(("com.amazon.coral.validate#ValidationException", message), (type, text));
        }
        var (_, _, beside) = await fixture.ErrorAsync("UpdateTable", $$$"""{"TableName":"{{{table}}}","SSESpecification":{"Enabled":true,"SSEType":"KMS"},"DeletionProtectionEnabled":true}""");
        Assert.Equal("One or more parameter values were invalid: Server-Side Encryption modification must be the only operation in the request", beside);
        Assert.False((await Client.DescribeTableAsync(table).WaitAsync(ServerFixture.Timeout)).Table.DeletionProtectionEnabled);

        var kms = await fixture.PostAsync("UpdateTable", $$$"""{"TableName":"{{{table}}}","SSESpecification":{"Enabled":true,"SSEType":"KMS"}}""");
        Assert.Equal(System.Net.HttpStatusCode.OK, kms.StatusCode);
    }

    [Fact]
    public async Task UpdateTableTakesWarmAndOnDemandThroughputAloneAndRefusesThemWhereAwsDoes()
    {
        // Both were answered "At least one of ... is required" when alone. AWS's rules: ack-api-quirks DDB-TABLE-442.
        var table = await fixture.CreateHashTableAsync();
        foreach (var member in new[] { "\"WarmThroughput\":{\"ReadUnitsPerSecond\":13000}", "\"OnDemandThroughput\":{\"MaxReadRequestUnits\":100}" })
            Assert.Equal(System.Net.HttpStatusCode.OK, (await fixture.PostAsync("UpdateTable", $$"""{"TableName":"{{table}}",{{member}}}""")).StatusCode);

        var (_, _, warm) = await fixture.ErrorAsync("UpdateTable", $$$"""{"TableName":"{{{table}}}","WarmThroughput":{"ReadUnitsPerSecond":13000},"DeletionProtectionEnabled":true}""");
        Assert.Equal("One or more parameter values were invalid: WarmThroughput must be the only operation in the request", warm);
        var (_, _, onDemand) = await fixture.ErrorAsync("UpdateTable", $$$"""{"TableName":"{{{table}}}","OnDemandThroughput":{"MaxReadRequestUnits":100},"TableClass":"STANDARD"}""");
        Assert.Equal("One or more parameter values were invalid: OnDemandThroughput can only be combined with BillingMode in an UpdateTable request", onDemand);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await fixture.PostAsync("UpdateTable", $$$"""{"TableName":"{{{table}}}","OnDemandThroughput":{"MaxReadRequestUnits":100},"BillingMode":"PAY_PER_REQUEST"}""")).StatusCode);

        // An empty {} counts as absent, as AWS drops it beside another change.
        var (_, _, empty) = await fixture.ErrorAsync("UpdateTable", $$$"""{"TableName":"{{{table}}}","WarmThroughput":{}}""");
        Assert.StartsWith("At least one of ProvisionedThroughput", empty);
        Assert.False((await Client.DescribeTableAsync(table).WaitAsync(ServerFixture.Timeout)).Table.DeletionProtectionEnabled);
    }

    [Fact]
    public async Task ListTablesRefusesATableArnAsItsStartAsAwsDoes()
    {
        // DescribeTable takes an ARN for TableName; ListTables' cursor does not (ack-api-quirks DDB-TABLE-072).
        var arn = "arn:aws:dynamodb:us-east-1:000000000000:table/" + await fixture.CreateHashTableAsync();
        var (status, type, message) = await fixture.ErrorAsync("ListTables", $$"""{"ExclusiveStartTableName":"{{arn}}"}""");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazon.coral.validate#ValidationException", type);
        Assert.Equal($"1 validation error detected: Value '{arn}' at 'exclusiveStartTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", message);
    }

    [Fact]
    public async Task UpdateTableSwitchesBillingAndThroughput()
    {
        var name = fixture.NewTableName();
        await Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            AttributeDefinitions = [new("pk", ScalarAttributeType.S)],
            KeySchema = [new("pk", KeyType.HASH)],
            ProvisionedThroughput = new ProvisionedThroughput(1, 1),
        }).WaitAsync(ServerFixture.Timeout);

        var raised = await Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, ProvisionedThroughput = new ProvisionedThroughput(10, 20) })
            .WaitAsync(ServerFixture.Timeout);
        Assert.Equal(TableStatus.UPDATING, raised.TableDescription.TableStatus);
        var onDemand = await Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, BillingMode = BillingMode.PAY_PER_REQUEST })
            .WaitAsync(ServerFixture.Timeout);
        var table = (await Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout)).Table;

        Assert.Equal(10, raised.TableDescription.ProvisionedThroughput.ReadCapacityUnits);
        Assert.Equal(BillingMode.PAY_PER_REQUEST, onDemand.TableDescription.BillingModeSummary.BillingMode);
        Assert.Equal(TableStatus.ACTIVE, table.TableStatus);
        Assert.Equal(BillingMode.PAY_PER_REQUEST, table.BillingModeSummary.BillingMode);

        var same = await Assert.ThrowsAsync<AmazonDynamoDBException>(() =>
            Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, ProvisionedThroughput = new ProvisionedThroughput(10, 20) }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST", same.Message);
    }

    [Fact]
    public async Task UpdateTableWithNothingToChangeNamesEveryMemberAwsNamesAndTheSameBillingModeIsANoOp()
    {
        var name = fixture.NewTableName();
        await Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            AttributeDefinitions = [new("pk", ScalarAttributeType.S)],
            KeySchema = [new("pk", KeyType.HASH)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        }).WaitAsync(ServerFixture.Timeout);

        // AWS's current text, the same in us-east-1 and us-west-2 (ack-api-quirks DDB-TABLE-442, 2026-10).
        var empty = await Assert.ThrowsAsync<AmazonDynamoDBException>(() =>
            Client.UpdateTableAsync(new UpdateTableRequest { TableName = name }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required", empty.Message);

        // Re-sending the billing mode a table has is a 200 that changes nothing (ack-api-quirks DDB-TABLE-156).
        var again = await Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, BillingMode = BillingMode.PAY_PER_REQUEST }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(BillingMode.PAY_PER_REQUEST, again.TableDescription.BillingModeSummary.BillingMode);
    }

    [Fact]
    public async Task CreateTableValidatesTheSchema()
    {
        var error = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = fixture.NewTableName(),
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("pk", ScalarAttributeType.S), new("extra", ScalarAttributeType.S)],
            KeySchema = [new("pk", KeyType.HASH)],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions", error.Message);

        error = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = fixture.NewTableName(),
            AttributeDefinitions = [new("pk", ScalarAttributeType.S)],
            KeySchema = [new("pk", KeyType.HASH)],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED", error.Message);
    }

    [Fact]
    public async Task SecondaryIndexesAreDescribed()
    {
        var name = fixture.NewTableName();
        await Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("pk", ScalarAttributeType.S), new("sk", ScalarAttributeType.S), new("g", ScalarAttributeType.N)],
            KeySchema = [new("pk", KeyType.HASH), new("sk", KeyType.RANGE)],
            GlobalSecondaryIndexes = [new GlobalSecondaryIndex
            {
                IndexName = "by-g",
                KeySchema = [new("g", KeyType.HASH)],
                Projection = new Projection { ProjectionType = ProjectionType.KEYS_ONLY },
            }],
        }).WaitAsync(ServerFixture.Timeout);
        var table = (await Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout)).Table;
        var index = Assert.Single(table.GlobalSecondaryIndexes);
        Assert.Equal("by-g", index.IndexName);
        Assert.Equal(IndexStatus.ACTIVE, index.IndexStatus);
        Assert.Equal(table.TableArn + "/index/by-g", index.IndexArn);
    }

    [Fact]
    public async Task TagsAddListAndRemove()
    {
        var name = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var arn = (await Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout)).Table.TableArn;
        await Client.TagResourceAsync(new TagResourceRequest { ResourceArn = arn, Tags = [new Tag { Key = "a", Value = "1" }, new Tag { Key = "b", Value = "2" }] })
            .WaitAsync(ServerFixture.Timeout);
        await Client.UntagResourceAsync(new UntagResourceRequest { ResourceArn = arn, TagKeys = ["a"] }).WaitAsync(ServerFixture.Timeout);
        var tags = await Client.ListTagsOfResourceAsync(new ListTagsOfResourceRequest { ResourceArn = arn }).WaitAsync(ServerFixture.Timeout);
        var tag = Assert.Single(tags.Tags);
        Assert.Equal(("b", "2"), (tag.Key, tag.Value));

        await Assert.ThrowsAsync<ResourceNotFoundException>(() =>
            Client.ListTagsOfResourceAsync(new ListTagsOfResourceRequest { ResourceArn = arn + "-missing" }).WaitAsync(ServerFixture.Timeout));
    }

    [Fact]
    public async Task TimeToLiveCanBeEnabledAndDescribed()
    {
        var name = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var before = await Client.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = name }).WaitAsync(ServerFixture.Timeout);
        await Client.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
        {
            TableName = name,
            TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = "expires", Enabled = true },
        }).WaitAsync(ServerFixture.Timeout);
        var after = await Client.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = name }).WaitAsync(ServerFixture.Timeout);
        var again = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
        {
            TableName = name,
            TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = "expires", Enabled = true },
        }).WaitAsync(ServerFixture.Timeout));

        Assert.Equal(TimeToLiveStatus.DISABLED, before.TimeToLiveDescription.TimeToLiveStatus);
        Assert.Equal(TimeToLiveStatus.ENABLED, after.TimeToLiveDescription.TimeToLiveStatus);
        Assert.Equal("expires", after.TimeToLiveDescription.AttributeName);
        Assert.Equal("TimeToLive is already enabled", again.Message);

        // Another attribute while TTL is on: refused for an enable and a disable alike, and nothing changes.
        foreach (var enable in new[] { true, false })
        {
            var other = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
            {
                TableName = name,
                TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = "other", Enabled = enable },
            }).WaitAsync(ServerFixture.Timeout));
            Assert.Equal(("ValidationException", "TimeToLive is active on a different AttributeName: current AttributeName is expires"), (other.ErrorCode, other.Message));
        }
        var still = await Client.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = name }).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(("expires", TimeToLiveStatus.ENABLED), (still.TimeToLiveDescription.AttributeName, still.TimeToLiveDescription.TimeToLiveStatus));
    }

    [Fact]
    public async Task LimitsAndEndpoints()
    {
        var limits = await Client.DescribeLimitsAsync(new DescribeLimitsRequest()).WaitAsync(ServerFixture.Timeout);
        var endpoints = await Client.DescribeEndpointsAsync(new DescribeEndpointsRequest()).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(40000, limits.TableMaxWriteCapacityUnits);
        Assert.Equal(1440, Assert.Single(endpoints.Endpoints).CachePeriodInMinutes);
    }

    [Fact]
    public async Task BatchWriteThenBatchGetWithProjection()
    {
        var name = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var writes = Enumerable.Range(0, 25).Select(i => new WriteRequest(new PutRequest(new()
        {
            ["pk"] = new AttributeValue { S = "k" + i },
            ["n"] = new AttributeValue { N = i.ToString() },
            ["other"] = new AttributeValue { S = "x" },
        }))).ToList();
        var written = await Client.BatchWriteItemAsync(new BatchWriteItemRequest
        {
            RequestItems = new() { [name] = writes },
            ReturnConsumedCapacity = ReturnConsumedCapacity.TOTAL,
        }).WaitAsync(ServerFixture.Timeout);
        Assert.Empty(written.UnprocessedItems);
        Assert.Equal(25, Assert.Single(written.ConsumedCapacity).CapacityUnits);

        await Client.BatchWriteItemAsync(new BatchWriteItemRequest
        {
            RequestItems = new() { [name] = [new WriteRequest(new DeleteRequest(new() { ["pk"] = new AttributeValue { S = "k0" } }))] },
        }).WaitAsync(ServerFixture.Timeout);

        var got = await Client.BatchGetItemAsync(new BatchGetItemRequest
        {
            RequestItems = new()
            {
                [name] = new KeysAndAttributes
                {
                    Keys = Enumerable.Range(0, 100).Select(i => new Dictionary<string, AttributeValue> { ["pk"] = new AttributeValue { S = "k" + i } }).ToList(),
                    ProjectionExpression = "#n",
                    ExpressionAttributeNames = new() { ["#n"] = "n" },
                },
            },
            ReturnConsumedCapacity = ReturnConsumedCapacity.TOTAL,
        }).WaitAsync(ServerFixture.Timeout);

        var items = got.Responses[name];
        Assert.Equal(24, items.Count);
        Assert.All(items, item => Assert.Equal(["n"], item.Keys));
        Assert.Empty(got.UnprocessedKeys);
        Assert.Equal(50, Assert.Single(got.ConsumedCapacity).CapacityUnits); // 100 keys, eventually consistent
        var description = await Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(24, description.Table.ItemCount);
    }

    [Fact]
    public async Task BatchGetOfMoreThanOneHundredKeysIsRejected()
    {
        var name = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var error = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.BatchGetItemAsync(new BatchGetItemRequest
        {
            RequestItems = new()
            {
                [name] = new KeysAndAttributes { Keys = Enumerable.Range(0, 101).Select(i => new Dictionary<string, AttributeValue> { ["pk"] = new AttributeValue { S = "k" + i } }).ToList() },
            },
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Contains("Member must have length less than or equal to 100", error.Message);
    }

    [Fact]
    public async Task GetItemProjectionOfNestedPaths()
    {
        var name = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await Client.PutItemAsync(name, new()
        {
            ["pk"] = new AttributeValue { S = "p" },
            ["m"] = new AttributeValue { M = new() { ["a"] = new AttributeValue { S = "1" }, ["b"] = new AttributeValue { S = "2" } } },
            ["l"] = new AttributeValue { L = [new AttributeValue { S = "x" }, new AttributeValue { S = "y" }, new AttributeValue { S = "z" }] },
            ["skip"] = new AttributeValue { S = "no" },
        }).WaitAsync(ServerFixture.Timeout);
        var got = await Client.GetItemAsync(new GetItemRequest { TableName = name, Key = new() { ["pk"] = new AttributeValue { S = "p" } }, ProjectionExpression = "m.b, l[2], pk" })
            .WaitAsync(ServerFixture.Timeout);
        Assert.Equal(["l", "m", "pk"], got.Item.Keys.Order());
        Assert.Equal(["b"], got.Item["m"].M.Keys);
        Assert.Equal("z", Assert.Single(got.Item["l"].L).S);
    }
}
