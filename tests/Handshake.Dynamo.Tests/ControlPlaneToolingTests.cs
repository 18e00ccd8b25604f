using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Handshake.Dynamo.Tests;

/// <summary>
/// The calls infrastructure tools make around a table: Terraform's aws_dynamodb_table reads DescribeContinuousBackups
/// on every refresh (today's provider tolerates UnknownOperationException there, but then point_in_time_recovery
/// can never converge, and other tools treat it as an error), sets PITR through UpdateContinuousBackups; also
/// DescribeKinesisStreamingDestination, and UpdateTable's billing switches on a table with GSIs.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ControlPlaneToolingTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;

    [Fact]
    public async Task ContinuousBackupsAreEnabledAndPointInTimeRecoveryCanBeToggled()
    {
        var name = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var described = (await Client.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = name })
            .WaitAsync(ServerFixture.Timeout)).ContinuousBackupsDescription;
        Assert.Equal(ContinuousBackupsStatus.ENABLED, described.ContinuousBackupsStatus);
        Assert.Equal(PointInTimeRecoveryStatus.DISABLED, described.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus);
        Assert.Null(described.PointInTimeRecoveryDescription.EarliestRestorableDateTime);

        var enabled = (await Client.UpdateContinuousBackupsAsync(new UpdateContinuousBackupsRequest
        {
            TableName = name,
            PointInTimeRecoverySpecification = new PointInTimeRecoverySpecification { PointInTimeRecoveryEnabled = true, RecoveryPeriodInDays = 7 },
        }).WaitAsync(ServerFixture.Timeout)).ContinuousBackupsDescription;
        Assert.Equal(PointInTimeRecoveryStatus.ENABLED, enabled.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus);

        // By ARN, as DescribeContinuousBackups accepts it.
        var arn = (await Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout)).Table.TableArn;
        var again = (await Client.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = arn })
            .WaitAsync(ServerFixture.Timeout)).ContinuousBackupsDescription.PointInTimeRecoveryDescription;
        Assert.Equal(PointInTimeRecoveryStatus.ENABLED, again.PointInTimeRecoveryStatus);
        Assert.Equal(7, again.RecoveryPeriodInDays);
        Assert.NotNull(again.EarliestRestorableDateTime);
        Assert.True(again.LatestRestorableDateTime >= again.EarliestRestorableDateTime);

        // A recovery period with a disable is refused in AWS's words (ack-api-quirks DDB-TABLE-442), and PITR stays on.
        var period = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.UpdateContinuousBackupsAsync(new UpdateContinuousBackupsRequest
        {
            TableName = name,
            PointInTimeRecoverySpecification = new PointInTimeRecoverySpecification { PointInTimeRecoveryEnabled = false, RecoveryPeriodInDays = 5 },
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal(("ValidationException", "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery."), (period.ErrorCode, period.Message));
        Assert.Equal(PointInTimeRecoveryStatus.ENABLED, (await Client.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = name })
            .WaitAsync(ServerFixture.Timeout)).ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus);

        var disabled = (await Client.UpdateContinuousBackupsAsync(new UpdateContinuousBackupsRequest
        {
            TableName = name,
            PointInTimeRecoverySpecification = new PointInTimeRecoverySpecification { PointInTimeRecoveryEnabled = false },
        }).WaitAsync(ServerFixture.Timeout)).ContinuousBackupsDescription;
        Assert.Equal(PointInTimeRecoveryStatus.DISABLED, disabled.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus);
    }

    [Fact]
    public async Task ContinuousBackupsOfAMissingTableIsTableNotFound()
    {
        var name = fixture.NewTableName();
        var error = await Assert.ThrowsAsync<TableNotFoundException>(() =>
            Client.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = name }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("Table not found: " + name, error.Message);
        await Assert.ThrowsAsync<TableNotFoundException>(() => Client.UpdateContinuousBackupsAsync(new UpdateContinuousBackupsRequest
        {
            TableName = name,
            PointInTimeRecoverySpecification = new PointInTimeRecoverySpecification { PointInTimeRecoveryEnabled = true },
        }).WaitAsync(ServerFixture.Timeout));
    }

    [Fact]
    public async Task KinesisStreamingDestinationsAreEmpty()
    {
        var name = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var described = await Client.DescribeKinesisStreamingDestinationAsync(new DescribeKinesisStreamingDestinationRequest { TableName = name })
            .WaitAsync(ServerFixture.Timeout);
        Assert.Equal(name, described.TableName);
        Assert.Empty(described.KinesisDataStreamDestinations ?? []);

        var missing = fixture.NewTableName();
        var error = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Client.DescribeKinesisStreamingDestinationAsync(
            new DescribeKinesisStreamingDestinationRequest { TableName = missing }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal($"Requested resource not found: Table: {missing} not found", error.Message);
    }

    [Fact]
    public async Task BillingSwitchesCarryTheGlobalIndexesThroughput()
    {
        var name = fixture.NewTableName();
        await Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("pk", ScalarAttributeType.S), new("g", ScalarAttributeType.S)],
            KeySchema = [new("pk", KeyType.HASH)],
            GlobalSecondaryIndexes = [new GlobalSecondaryIndex
            {
                IndexName = "by-g",
                KeySchema = [new("g", KeyType.HASH)],
                Projection = new Projection { ProjectionType = ProjectionType.ALL },
            }],
        }).WaitAsync(ServerFixture.Timeout);

        // On demand: no index throughput, even alone.
        var onDemand = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.UpdateTableAsync(new UpdateTableRequest
        {
            TableName = name,
            GlobalSecondaryIndexUpdates = [new GlobalSecondaryIndexUpdate { Update = new UpdateGlobalSecondaryIndexAction { IndexName = "by-g", ProvisionedThroughput = new(1, 1) } }],
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST", onDemand.Message);

        // To PROVISIONED: every GSI needs its own throughput in the same request, and nothing changes without it.
        var missing = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.UpdateTableAsync(new UpdateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PROVISIONED,
            ProvisionedThroughput = new(3, 4),
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: by-g", missing.Message);
        Assert.Equal(BillingMode.PAY_PER_REQUEST, (await Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout)).Table.BillingModeSummary.BillingMode);

        await Client.UpdateTableAsync(new UpdateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PROVISIONED,
            ProvisionedThroughput = new(3, 4),
            GlobalSecondaryIndexUpdates = [new GlobalSecondaryIndexUpdate { Update = new UpdateGlobalSecondaryIndexAction { IndexName = "by-g", ProvisionedThroughput = new(5, 6) } }],
        }).WaitAsync(ServerFixture.Timeout);
        var provisioned = (await Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout)).Table;
        Assert.Equal(BillingMode.PROVISIONED, provisioned.BillingModeSummary.BillingMode);
        Assert.Equal((3L, 4L), (provisioned.ProvisionedThroughput.ReadCapacityUnits!.Value, provisioned.ProvisionedThroughput.WriteCapacityUnits!.Value));
        var index = Assert.Single(provisioned.GlobalSecondaryIndexes).ProvisionedThroughput;
        Assert.Equal((5L, 6L), (index.ReadCapacityUnits!.Value, index.WriteCapacityUnits!.Value));
        // The table's warm throughput never comes down: it keeps the on-demand 12000/4000 it had (AWS, ack-api-quirks
        // DDB-TABLE-061). An index's follows its provisioned capacity (index warm throughput is not kept).
        Assert.Equal((12000L, 4000L), (provisioned.WarmThroughput.ReadUnitsPerSecond!.Value, provisioned.WarmThroughput.WriteUnitsPerSecond!.Value));
        Assert.Equal((5L, 6L), (provisioned.GlobalSecondaryIndexes[0].WarmThroughput.ReadUnitsPerSecond!.Value, provisioned.GlobalSecondaryIndexes[0].WarmThroughput.WriteUnitsPerSecond!.Value));

        // Back to on demand: the table's and the index's throughput both describe 0.
        await Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, BillingMode = BillingMode.PAY_PER_REQUEST }).WaitAsync(ServerFixture.Timeout);
        var back = (await Client.DescribeTableAsync(name).WaitAsync(ServerFixture.Timeout)).Table;
        Assert.Equal(0, back.ProvisionedThroughput.ReadCapacityUnits);
        var backIndex = Assert.Single(back.GlobalSecondaryIndexes).ProvisionedThroughput;
        Assert.Equal((0L, 0L), (backIndex.ReadCapacityUnits!.Value, backIndex.WriteCapacityUnits!.Value));
        Assert.Equal((12000L, 4000L), (back.WarmThroughput.ReadUnitsPerSecond!.Value, back.WarmThroughput.WriteUnitsPerSecond!.Value));
        Assert.Equal(TableStatus.ACTIVE, back.WarmThroughput.Status);
        Assert.Equal(IndexStatus.ACTIVE, back.GlobalSecondaryIndexes[0].WarmThroughput.Status);
    }
}
