using System.Text.Json;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

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
    public async Task A_stream_change_and_a_billing_switch_commit_once()
    {
        await using var store = DynamoStore.Open(new DynamoStoreOptions { InMemory = true });
        await StoreCalls.ExecuteAsync(store, "CreateTable",
            """{"TableName":"commits","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}""");
        long before = store.Writes.Commits;

        await StoreCalls.ExecuteAsync(store, "UpdateTable",
            """{"TableName":"commits","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"},"BillingMode":"PAY_PER_REQUEST"}""");

        Assert.Equal(1, store.Writes.Commits - before);
        using var described = JsonDocument.Parse(await StoreCalls.ExecuteAsync(store, "DescribeTable", """{"TableName":"commits"}"""));
        var table = described.RootElement.GetProperty("Table");
        Assert.Equal("NEW_IMAGE", table.GetProperty("StreamSpecification").GetProperty("StreamViewType").GetString());
        Assert.Equal("PAY_PER_REQUEST", table.GetProperty("BillingModeSummary").GetProperty("BillingMode").GetString());
    }

    [Theory]
    [InlineData(""","DeletionProtectionEnabled":true,"TableClass":"STANDARD" """, "DeletionProtection modification must be the only operation in the request")]
    [InlineData(""","DeletionProtectionEnabled":true,"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}""", "DeletionProtection modification must be the only operation in the request")]
    [InlineData(""","DeletionProtectionEnabled":false,"GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"byG","ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":3}}}]""", "DeletionProtection modification must be the only operation in the request")]
    [InlineData(""","TableClass":"STANDARD","ProvisionedThroughput":{"ReadCapacityUnits":2,"WriteCapacityUnits":2}""", "TableClass modification must be the only operation in the request")]
    [InlineData(""","TableClass":"STANDARD_INFREQUENT_ACCESS","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}""", "TableClass modification must be the only operation in the request")]
    [InlineData(""","ProvisionedThroughput":{"ReadCapacityUnits":2,"WriteCapacityUnits":2},"GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"byG"}}]""", "You cannot create or delete index while updating table IOPS")]
    public async Task Changes_AWS_takes_only_alone_are_refused_and_write_nothing(string members, string message)
    {
        await using var store = DynamoStore.Open(new DynamoStoreOptions { InMemory = true });
        await StoreCalls.ExecuteAsync(store, "CreateTable", ProvisionedWithIndex);
        long before = store.Writes.Commits;

        var refusal = await Assert.ThrowsAsync<DynamoException>(() => StoreCalls.ExecuteAsync(store, "UpdateTable", "{\"TableName\":\"commits\"" + members + "}"));

        Assert.Equal("One or more parameter values were invalid: " + message, refusal.Message);
        Assert.Equal(0, store.Writes.Commits - before);
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

    [Fact]
    public async Task A_step_that_fails_with_a_SQLite_error_leaves_no_trace_in_memory_either()
    {
        await using var store = DynamoStore.Open(new DynamoStoreOptions { InMemory = true });
        await StoreCalls.ExecuteAsync(store, "CreateTable",
            """{"TableName":"commits","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}""");
        var table = store.GetTable("commits");

        // The stream is enabled in the database and in memory, then the second step fails: the savepoint takes the rows back.
        await Assert.ThrowsAnyAsync<Exception>(() => store.WriteAsync(new CompositeWriteCommand(new EnableStream(table), new FailWithSqliteError())));

        using var described = JsonDocument.Parse(await StoreCalls.ExecuteAsync(store, "DescribeTable", """{"TableName":"commits"}"""));
        Assert.False(described.RootElement.GetProperty("Table").TryGetProperty("StreamSpecification", out _));
        Assert.False(described.RootElement.GetProperty("Table").TryGetProperty("LatestStreamArn", out _));
        using var streams = JsonDocument.Parse(await StoreCalls.ExecuteAsync(store, "DynamoDBStreams_20120810.ListStreams", "{}"));
        Assert.Empty(streams.RootElement.GetProperty("Streams").EnumerateArray());
        // And the table still takes writes.
        await StoreCalls.ExecuteAsync(store, "PutItem", """{"TableName":"commits","Item":{"pk":{"S":"after"}}}""");
        Assert.Equal(1, store.GetTable("commits").ItemCount);
    }

    private sealed class EnableStream(Model.TableDefinition table) : WriteCommand
    {
        public override void Apply(WriteContext context) => StreamCatalog.Enable(context, table, "NEW_IMAGE", DateTimeOffset.UtcNow);
    }

    private sealed class FailWithSqliteError : WriteCommand
    {
        public override void Apply(WriteContext context) => throw new Microsoft.Data.Sqlite.SqliteException("disk I/O error", 10);
    }

    private static async Task<(long Table, long Index)> CapacitiesAsync(DynamoStore store)
    {
        using var described = JsonDocument.Parse(await StoreCalls.ExecuteAsync(store, "DescribeTable", """{"TableName":"commits"}"""));
        var table = described.RootElement.GetProperty("Table");
        return (table.GetProperty("ProvisionedThroughput").GetProperty("ReadCapacityUnits").GetInt64(),
            table.GetProperty("GlobalSecondaryIndexes")[0].GetProperty("ProvisionedThroughput").GetProperty("ReadCapacityUnits").GetInt64());
    }
}
