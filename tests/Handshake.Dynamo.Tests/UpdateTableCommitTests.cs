using System.Text.Json;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Tests;

/// <summary>
/// UpdateTable commits all of a request's changes at once: a stream or index change and the metadata change beside it
/// in one transaction, and a request refused after its checks writes nothing.
/// </summary>
public sealed class UpdateTableCommitTests
{
    private const string ProvisionedWithIndex = """
        {"TableName":"commits","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
         "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
         "ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1},
         "GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],
           "Projection":{"ProjectionType":"KEYS_ONLY"},"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}]}
        """;

    [Fact]
    public async Task A_stream_change_and_a_metadata_change_commit_once()
    {
        await using var store = DynamoStore.Open(new DynamoStoreOptions { InMemory = true });
        await StoreCalls.ExecuteAsync(store, "CreateTable",
            """{"TableName":"commits","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}""");
        long before = store.Writes.Commits;

        await StoreCalls.ExecuteAsync(store, "UpdateTable",
            """{"TableName":"commits","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"},"DeletionProtectionEnabled":true,"TableClass":"STANDARD_INFREQUENT_ACCESS"}""");

        Assert.Equal(1, store.Writes.Commits - before);
        using var described = JsonDocument.Parse(await StoreCalls.ExecuteAsync(store, "DescribeTable", """{"TableName":"commits"}"""));
        var table = described.RootElement.GetProperty("Table");
        Assert.Equal("NEW_IMAGE", table.GetProperty("StreamSpecification").GetProperty("StreamViewType").GetString());
        Assert.True(table.GetProperty("DeletionProtectionEnabled").GetBoolean());
        Assert.Equal("STANDARD_INFREQUENT_ACCESS", table.GetProperty("TableClassSummary").GetProperty("TableClass").GetString());
    }

    [Fact]
    public async Task An_index_change_and_a_throughput_change_commit_once()
    {
        await using var store = DynamoStore.Open(new DynamoStoreOptions { InMemory = true });
        await StoreCalls.ExecuteAsync(store, "CreateTable", ProvisionedWithIndex);
        long before = store.Writes.Commits;

        await StoreCalls.ExecuteAsync(store, "UpdateTable",
            """{"TableName":"commits","ProvisionedThroughput":{"ReadCapacityUnits":2,"WriteCapacityUnits":2},"GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"byG","ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":3}}}]}""");

        Assert.Equal(1, store.Writes.Commits - before);
        var (tableRead, indexRead) = await CapacitiesAsync(store);
        Assert.Equal(2, tableRead);
        Assert.Equal(3, indexRead);
    }

    [Fact]
    public async Task A_refused_request_leaves_its_index_update_unwritten()
    {
        await using var store = DynamoStore.Open(new DynamoStoreOptions { InMemory = true });
        await StoreCalls.ExecuteAsync(store, "CreateTable", ProvisionedWithIndex);
        long before = store.Writes.Commits;

        // The table's own throughput does not change: the request is refused, and the index's change with it.
        var refusal = await Assert.ThrowsAsync<DynamoException>(() => StoreCalls.ExecuteAsync(store, "UpdateTable",
            """{"TableName":"commits","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1},"GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"byG","ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}}}]}"""));

        Assert.StartsWith("The provisioned throughput for the table will not change.", refusal.Message);
        Assert.Equal(0, store.Writes.Commits - before);
        var (tableRead, indexRead) = await CapacitiesAsync(store);
        Assert.Equal(1, tableRead);
        Assert.Equal(1, indexRead);
    }

    private static async Task<(long Table, long Index)> CapacitiesAsync(DynamoStore store)
    {
        using var described = JsonDocument.Parse(await StoreCalls.ExecuteAsync(store, "DescribeTable", """{"TableName":"commits"}"""));
        var table = described.RootElement.GetProperty("Table");
        return (table.GetProperty("ProvisionedThroughput").GetProperty("ReadCapacityUnits").GetInt64(),
            table.GetProperty("GlobalSecondaryIndexes")[0].GetProperty("ProvisionedThroughput").GetProperty("ReadCapacityUnits").GetInt64());
    }
}
