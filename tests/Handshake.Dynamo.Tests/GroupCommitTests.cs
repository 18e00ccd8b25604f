using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Tests;

/// <summary>Writes waiting while the writer is busy are committed together, in one transaction.</summary>
public sealed class GroupCommitTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WritesQueuedBehindABusyWriterShareOneCommit(bool inMemory)
    {
        var directory = Path.Combine(Path.GetTempPath(), "handshake-group-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var store = DynamoStore.Open(inMemory ? new DynamoStoreOptions { InMemory = true } : new DynamoStoreOptions { DataDirectory = directory });
            await StoreCalls.ExecuteAsync(store, "CreateTable",
                """{"TableName":"group","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}""");
            long before = store.Writes.Commits;

            var gate = new GateCommand();
            // The write that finds the writer idle commits on its own thread: the gate holds a thread-pool thread.
            var gated = Task.Run(() => store.WriteAsync(gate));
            await gate.Entered.Task.WaitAsync(ServerFixture.Timeout);

            const int Writes = 50;
            var puts = Enumerable.Range(0, Writes)
                .Select(i => StoreCalls.ExecuteAsync(store, "PutItem", "{\"TableName\":\"group\",\"Item\":{\"pk\":{\"S\":\"k" + i + "\"}}}"))
                .ToList();
            // Every put is parsed and queued synchronously before its first await; none can complete yet.
            Assert.Equal(Writes, store.Writes.Pending);
            Assert.All(puts, p => Assert.False(p.IsCompleted));

            gate.Release.Set();
            await gated.WaitAsync(ServerFixture.Timeout);
            await Task.WhenAll(puts).WaitAsync(ServerFixture.Timeout);

            Assert.Equal(2, store.Writes.Commits - before); // the gate's transaction, then all 50 puts in one
            Assert.Equal(Writes, store.GetTable("group").ItemCount);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task WritesDeferredByAnEventLoopTurnCommitTogetherWhenTheLoopCommits()
    {
        await using var store = DynamoStore.Open(new DynamoStoreOptions { InMemory = true });
        await StoreCalls.ExecuteAsync(store, "CreateTable",
            """{"TableName":"turn","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}""");
        long before = store.Writes.Commits;

        const int Writes = 20;
        List<Task<string>> puts;
        // What DynamoEventLoop does on its thread while it reads a turn's requests: writes only queue.
        WriteQueue.DeferCommits = true;
        try
        {
            puts = Enumerable.Range(0, Writes)
                .Select(i => StoreCalls.ExecuteAsync(store, "PutItem", "{\"TableName\":\"turn\",\"Item\":{\"pk\":{\"S\":\"k" + i + "\"}}}"))
                .ToList();
        }
        finally
        {
            WriteQueue.DeferCommits = false;
        }

        Assert.Equal(Writes, store.Writes.Pending);
        Assert.All(puts, p => Assert.False(p.IsCompleted));
        Assert.Equal(0, store.Writes.Commits - before);

        store.Writes.CommitDeferred();

        // Completed on this thread, within the call: the loop answers them in the same turn.
        Assert.All(puts, p => Assert.Equal("{}", p.Result));
        Assert.Equal(1, store.Writes.Commits - before);
        Assert.Equal(Writes, store.GetTable("turn").ItemCount);
    }

    [Fact]
    public async Task DeferredWritesFindingTheWriterBusyAreCommittedByThatWriter()
    {
        await using var store = DynamoStore.Open(new DynamoStoreOptions { InMemory = true });
        await StoreCalls.ExecuteAsync(store, "CreateTable",
            """{"TableName":"busy","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}""");
        var gate = new GateCommand();
        var gated = Task.Run(() => store.WriteAsync(gate));
        await gate.Entered.Task.WaitAsync(ServerFixture.Timeout);

        Task<string> put;
        WriteQueue.DeferCommits = true;
        try
        {
            put = StoreCalls.ExecuteAsync(store, "PutItem", "{\"TableName\":\"busy\",\"Item\":{\"pk\":{\"S\":\"k\"}}}");
        }
        finally
        {
            WriteQueue.DeferCommits = false;
        }

        // The loop cannot take the writer; the write must not be stranded in the queue.
        store.Writes.CommitDeferred();
        Assert.False(put.IsCompleted);
        gate.Release.Set();
        await gated.WaitAsync(ServerFixture.Timeout);

        Assert.Equal("{}", await put.WaitAsync(ServerFixture.Timeout));
        Assert.Equal(1, store.GetTable("busy").ItemCount);
    }
}
