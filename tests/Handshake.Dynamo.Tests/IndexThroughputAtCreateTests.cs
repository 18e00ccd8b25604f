using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Handshake.Dynamo.Tests;

/// <summary>
/// A GSI's OnDemandThroughput and WarmThroughput given when the index is created, in CreateTable's
/// GlobalSecondaryIndexes or an UpdateTable GlobalSecondaryIndexUpdates[].Create: checked with the rules and index texts
/// an index's Update action gets, kept, described as an Update-given one is, and stored with the table.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class IndexThroughputAtCreateTests(ServerFixture fixture) : IDisposable
{
    private const string Invalid = "One or more parameter values were invalid: ";
    private const string InitialOnDemand = " is lower than initial throughput for OnDemand. See: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html#on-demand-capacity-mode-initial";
    private static readonly TimeSpan Timeout = ServerFixture.Timeout;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "handshake-index-throughput-" + Guid.NewGuid().ToString("N"));
    private AmazonDynamoDBClient Client => fixture.Client;

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static GlobalSecondaryIndex Gsi(string name, OnDemandThroughput? ceilings = null, WarmThroughput? warm = null, ProvisionedThroughput? capacity = null) => new()
    {
        IndexName = name,
        KeySchema = [new KeySchemaElement("g", KeyType.HASH)],
        Projection = new Projection { ProjectionType = ProjectionType.KEYS_ONLY },
        ProvisionedThroughput = capacity,
        OnDemandThroughput = ceilings,
        WarmThroughput = warm,
    };

    private static CreateTableRequest Table(string name, bool onDemand, params GlobalSecondaryIndex[] indexes) => new()
    {
        TableName = name,
        BillingMode = onDemand ? BillingMode.PAY_PER_REQUEST : BillingMode.PROVISIONED,
        ProvisionedThroughput = onDemand ? null : new ProvisionedThroughput(10, 10),
        AttributeDefinitions = indexes.Length == 0
            ? [new AttributeDefinition("pk", ScalarAttributeType.S)]
            : [new AttributeDefinition("pk", ScalarAttributeType.S), new AttributeDefinition("g", ScalarAttributeType.S)],
        KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
        GlobalSecondaryIndexes = indexes.Length == 0 ? null : [.. indexes],
    };

    private static UpdateTableRequest CreateIndex(string table, string index, OnDemandThroughput? ceilings = null, WarmThroughput? warm = null,
        ProvisionedThroughput? capacity = null) => new()
    {
        TableName = table,
        AttributeDefinitions = [new AttributeDefinition("h", ScalarAttributeType.S)],
        GlobalSecondaryIndexUpdates =
        [
            new GlobalSecondaryIndexUpdate
            {
                Create = new CreateGlobalSecondaryIndexAction
                {
                    IndexName = index,
                    KeySchema = [new KeySchemaElement("h", KeyType.HASH)],
                    Projection = new Projection { ProjectionType = ProjectionType.ALL },
                    ProvisionedThroughput = capacity,
                    OnDemandThroughput = ceilings,
                    WarmThroughput = warm,
                },
            },
        ],
    };

    private static GlobalSecondaryIndexDescription Index(TableDescription table, string name) => Assert.Single(table.GlobalSecondaryIndexes, i => i.IndexName == name);

    private static (long? Read, long? Write)? Ceilings(GlobalSecondaryIndexDescription index) =>
        index.OnDemandThroughput is { } c ? (c.MaxReadRequestUnits, c.MaxWriteRequestUnits) : null;

    private static (long Read, long Write, string Status) Warm(GlobalSecondaryIndexDescription index) =>
        (index.WarmThroughput.ReadUnitsPerSecond!.Value, index.WarmThroughput.WriteUnitsPerSecond!.Value, index.WarmThroughput.Status.Value);

    private async Task<TableDescription> DescribeAsync(string name, AmazonDynamoDBClient? client = null) =>
        (await (client ?? Client).DescribeTableAsync(name).WaitAsync(Timeout)).Table;

    /// <summary>A refused CreateTable: AWS's error type, and no table left behind.</summary>
    private async Task<string> CreateFailsAsync<TException>(CreateTableRequest request, string errorCode) where TException : AmazonDynamoDBException
    {
        var e = await Assert.ThrowsAsync<TException>(() => Client.CreateTableAsync(request).WaitAsync(Timeout));
        Assert.Equal(errorCode, e.ErrorCode);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => Client.DescribeTableAsync(request.TableName).WaitAsync(Timeout));
        return e.Message;
    }

    private Task<string> CreateFailsAsync(CreateTableRequest request) => CreateFailsAsync<AmazonDynamoDBException>(request, "ValidationException");

    /// <summary>A refused UpdateTable: AWS's error type, and the table described as before.</summary>
    private async Task<string> UpdateFailsAsync<TException>(UpdateTableRequest request, string errorCode) where TException : AmazonDynamoDBException
    {
        string before = JsonSerializer.Serialize(Shape(await DescribeAsync(request.TableName)));
        var e = await Assert.ThrowsAsync<TException>(() => Client.UpdateTableAsync(request).WaitAsync(Timeout));
        Assert.Equal(errorCode, e.ErrorCode);
        Assert.Equal(before, JsonSerializer.Serialize(Shape(await DescribeAsync(request.TableName))));
        return e.Message;
    }

    private Task<string> UpdateFailsAsync(UpdateTableRequest request) => UpdateFailsAsync<AmazonDynamoDBException>(request, "ValidationException");

    // What a refused UpdateTable must leave as it was: billing, indexes and their throughput settings.
    private static object Shape(TableDescription t) => new
    {
        Billing = t.BillingModeSummary?.BillingMode?.Value,
        Indexes = (t.GlobalSecondaryIndexes ?? []).Select(i => new { i.IndexName, Ceilings = Ceilings(i)?.ToString(), Warm = Warm(i).ToString() }).ToList(),
    };

    [Fact]
    public async Task CreateTableKeepsAnIndexsCeilingsAndWarmThroughputAndDescribesThemAsAnUpdateWouldHave()
    {
        var name = fixture.NewTableName();
        var created = await Client.CreateTableAsync(Table(name, onDemand: true,
            Gsi("ceilings", ceilings: new OnDemandThroughput { MaxReadRequestUnits = 100 }, warm: new WarmThroughput { ReadUnitsPerSecond = 13000 }),
            Gsi("both", ceilings: new OnDemandThroughput { MaxReadRequestUnits = 40000, MaxWriteRequestUnits = 1 }, warm: new WarmThroughput { ReadUnitsPerSecond = 12000, WriteUnitsPerSecond = 4000 }),
            Gsi("plain"))).WaitAsync(Timeout);

        foreach (var table in new[] { created.TableDescription, await DescribeAsync(name) })
        {
            // Only the members given; the warm member left out takes the on-demand baseline; Status ACTIVE.
            Assert.Equal((100L, (long?)null), Ceilings(Index(table, "ceilings")));
            Assert.Equal((13000L, 4000L, "ACTIVE"), Warm(Index(table, "ceilings")));
            Assert.Equal((40000L, 1L), Ceilings(Index(table, "both")));
            Assert.Equal((12000L, 4000L, "ACTIVE"), Warm(Index(table, "both")));
            // An index given neither describes no OnDemandThroughput and the baseline; the table's own are untouched.
            Assert.Null(Ceilings(Index(table, "plain")));
            Assert.Equal((12000L, 4000L, "ACTIVE"), Warm(Index(table, "plain")));
            Assert.Null(table.OnDemandThroughput);
            Assert.Equal((12000L, 4000L), (table.WarmThroughput.ReadUnitsPerSecond!.Value, table.WarmThroughput.WriteUnitsPerSecond!.Value));
        }

        // What CreateTable kept is what an Update action then works from: no decrease, -1 removes a ceiling.
        UpdateTableRequest Update(string index, OnDemandThroughput? ceilings = null, WarmThroughput? warm = null) => new()
        {
            TableName = name,
            GlobalSecondaryIndexUpdates = [new GlobalSecondaryIndexUpdate { Update = new UpdateGlobalSecondaryIndexAction { IndexName = index, OnDemandThroughput = ceilings, WarmThroughput = warm } }],
        };
        Assert.Equal(Invalid + "Requested ReadUnitsPerSecond for WarmThroughput for index ceilings is lower than current WarmThroughput, decreasing WarmThroughput is not supported",
            await UpdateFailsAsync(Update("ceilings", warm: new WarmThroughput { ReadUnitsPerSecond = 12999 })));
        await Client.UpdateTableAsync(Update("ceilings", ceilings: new OnDemandThroughput { MaxReadRequestUnits = -1, MaxWriteRequestUnits = 50 })).WaitAsync(Timeout);
        var after = Index(await DescribeAsync(name), "ceilings");
        Assert.Equal(((long?)null, 50L), Ceilings(after));
        Assert.Equal((13000L, 4000L, "ACTIVE"), Warm(after));
    }

    [Fact]
    public async Task CreateTableKeepsAProvisionedIndexsWarmThroughputAboveItsCapacity()
    {
        var name = fixture.NewTableName();
        await Client.CreateTableAsync(Table(name, onDemand: false,
            Gsi("raised", warm: new WarmThroughput { WriteUnitsPerSecond = 50 }, capacity: new ProvisionedThroughput(5, 6)),
            Gsi("equal", warm: new WarmThroughput { ReadUnitsPerSecond = 5, WriteUnitsPerSecond = 6 }, capacity: new ProvisionedThroughput(5, 6)),
            Gsi("plain", capacity: new ProvisionedThroughput(7, 8)))).WaitAsync(Timeout);
        var table = await DescribeAsync(name);
        // The member left out takes the index's capacity, as the table's does.
        Assert.Equal((5L, 50L, "ACTIVE"), Warm(Index(table, "raised")));
        Assert.Equal((5L, 6L, "ACTIVE"), Warm(Index(table, "equal")));
        Assert.Equal((7L, 8L, "ACTIVE"), Warm(Index(table, "plain")));
        Assert.Null(Ceilings(Index(table, "raised")));
        // The table's warm throughput is its own capacity, not an index's.
        Assert.Equal((10L, 10L), (table.WarmThroughput.ReadUnitsPerSecond!.Value, table.WarmThroughput.WriteUnitsPerSecond!.Value));
    }

    [Fact]
    public async Task CreateTableRefusesAnIndexsSettingsInTheIndexFormsAndCreatesNothing()
    {
        // Ceilings on a provisioned table: the text an index's Update gets (the table's UpdateTable text), first member named.
        Assert.Equal(Invalid + "MaxReadRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED",
            await CreateFailsAsync(Table(fixture.NewTableName(), onDemand: false,
                Gsi("gsi1", ceilings: new OnDemandThroughput { MaxReadRequestUnits = 100, MaxWriteRequestUnits = 100 }, capacity: new ProvisionedThroughput(1, 1)))));
        Assert.Equal(Invalid + "MaxWriteRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED",
            await CreateFailsAsync(Table(fixture.NewTableName(), onDemand: false,
                Gsi("gsi1", ceilings: new OnDemandThroughput { MaxWriteRequestUnits = 100 }, capacity: new ProvisionedThroughput(1, 1)))));

        // Below 1 is out of range, -1 included: a new index has no ceiling to remove.
        foreach (var value in new long[] { 0, -1, -2 })
        {
            Assert.Equal(Invalid + "Requested MaxReadRequestUnits for OnDemandThroughput for index : gsi1 is outside of valid range",
                await CreateFailsAsync(Table(fixture.NewTableName(), onDemand: true, Gsi("gsi1", ceilings: new OnDemandThroughput { MaxReadRequestUnits = value, MaxWriteRequestUnits = value }))));
        }
        Assert.Equal(Invalid + "Requested MaxWriteRequestUnits for OnDemandThroughput for index : gsi1 is outside of valid range",
            await CreateFailsAsync(Table(fixture.NewTableName(), onDemand: true, Gsi("gsi1", ceilings: new OnDemandThroughput { MaxReadRequestUnits = 5, MaxWriteRequestUnits = -1 }))));

        // Warm throughput below the index's start: the on-demand baseline, or its capacity.
        Assert.Equal(Invalid + "Requested ReadUnitsPerSecond for WarmThroughput for index gsi1" + InitialOnDemand,
            await CreateFailsAsync(Table(fixture.NewTableName(), onDemand: true, Gsi("gsi1", warm: new WarmThroughput { ReadUnitsPerSecond = 11999, WriteUnitsPerSecond = 3999 }))));
        Assert.Equal(Invalid + "Requested WriteUnitsPerSecond for WarmThroughput for index gsi1" + InitialOnDemand,
            await CreateFailsAsync(Table(fixture.NewTableName(), onDemand: true, Gsi("gsi1", warm: new WarmThroughput { WriteUnitsPerSecond = 3999 }))));
        Assert.Equal(Invalid + "Requested ReadUnitsPerSecond for WarmThroughput for index gsi1 is lower than ReadCapacityUnits of ProvisionedThroughput",
            await CreateFailsAsync(Table(fixture.NewTableName(), onDemand: false, Gsi("gsi1", warm: new WarmThroughput { ReadUnitsPerSecond = 4 }, capacity: new ProvisionedThroughput(5, 5)))));
        Assert.Equal(Invalid + "Requested WriteUnitsPerSecond for WarmThroughput for index gsi1 is lower than WriteCapacityUnits of ProvisionedThroughput",
            await CreateFailsAsync(Table(fixture.NewTableName(), onDemand: false, Gsi("gsi1", warm: new WarmThroughput { ReadUnitsPerSecond = 100, WriteUnitsPerSecond = 4 }, capacity: new ProvisionedThroughput(5, 5)))));

        // Above the per-table quota: LimitExceededException in the index forms AWS gives an Update.
        Assert.Equal("Subscriber limit exceeded: Requested MaxReadRequestUnits for OnDemandThroughput for index : gsi1 exceeds TableMaxReadCapacityUnits of the account in region us-east-1",
            await CreateFailsAsync<LimitExceededException>(Table(fixture.NewTableName(), onDemand: true, Gsi("gsi1", ceilings: new OnDemandThroughput { MaxReadRequestUnits = 40001 })), "LimitExceededException"));
        Assert.Equal("Subscriber limit exceeded: Requested WriteUnitsPerSecond for WarmThroughput for index gsi1 exceeds TableMaxWriteCapacityUnits of the account in region us-east-1",
            await CreateFailsAsync<LimitExceededException>(Table(fixture.NewTableName(), onDemand: true, Gsi("gsi1", warm: new WarmThroughput { WriteUnitsPerSecond = 40001 })), "LimitExceededException"));

        // A refused second index refuses the whole request: the first, valid one is not created either.
        Assert.Equal(Invalid + "Requested MaxWriteRequestUnits for OnDemandThroughput for index : second is outside of valid range",
            await CreateFailsAsync(Table(fixture.NewTableName(), onDemand: true,
                Gsi("first", ceilings: new OnDemandThroughput { MaxReadRequestUnits = 10 }, warm: new WarmThroughput { ReadUnitsPerSecond = 20000 }),
                Gsi("second", ceilings: new OnDemandThroughput { MaxWriteRequestUnits = 0 }))));
    }

    [Fact]
    public async Task EmptyStructuresCountAsAbsentAndOnlyGivenMembersAreDescribed()
    {
        // Raw JSON, so that the {} reach the store as sent and the described object's members can be counted.
        var name = fixture.NewTableName();
        var response = await fixture.PostAsync("CreateTable", $$$"""
            {"TableName":"{{{name}}}","BillingMode":"PAY_PER_REQUEST",
             "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
             "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
             "GlobalSecondaryIndexes":[
               {"IndexName":"empty","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"},"OnDemandThroughput":{},"WarmThroughput":{}},
               {"IndexName":"write","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"},"OnDemandThroughput":{"MaxWriteRequestUnits":9},"WarmThroughput":{"WriteUnitsPerSecond":4001}}]}
            """);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var described = await fixture.PostAsync("DescribeTable", $$$"""{"TableName":"{{{name}}}"}""");
        using var doc = JsonDocument.Parse(await described.Content.ReadAsStringAsync().WaitAsync(Timeout));
        var indexes = doc.RootElement.GetProperty("Table").GetProperty("GlobalSecondaryIndexes").EnumerateArray().ToDictionary(i => i.GetProperty("IndexName").GetString()!);
        Assert.False(indexes["empty"].TryGetProperty("OnDemandThroughput", out _));
        Assert.Equal("""{"ReadUnitsPerSecond":12000,"WriteUnitsPerSecond":4000,"Status":"ACTIVE"}""", indexes["empty"].GetProperty("WarmThroughput").GetRawText());
        Assert.Equal("""{"MaxWriteRequestUnits":9}""", indexes["write"].GetProperty("OnDemandThroughput").GetRawText());
        Assert.Equal("""{"ReadUnitsPerSecond":12000,"WriteUnitsPerSecond":4001,"Status":"ACTIVE"}""", indexes["write"].GetProperty("WarmThroughput").GetRawText());
    }

    [Fact]
    public async Task AnUpdateTableCreateChecksKeepsAndDescribesThem()
    {
        var name = fixture.NewTableName();
        await Client.CreateTableAsync(Table(name, onDemand: true, Gsi("existing"))).WaitAsync(Timeout);

        // Refused in the same forms as at CreateTable, with nothing created.
        Assert.Equal(Invalid + "Requested MaxReadRequestUnits for OnDemandThroughput for index : by-h is outside of valid range",
            await UpdateFailsAsync(CreateIndex(name, "by-h", ceilings: new OnDemandThroughput { MaxReadRequestUnits = -1 })));
        Assert.Equal(Invalid + "Requested WriteUnitsPerSecond for WarmThroughput for index by-h" + InitialOnDemand,
            await UpdateFailsAsync(CreateIndex(name, "by-h", warm: new WarmThroughput { ReadUnitsPerSecond = 12000, WriteUnitsPerSecond = 1 })));
        Assert.Equal("Subscriber limit exceeded: Requested ReadUnitsPerSecond for WarmThroughput for index by-h exceeds TableMaxReadCapacityUnits of the account in region us-east-1",
            await UpdateFailsAsync<LimitExceededException>(CreateIndex(name, "by-h", warm: new WarmThroughput { ReadUnitsPerSecond = 40001 }), "LimitExceededException"));
        // An Update of another index in the same request is not applied when the Create is refused.
        var both = CreateIndex(name, "by-h", warm: new WarmThroughput { ReadUnitsPerSecond = 100 });
        both.GlobalSecondaryIndexUpdates.Insert(0, new GlobalSecondaryIndexUpdate
        {
            Update = new UpdateGlobalSecondaryIndexAction { IndexName = "existing", OnDemandThroughput = new OnDemandThroughput { MaxReadRequestUnits = 77 } },
        });
        Assert.Equal(Invalid + "Requested ReadUnitsPerSecond for WarmThroughput for index by-h" + InitialOnDemand, await UpdateFailsAsync(both));
        Assert.Null(Ceilings(Index(await DescribeAsync(name), "existing")));

        var response = await Client.UpdateTableAsync(CreateIndex(name, "by-h",
            ceilings: new OnDemandThroughput { MaxWriteRequestUnits = 70 }, warm: new WarmThroughput { WriteUnitsPerSecond = 4500 })).WaitAsync(Timeout);
        // The response describes the new index with them (its warm Status is the index's, CREATING while it is backfilled).
        var answered = Index(response.TableDescription, "by-h");
        Assert.Equal(((long?)null, 70L), Ceilings(answered));
        Assert.Equal((12000L, 4500L), (Warm(answered).Read, Warm(answered).Write));
        Assert.Equal(answered.IndexStatus.Value, Warm(answered).Status);
        await fixture.Server.Store.WhenIndexesActiveAsync().WaitAsync(Timeout);
        var table = await DescribeAsync(name);
        Assert.Equal(((long?)null, 70L), Ceilings(Index(table, "by-h")));
        Assert.Equal((12000L, 4500L, "ACTIVE"), Warm(Index(table, "by-h")));
        Assert.Null(Ceilings(Index(table, "existing")));
        Assert.Equal((12000L, 4000L, "ACTIVE"), Warm(Index(table, "existing")));
    }

    [Fact]
    public async Task AnUpdateTableCreateIsCheckedAgainstTheBillingModeTheTableWillHave()
    {
        // A provisioned table: ceilings refused, warm throughput held to the new index's capacity.
        var name = fixture.NewTableName();
        await Client.CreateTableAsync(Table(name, onDemand: false)).WaitAsync(Timeout);
        Assert.Equal(Invalid + "MaxReadRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED",
            await UpdateFailsAsync(CreateIndex(name, "by-h", ceilings: new OnDemandThroughput { MaxReadRequestUnits = 5 }, capacity: new ProvisionedThroughput(3, 3))));
        Assert.Equal(Invalid + "Requested ReadUnitsPerSecond for WarmThroughput for index by-h is lower than ReadCapacityUnits of ProvisionedThroughput",
            await UpdateFailsAsync(CreateIndex(name, "by-h", warm: new WarmThroughput { ReadUnitsPerSecond = 2 }, capacity: new ProvisionedThroughput(3, 3))));

        // Switching to on demand in the same request: checked against on demand, and a refusal leaves the table provisioned.
        var switching = CreateIndex(name, "by-h", ceilings: new OnDemandThroughput { MaxReadRequestUnits = 5 }, warm: new WarmThroughput { ReadUnitsPerSecond = 3 });
        switching.BillingMode = BillingMode.PAY_PER_REQUEST;
        Assert.Equal(Invalid + "Requested ReadUnitsPerSecond for WarmThroughput for index by-h" + InitialOnDemand, await UpdateFailsAsync(switching));
        Assert.Equal(BillingMode.PROVISIONED, (await DescribeAsync(name)).BillingModeSummary.BillingMode);
        switching.GlobalSecondaryIndexUpdates[0].Create.WarmThroughput = new WarmThroughput { ReadUnitsPerSecond = 12500 };
        await Client.UpdateTableAsync(switching).WaitAsync(Timeout);
        await fixture.Server.Store.WhenIndexesActiveAsync().WaitAsync(Timeout);
        var table = await DescribeAsync(name);
        Assert.Equal(BillingMode.PAY_PER_REQUEST, table.BillingModeSummary.BillingMode);
        Assert.Equal((5L, (long?)null), Ceilings(Index(table, "by-h")));
        Assert.Equal((12500L, 4000L, "ACTIVE"), Warm(Index(table, "by-h")));
    }

    [Fact]
    public async Task AnIndexsSettingsGivenAtCreationSurviveARestartOfADurableStore()
    {
        var options = new DynamoServerOptions { Store = new DynamoStoreOptions { DataDirectory = _directory } };
        await using (var server = await DynamoServer.StartAsync(options).WaitAsync(Timeout))
        {
            using var client = ServerFixture.NewClient(server.Endpoint);
            await client.CreateTableAsync(Table("on-demand", onDemand: true,
                Gsi("at-create", ceilings: new OnDemandThroughput { MaxReadRequestUnits = 100, MaxWriteRequestUnits = 200 }, warm: new WarmThroughput { ReadUnitsPerSecond = 15000 }))).WaitAsync(Timeout);
            await client.UpdateTableAsync(CreateIndex("on-demand", "by-h", ceilings: new OnDemandThroughput { MaxWriteRequestUnits = 30 }, warm: new WarmThroughput { WriteUnitsPerSecond = 5000 })).WaitAsync(Timeout);
            await server.Store.WhenIndexesActiveAsync().WaitAsync(Timeout);
            await client.CreateTableAsync(Table("provisioned", onDemand: false,
                Gsi("at-create", warm: new WarmThroughput { ReadUnitsPerSecond = 40, WriteUnitsPerSecond = 50 }, capacity: new ProvisionedThroughput(4, 5)))).WaitAsync(Timeout);
        }

        await using (var server = await DynamoServer.StartAsync(options).WaitAsync(Timeout))
        {
            using var client = ServerFixture.NewClient(server.Endpoint);
            var onDemand = await DescribeAsync("on-demand", client);
            Assert.Equal((100L, 200L), Ceilings(Index(onDemand, "at-create")));
            Assert.Equal((15000L, 4000L, "ACTIVE"), Warm(Index(onDemand, "at-create")));
            Assert.Equal(((long?)null, 30L), Ceilings(Index(onDemand, "by-h")));
            Assert.Equal((12000L, 5000L, "ACTIVE"), Warm(Index(onDemand, "by-h")));
            var provisioned = await DescribeAsync("provisioned", client);
            Assert.Null(Ceilings(Index(provisioned, "at-create")));
            Assert.Equal((40L, 50L, "ACTIVE"), Warm(Index(provisioned, "at-create")));
        }
    }
}
