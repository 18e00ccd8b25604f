using System.Text.Json;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Tests.Streams;

/// <summary>
/// A stream record is written in the transaction of its item write: a command that fails after writing leaves neither
/// the item nor the record, and a group commit that fails acknowledges no write and keeps no record of any.
/// </summary>
public sealed class StreamAtomicityTests
{
    /// <summary>Writes an item (and so its stream record), then fails: its savepoint must undo both.</summary>
    private sealed class WriteThenFailCommand(TableDefinition table) : WriteCommand
    {
        public override bool NeedsSavepoint => true;

        public override void Apply(WriteContext context)
        {
            var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { ["pk"] = AttributeValue.FromString("undone") };
            var bytes = StoredItem.Serialize(item);
            context.Upsert(table, PrimaryKey.FromItem(table, item), ItemSize.Of(item), bytes, existed: false, oldSize: 0);
            throw DynamoException.Validation("failing on purpose");
        }
    }

    /// <summary>Ends the group commit's transaction under the writer, so its COMMIT fails.</summary>
    private sealed class BreakTheCommitCommand : WriteCommand
    {
        public override void Apply(WriteContext context)
        {
            using var rollback = context.CreateCommand("ROLLBACK");
            rollback.ExecuteNonQuery();
        }
    }

    private const string CreateTable = """
        {"TableName":"atomic","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
         "BillingMode":"PAY_PER_REQUEST","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}}
        """;

    private static Task<string> PutAsync(DynamoStore store, string pk) =>
        StoreCalls.ExecuteAsync(store, "PutItem", "{\"TableName\":\"atomic\",\"Item\":{\"pk\":{\"S\":\"" + pk + "\"}}}");

    private static async Task<List<string>> RecordKeysAsync(DynamoStore store)
    {
        var arn = store.GetTable("atomic").LatestStream!.Arn;
        var describe = JsonDocument.Parse(await StoreCalls.ExecuteAsync(store, "DynamoDBStreams_20120810.DescribeStream", JsonSerializer.Serialize(new { StreamArn = arn })));
        var shard = describe.RootElement.GetProperty("StreamDescription").GetProperty("Shards")[0].GetProperty("ShardId").GetString();
        var iterator = JsonDocument.Parse(await StoreCalls.ExecuteAsync(store, "DynamoDBStreams_20120810.GetShardIterator",
            JsonSerializer.Serialize(new { StreamArn = arn, ShardId = shard, ShardIteratorType = "TRIM_HORIZON" }))).RootElement.GetProperty("ShardIterator").GetString();
        var page = JsonDocument.Parse(await StoreCalls.ExecuteAsync(store, "DynamoDBStreams_20120810.GetRecords", JsonSerializer.Serialize(new { ShardIterator = iterator })));
        return [.. page.RootElement.GetProperty("Records").EnumerateArray().Select(r => r.GetProperty("dynamodb").GetProperty("Keys").GetProperty("pk").GetProperty("S").GetString()!)];
    }

    private static async Task<(Task Gated, GateCommand Gate)> HoldTheWriterAsync(DynamoStore store)
    {
        var gate = new GateCommand();
        var gated = Task.Run(() => store.WriteAsync(gate));
        await gate.Entered.Task.WaitAsync(ServerFixture.Timeout);
        return (gated, gate);
    }

    [Fact]
    public async Task ACommandThatFailsAfterItsWriteLeavesNoRecord()
    {
        await using var store = DynamoStore.Open(new DynamoStoreOptions { InMemory = true, TimeToLiveSweepInterval = TimeSpan.Zero });
        await StoreCalls.ExecuteAsync(store, "CreateTable", CreateTable);
        var table = store.GetTable("atomic");
        var (gated, gate) = await HoldTheWriterAsync(store);

        var before = PutAsync(store, "before");
        var failing = store.WriteAsync(new WriteThenFailCommand(table));
        var after = PutAsync(store, "after");
        gate.Release.Set();
        await gated.WaitAsync(ServerFixture.Timeout);
        await Assert.ThrowsAsync<DynamoException>(() => failing.WaitAsync(ServerFixture.Timeout));
        await Task.WhenAll(before, after).WaitAsync(ServerFixture.Timeout);

        Assert.Equal(["before", "after"], await RecordKeysAsync(store));
        Assert.Null(store.ReadItem(table, PrimaryKey.FromItem(table, new() { ["pk"] = AttributeValue.FromString("undone") }), out _));
    }

    [Fact]
    public async Task AFailedGroupCommitAcknowledgesNoWriteAndKeepsNoRecord()
    {
        await using var store = DynamoStore.Open(new DynamoStoreOptions { InMemory = true, TimeToLiveSweepInterval = TimeSpan.Zero });
        await StoreCalls.ExecuteAsync(store, "CreateTable", CreateTable);
        await PutAsync(store, "committed");
        var (gated, gate) = await HoldTheWriterAsync(store);

        var lost = PutAsync(store, "lost");
        var breaking = store.WriteAsync(new BreakTheCommitCommand());
        gate.Release.Set();
        await gated.WaitAsync(ServerFixture.Timeout);
        var error = await Assert.ThrowsAsync<DynamoException>(() => lost.WaitAsync(ServerFixture.Timeout));
        Assert.Equal(DynamoErrorCode.InternalServerError, error.Code);
        await Assert.ThrowsAsync<DynamoException>(() => breaking.WaitAsync(ServerFixture.Timeout));

        // The stream survives the reload that follows a failed commit, and writes after it are recorded again.
        await PutAsync(store, "later");
        Assert.Equal(["committed", "later"], await RecordKeysAsync(store));
    }
}
