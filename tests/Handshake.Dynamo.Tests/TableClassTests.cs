using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests;

/// <summary>TableClass: accepted and kept by CreateTable and UpdateTable, described as TableClassSummary, enum-checked.</summary>
[Collection(ServerCollection.Name)]
public sealed class TableClassTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;
    private static readonly TimeSpan Timeout = ServerFixture.Timeout;

    private CreateTableRequest Create(string name, string? tableClass) => new()
    {
        TableName = name, BillingMode = BillingMode.PAY_PER_REQUEST,
        AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S)],
        KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
        TableClass = tableClass is null ? null : new TableClass(tableClass),
    };

    [Fact]
    public async Task ATableClassIsKeptDescribedAndChangedByUpdateTableAlone()
    {
        var created = await Client.CreateTableAsync(Create(fixture.NewTableName(), "STANDARD_INFREQUENT_ACCESS")).WaitAsync(Timeout);
        Assert.Equal(TableClass.STANDARD_INFREQUENT_ACCESS, created.TableDescription.TableClassSummary.TableClass);
        var name = created.TableDescription.TableName;
        var described = (await Client.DescribeTableAsync(name).WaitAsync(Timeout)).Table;
        Assert.Equal(TableClass.STANDARD_INFREQUENT_ACCESS, described.TableClassSummary.TableClass);
        Assert.Null(described.TableClassSummary.LastUpdateDateTime);

        var updated = await Client.UpdateTableAsync(new UpdateTableRequest { TableName = name, TableClass = TableClass.STANDARD }).WaitAsync(Timeout);
        Assert.Equal(TableClass.STANDARD, updated.TableDescription.TableClassSummary.TableClass);
        described = (await Client.DescribeTableAsync(name).WaitAsync(Timeout)).Table;
        Assert.Equal(TableClass.STANDARD, described.TableClassSummary.TableClass);
        Assert.NotNull(described.TableClassSummary.LastUpdateDateTime);

        // A table created without one has no summary.
        var plain = await Client.CreateTableAsync(Create(fixture.NewTableName(), null)).WaitAsync(Timeout);
        Assert.Null((await Client.DescribeTableAsync(plain.TableDescription.TableName).WaitAsync(Timeout)).Table.TableClassSummary);
    }

    [Fact]
    public async Task AnUnknownTableClassIsRefusedInAwsWords()
    {
        // AWS's own text, not the model's enum message (ack-api-quirks DDB-TABLE-442; cfn-lint quotes it too).
        const string Refusal = "Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].";
        var name = fixture.NewTableName();
        var e = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => Client.CreateTableAsync(Create(name, "FOO")).WaitAsync(Timeout));
        Assert.Equal(Refusal, e.Message);
        await Client.CreateTableAsync(Create(name, null)).WaitAsync(Timeout);
        var (_, type, message) = await ErrorAsync(fixture, "UpdateTable", "{\"TableName\":\"" + name + "\",\"TableClass\":\"GLACIER\"}");
        Assert.Equal(("ValidationException", Refusal), (type, message));
        Assert.Null((await Client.DescribeTableAsync(name).WaitAsync(Timeout)).Table.TableClassSummary);
    }
}
