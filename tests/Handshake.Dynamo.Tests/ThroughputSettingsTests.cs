using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Handshake.Dynamo.Tests;

/// <summary>
/// A table's OnDemandThroughput and WarmThroughput through the .NET SDK: kept and described, checked against the billing
/// mode, their ranges and the per-table quota in AWS's words (ack-api-quirks DDB-TABLE-038/039/051/059/061/178/443,
/// dynoxide #159/#161), and the per-table provisioned capacity quota.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ThroughputSettingsTests(ServerFixture fixture)
{
    private const string Invalid = "One or more parameter values were invalid: ";
    private const string InitialOnDemand = " for WarmThroughput for table is lower than initial throughput for OnDemand. See: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html#on-demand-capacity-mode-initial";
    private const string Decrease = " for WarmThroughput for table is lower than current WarmThroughput, decreasing WarmThroughput is not supported";
    private AmazonDynamoDBClient Client => fixture.Client;
    private static readonly TimeSpan Timeout = ServerFixture.Timeout;

    private CreateTableRequest Create(string name, bool onDemand = true, OnDemandThroughput? ceilings = null, WarmThroughput? warm = null, long read = 10, long write = 10) => new()
    {
        TableName = name,
        BillingMode = onDemand ? BillingMode.PAY_PER_REQUEST : BillingMode.PROVISIONED,
        ProvisionedThroughput = onDemand ? null : new ProvisionedThroughput(read, write),
        AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S)],
        KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
        OnDemandThroughput = ceilings,
        WarmThroughput = warm,
    };

    private async Task<TableDescription> DescribeAsync(string name) => (await Client.DescribeTableAsync(name).WaitAsync(Timeout)).Table;

    private async Task<string> CreateFailsAsync(CreateTableRequest request)
    {
        var e = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.CreateTableAsync(request).WaitAsync(Timeout));
        Assert.Equal("ValidationException", e.ErrorCode);
        // Refused before anything was created.
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => Client.DescribeTableAsync(request.TableName).WaitAsync(Timeout));
        return e.Message;
    }

    private async Task<string> UpdateFailsAsync(UpdateTableRequest request)
    {
        var e = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.UpdateTableAsync(request).WaitAsync(Timeout));
        Assert.Equal("ValidationException", e.ErrorCode);
        return e.Message;
    }

    [Fact]
    public async Task CreateTableKeepsTheGivenMembersAndDescribesTheRest()
    {
        var name = fixture.NewTableName();
        var created = await Client.CreateTableAsync(Create(name, ceilings: new OnDemandThroughput { MaxReadRequestUnits = 100 }, warm: new WarmThroughput { ReadUnitsPerSecond = 12001 })).WaitAsync(Timeout);
        Assert.Equal((100L, (long?)null), (created.TableDescription.OnDemandThroughput.MaxReadRequestUnits!.Value, created.TableDescription.OnDemandThroughput.MaxWriteRequestUnits));
        var table = await DescribeAsync(name);
        Assert.Equal(100, table.OnDemandThroughput.MaxReadRequestUnits);
        Assert.Null(table.OnDemandThroughput.MaxWriteRequestUnits);
        // The member left out takes the on-demand starting value (AWS: read-only 12001 describes 12001/4000).
        Assert.Equal((12001L, 4000L), (table.WarmThroughput.ReadUnitsPerSecond!.Value, table.WarmThroughput.WriteUnitsPerSecond!.Value));
        Assert.Equal(TableStatus.ACTIVE, table.WarmThroughput.Status);

        // A table given neither describes no OnDemandThroughput; empty structures count as absent.
        var plain = fixture.NewTableName();
        await Client.CreateTableAsync(Create(plain, ceilings: new OnDemandThroughput(), warm: new WarmThroughput())).WaitAsync(Timeout);
        var described = await DescribeAsync(plain);
        Assert.Null(described.OnDemandThroughput);
        Assert.Equal((12000L, 4000L), (described.WarmThroughput.ReadUnitsPerSecond!.Value, described.WarmThroughput.WriteUnitsPerSecond!.Value));

        // A provisioned table's warm throughput starts at its capacity, or above it when asked.
        var provisioned = fixture.NewTableName();
        await Client.CreateTableAsync(Create(provisioned, onDemand: false, warm: new WarmThroughput { WriteUnitsPerSecond = 50 }, read: 5, write: 6)).WaitAsync(Timeout);
        var warm = (await DescribeAsync(provisioned)).WarmThroughput;
        Assert.Equal((5L, 50L), (warm.ReadUnitsPerSecond!.Value, warm.WriteUnitsPerSecond!.Value));
    }

    [Fact]
    public async Task CreateTableRefusesWhatAwsRefusesInItsWords()
    {
        // Ceilings on a provisioned table: CreateTable's text has no "the" and a full stop; the first member is named.
        Assert.Equal(Invalid + "MaxReadRequestUnits for OnDemandThroughput cannot be specified when table BillingMode is PROVISIONED.",
            await CreateFailsAsync(Create(fixture.NewTableName(), onDemand: false, ceilings: new OnDemandThroughput { MaxReadRequestUnits = 100, MaxWriteRequestUnits = 100 })));
        Assert.Equal(Invalid + "MaxWriteRequestUnits for OnDemandThroughput cannot be specified when table BillingMode is PROVISIONED.",
            await CreateFailsAsync(Create(fixture.NewTableName(), onDemand: false, ceilings: new OnDemandThroughput { MaxWriteRequestUnits = 100 })));
        // Below 1 is out of range, -1 included (only UpdateTable reads -1 as "remove").
        foreach (var value in new long[] { 0, -1, -2 })
        {
            Assert.Equal(Invalid + "Requested MaxReadRequestUnits for OnDemandThroughput for table is outside of valid range",
                await CreateFailsAsync(Create(fixture.NewTableName(), ceilings: new OnDemandThroughput { MaxReadRequestUnits = value, MaxWriteRequestUnits = value })));
        }
        // Warm throughput below the on-demand start, or below a provisioned table's capacity.
        Assert.Equal(Invalid + "Requested ReadUnitsPerSecond" + InitialOnDemand,
            await CreateFailsAsync(Create(fixture.NewTableName(), warm: new WarmThroughput { ReadUnitsPerSecond = 1, WriteUnitsPerSecond = 1 })));
        Assert.Equal(Invalid + "Requested WriteUnitsPerSecond" + InitialOnDemand,
            await CreateFailsAsync(Create(fixture.NewTableName(), warm: new WarmThroughput { WriteUnitsPerSecond = 3999 })));
        Assert.Equal(Invalid + "Requested ReadUnitsPerSecond for WarmThroughput for table is lower than ReadCapacityUnits of ProvisionedThroughput",
            await CreateFailsAsync(Create(fixture.NewTableName(), onDemand: false, warm: new WarmThroughput { ReadUnitsPerSecond = 5, WriteUnitsPerSecond = 5 })));

        // Above the account's per-table quota (DescribeLimits' 40000): LimitExceededException.
        var limits = await Client.DescribeLimitsAsync(new DescribeLimitsRequest()).WaitAsync(Timeout);
        Assert.Equal(40000, limits.TableMaxReadCapacityUnits);
        var name = fixture.NewTableName();
        var over = await Assert.ThrowsAsync<LimitExceededException>(() => Client.CreateTableAsync(Create(name, ceilings: new OnDemandThroughput { MaxReadRequestUnits = 40001 })).WaitAsync(Timeout));
        Assert.Equal("Subscriber limit exceeded: Requested MaxReadRequestUnits for OnDemandThroughput for table exceeds TableMaxReadCapacityUnits of the account in region us-east-1", over.Message);
        var capacity = await Assert.ThrowsAsync<LimitExceededException>(() => Client.CreateTableAsync(Create(name, onDemand: false, read: 40001, write: 1)).WaitAsync(Timeout));
        Assert.Equal("The requested ReadCapacityUnits, 40001, is above the per table maximum for the account in us-east-1. Per table maximum: 40000. "
            + "Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.", capacity.Message);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => Client.DescribeTableAsync(name).WaitAsync(Timeout));
        // The quota itself is allowed.
        await Client.CreateTableAsync(Create(name, ceilings: new OnDemandThroughput { MaxReadRequestUnits = 40000, MaxWriteRequestUnits = 40000 })).WaitAsync(Timeout);
    }

    [Fact]
    public async Task UpdateTableMergesCeilingsRemovesThemWithMinusOneAndDropsThemOnASwitchToProvisioned()
    {
        var name = fixture.NewTableName();
        await Client.CreateTableAsync(Create(name)).WaitAsync(Timeout);
        var set = await Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, OnDemandThroughput = new OnDemandThroughput { MaxReadRequestUnits = 1000, MaxWriteRequestUnits = 500 } }).WaitAsync(Timeout);
        // Answered ACTIVE, as AWS answers a ceiling change.
        Assert.Equal(TableStatus.ACTIVE, set.TableDescription.TableStatus);
        Assert.Equal((1000L, 500L), (set.TableDescription.OnDemandThroughput.MaxReadRequestUnits!.Value, set.TableDescription.OnDemandThroughput.MaxWriteRequestUnits!.Value));

        // One member replaces that member only.
        await Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, OnDemandThroughput = new OnDemandThroughput { MaxReadRequestUnits = 2000 } }).WaitAsync(Timeout);
        var ceilings = (await DescribeAsync(name)).OnDemandThroughput;
        Assert.Equal((2000L, 500L), (ceilings.MaxReadRequestUnits!.Value, ceilings.MaxWriteRequestUnits!.Value));

        // -1 removes a ceiling: echoed as -1 by the response, left out by DescribeTable.
        var removed = await Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, OnDemandThroughput = new OnDemandThroughput { MaxReadRequestUnits = -1 } }).WaitAsync(Timeout);
        Assert.Equal((-1L, 500L), (removed.TableDescription.OnDemandThroughput.MaxReadRequestUnits!.Value, removed.TableDescription.OnDemandThroughput.MaxWriteRequestUnits!.Value));
        ceilings = (await DescribeAsync(name)).OnDemandThroughput;
        Assert.Null(ceilings.MaxReadRequestUnits);
        Assert.Equal(500, ceilings.MaxWriteRequestUnits);
        await Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, OnDemandThroughput = new OnDemandThroughput { MaxWriteRequestUnits = -1 } }).WaitAsync(Timeout);
        Assert.Null((await DescribeAsync(name)).OnDemandThroughput);

        // 0 and below -1 are out of range.
        Assert.Equal(Invalid + "Requested MaxWriteRequestUnits for OnDemandThroughput for table is outside of valid range",
            await UpdateFailsAsync(new UpdateTableRequest { TableName = name, OnDemandThroughput = new OnDemandThroughput { MaxWriteRequestUnits = 0 } }));
        Assert.Equal(Invalid + "Requested MaxReadRequestUnits for OnDemandThroughput for table is outside of valid range",
            await UpdateFailsAsync(new UpdateTableRequest { TableName = name, OnDemandThroughput = new OnDemandThroughput { MaxReadRequestUnits = -2 } }));
        var over = await Assert.ThrowsAsync<LimitExceededException>(() => Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, OnDemandThroughput = new OnDemandThroughput { MaxReadRequestUnits = 40001 } }).WaitAsync(Timeout));
        Assert.Equal("Subscriber limit exceeded: Requested MaxReadRequestUnits for OnDemandThroughput for table exceeds TableMaxReadCapacityUnits of the account in region us-east-1", over.Message);
        Assert.Null((await DescribeAsync(name)).OnDemandThroughput);

        // Set again, then a switch to PROVISIONED drops them; a provisioned table refuses new ones (UpdateTable's text
        // has "the" and no full stop), as does a request switching to PROVISIONED.
        await Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, OnDemandThroughput = new OnDemandThroughput { MaxReadRequestUnits = 300, MaxWriteRequestUnits = 300 } }).WaitAsync(Timeout);
        await Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, BillingMode = BillingMode.PROVISIONED, ProvisionedThroughput = new ProvisionedThroughput(1, 1) }).WaitAsync(Timeout);
        Assert.Null((await DescribeAsync(name)).OnDemandThroughput);
        Assert.Equal(Invalid + "MaxReadRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED",
            await UpdateFailsAsync(new UpdateTableRequest { TableName = name, OnDemandThroughput = new OnDemandThroughput { MaxReadRequestUnits = 100 } }));

        // Beside a switch to on demand they are taken with it.
        var back = await Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, BillingMode = BillingMode.PAY_PER_REQUEST, OnDemandThroughput = new OnDemandThroughput { MaxWriteRequestUnits = 700 } }).WaitAsync(Timeout);
        Assert.Equal(700, back.TableDescription.OnDemandThroughput.MaxWriteRequestUnits);
        var table = await DescribeAsync(name);
        Assert.Equal(BillingMode.PAY_PER_REQUEST, table.BillingModeSummary.BillingMode);
        Assert.Equal(((long?)null, 700L), (table.OnDemandThroughput.MaxReadRequestUnits, table.OnDemandThroughput.MaxWriteRequestUnits!.Value));
    }

    [Fact]
    public async Task UpdateTableRaisesWarmThroughputAndNeverLowersIt()
    {
        var name = fixture.NewTableName();
        await Client.CreateTableAsync(Create(name)).WaitAsync(Timeout);
        var raised = await Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, WarmThroughput = new WarmThroughput { ReadUnitsPerSecond = 13000 } }).WaitAsync(Timeout);
        // AWS answers the table ACTIVE and the warm throughput UPDATING; the next DescribeTable says ACTIVE.
        Assert.Equal(TableStatus.ACTIVE, raised.TableDescription.TableStatus);
        Assert.Equal(TableStatus.UPDATING, raised.TableDescription.WarmThroughput.Status);
        Assert.Equal((13000L, 4000L), (raised.TableDescription.WarmThroughput.ReadUnitsPerSecond!.Value, raised.TableDescription.WarmThroughput.WriteUnitsPerSecond!.Value));
        var warm = (await DescribeAsync(name)).WarmThroughput;
        Assert.Equal((13000L, 4000L, TableStatus.ACTIVE), (warm.ReadUnitsPerSecond!.Value, warm.WriteUnitsPerSecond!.Value, warm.Status));

        Assert.Equal(Invalid + "Requested ReadUnitsPerSecond" + Decrease,
            await UpdateFailsAsync(new UpdateTableRequest { TableName = name, WarmThroughput = new WarmThroughput { ReadUnitsPerSecond = 12999, WriteUnitsPerSecond = 5000 } }));
        Assert.Equal(Invalid + "Requested WriteUnitsPerSecond" + Decrease,
            await UpdateFailsAsync(new UpdateTableRequest { TableName = name, WarmThroughput = new WarmThroughput { WriteUnitsPerSecond = 3999 } }));
        // Beside an index create AWS gives its own text (ack-api-quirks DDB-TABLE-174).
        var beside = await UpdateFailsAsync(new UpdateTableRequest
        {
            TableName = name, WarmThroughput = new WarmThroughput { ReadUnitsPerSecond = 14000 },
            AttributeDefinitions = [new("g", ScalarAttributeType.S)],
            GlobalSecondaryIndexUpdates = [new GlobalSecondaryIndexUpdate { Create = new CreateGlobalSecondaryIndexAction { IndexName = "by-g", KeySchema = [new("g", KeyType.HASH)], Projection = new Projection { ProjectionType = ProjectionType.ALL } } }],
        });
        Assert.Equal(Invalid + "Create global secondary index cannot be specified when updating WarmThroughput", beside);
        Assert.Null((await DescribeAsync(name)).GlobalSecondaryIndexes);
        // Restating the current value is accepted and changes nothing.
        await Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, WarmThroughput = new WarmThroughput { ReadUnitsPerSecond = 13000, WriteUnitsPerSecond = 4000 } }).WaitAsync(Timeout);
        warm = (await DescribeAsync(name)).WarmThroughput;
        Assert.Equal((13000L, 4000L), (warm.ReadUnitsPerSecond!.Value, warm.WriteUnitsPerSecond!.Value));

        // A provisioned table's warm throughput follows its highest capacity, and a decrease leaves it there.
        var provisioned = fixture.NewTableName();
        await Client.CreateTableAsync(Create(provisioned, onDemand: false, read: 1, write: 1)).WaitAsync(Timeout);
        await Client.UpdateTableAsync(new UpdateTableRequest { TableName = provisioned, ProvisionedThroughput = new ProvisionedThroughput(3, 2) }).WaitAsync(Timeout);
        await Client.UpdateTableAsync(new UpdateTableRequest { TableName = provisioned, ProvisionedThroughput = new ProvisionedThroughput(1, 1) }).WaitAsync(Timeout);
        warm = (await DescribeAsync(provisioned)).WarmThroughput;
        Assert.Equal((3L, 2L), (warm.ReadUnitsPerSecond!.Value, warm.WriteUnitsPerSecond!.Value));
        Assert.Equal(Invalid + "Requested ReadUnitsPerSecond" + Decrease,
            await UpdateFailsAsync(new UpdateTableRequest { TableName = provisioned, WarmThroughput = new WarmThroughput { ReadUnitsPerSecond = 1, WriteUnitsPerSecond = 1 } }));
        await Client.UpdateTableAsync(new UpdateTableRequest { TableName = provisioned, WarmThroughput = new WarmThroughput { ReadUnitsPerSecond = 50, WriteUnitsPerSecond = 50 } }).WaitAsync(Timeout);
        // On demand it is at least 12000/4000, and stays there after switching back.
        await Client.UpdateTableAsync(new UpdateTableRequest { TableName = provisioned, BillingMode = BillingMode.PAY_PER_REQUEST }).WaitAsync(Timeout);
        await Client.UpdateTableAsync(new UpdateTableRequest { TableName = provisioned, BillingMode = BillingMode.PROVISIONED, ProvisionedThroughput = new ProvisionedThroughput(1, 1) }).WaitAsync(Timeout);
        warm = (await DescribeAsync(provisioned)).WarmThroughput;
        Assert.Equal((12000L, 4000L), (warm.ReadUnitsPerSecond!.Value, warm.WriteUnitsPerSecond!.Value));

        // Provisioned capacity above the per-table quota.
        var capacity = await Assert.ThrowsAsync<LimitExceededException>(() => Client.UpdateTableAsync(new UpdateTableRequest { TableName = provisioned, ProvisionedThroughput = new ProvisionedThroughput(1, 40001) }).WaitAsync(Timeout));
        Assert.Equal("The requested WriteCapacityUnits, 40001, is above the per table maximum for the account in us-east-1. Per table maximum: 40000. "
            + "Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.", capacity.Message);
        Assert.Equal(1, (await DescribeAsync(provisioned)).ProvisionedThroughput.WriteCapacityUnits);
    }

    [Fact]
    public async Task AGlobalIndexUpdateCarriesCeilingsOrWarmThroughputInsteadOfCapacity()
    {
        var name = fixture.NewTableName();
        await Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name, BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("pk", ScalarAttributeType.S), new("g", ScalarAttributeType.S)],
            KeySchema = [new("pk", KeyType.HASH)],
            GlobalSecondaryIndexes = [new GlobalSecondaryIndex { IndexName = "gsi1", KeySchema = [new("g", KeyType.HASH)], Projection = new Projection { ProjectionType = ProjectionType.ALL } }],
        }).WaitAsync(Timeout);
        UpdateTableRequest Update(string index, OnDemandThroughput? ceilings = null, WarmThroughput? warm = null, string? table = null) => new()
        {
            TableName = table ?? name,
            GlobalSecondaryIndexUpdates = [new GlobalSecondaryIndexUpdate { Update = new UpdateGlobalSecondaryIndexAction { IndexName = index, OnDemandThroughput = ceilings, WarmThroughput = warm } }],
        };

        // Without capacity (optional in the model), an on-demand index's Update needs one of the two (ack-api-quirks DDB-TABLE-456).
        const string OnlyUpdates = Invalid + "The only Updates for index: gsi1 when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput";
        Assert.Equal(OnlyUpdates, await UpdateFailsAsync(Update("gsi1")));
        Assert.Equal(OnlyUpdates, await UpdateFailsAsync(Update("gsi1", ceilings: new OnDemandThroughput())));
        // An empty WarmThroughput is refused before the table is looked up.
        Assert.Equal(Invalid + "WarmThroughput must have at least one of ReadUnitsPerSecond or WriteUnitsPerSecond specified for index: ghost",
            await UpdateFailsAsync(Update("ghost", warm: new WarmThroughput(), table: fixture.NewTableName())));
        var missing = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Client.UpdateTableAsync(Update("ghost", ceilings: new OnDemandThroughput { MaxReadRequestUnits = 5 })).WaitAsync(Timeout));
        Assert.Equal($"Requested resource not found: Index ghost for table {name}", missing.Message);

        await Client.UpdateTableAsync(Update("gsi1", ceilings: new OnDemandThroughput { MaxReadRequestUnits = 100, MaxWriteRequestUnits = 50 })).WaitAsync(Timeout);
        await Client.UpdateTableAsync(Update("gsi1", warm: new WarmThroughput { ReadUnitsPerSecond = 13000 })).WaitAsync(Timeout);
        var index = Assert.Single((await DescribeAsync(name)).GlobalSecondaryIndexes);
        Assert.Equal((100L, 50L), (index.OnDemandThroughput.MaxReadRequestUnits!.Value, index.OnDemandThroughput.MaxWriteRequestUnits!.Value));
        Assert.Equal((13000L, 4000L), (index.WarmThroughput.ReadUnitsPerSecond!.Value, index.WarmThroughput.WriteUnitsPerSecond!.Value));

        Assert.Equal(Invalid + "Requested WriteUnitsPerSecond for WarmThroughput for index gsi1 is lower than current WarmThroughput, decreasing WarmThroughput is not supported",
            await UpdateFailsAsync(Update("gsi1", warm: new WarmThroughput { WriteUnitsPerSecond = 1 })));
        Assert.Equal(Invalid + "Requested MaxReadRequestUnits for OnDemandThroughput for index : gsi1 is outside of valid range",
            await UpdateFailsAsync(Update("gsi1", ceilings: new OnDemandThroughput { MaxReadRequestUnits = 0 })));
        // -1 removes both.
        await Client.UpdateTableAsync(Update("gsi1", ceilings: new OnDemandThroughput { MaxReadRequestUnits = -1, MaxWriteRequestUnits = -1 })).WaitAsync(Timeout);
        index = Assert.Single((await DescribeAsync(name)).GlobalSecondaryIndexes);
        Assert.Null(index.OnDemandThroughput);
        Assert.Equal(13000, index.WarmThroughput.ReadUnitsPerSecond);
    }
}
