using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Tests;

/// <summary>Writes waiting while the writer is busy are committed together, in one transaction.</summary>
public sealed class GroupCommitTests
{
    /// <summary>Holds the writer inside its transaction until released, so later writes pile up behind it.</summary>
    private sealed class GateCommand : WriteCommand
    {
        public readonly TaskCompletionSource Entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly ManualResetEventSlim Release = new();

        public override void Apply(WriteContext context)
        {
            Entered.TrySetResult();
            Release.Wait(TimeSpan.FromSeconds(30));
        }
    }

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
}
