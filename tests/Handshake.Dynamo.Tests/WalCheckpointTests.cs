namespace Handshake.Dynamo.Tests;

/// <summary>
/// The WAL stays bounded under sustained reads and writes. A PASSIVE checkpoint alone never rewinds the WAL while some
/// reader is always active (a 10-minute mixed load grew it to 12.4 GB), so past a size the checkpoint empties it.
/// </summary>
public sealed class WalCheckpointTests
{
    private const int TruncateAboveFrames = 50;

    // A WAL file is a 32-byte header and frames of a 24-byte header plus a 4 KB page.
    private const long MaxWalBytes = 32 + TruncateAboveFrames * (24 + 4096);

    private static long WalBytes(FileInfo wal)
    {
        wal.Refresh();
        return wal.Exists ? wal.Length : 0;
    }

    [Fact]
    public async Task TheWalIsEmptiedWhileReadsGoOnAndNoWriteIsLost()
    {
        var directory = Path.Combine(Path.GetTempPath(), "handshake-wal-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var store = DynamoStore.Open(new DynamoStoreOptions
            {
                DataDirectory = directory,
                WalTruncateAboveFrames = TruncateAboveFrames,
                // Only the test's own ticks: a background tick could rewind the WAL between writes on its own.
                WalCheckpointInterval = TimeSpan.FromHours(1),
                TimeToLiveSweepInterval = TimeSpan.Zero,
            });
            await StoreCalls.ExecuteAsync(store, "CreateTable",
                """{"TableName":"wal","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}""");

            // Readers never pause: some read is always in flight, as under a real mixed load.
            using var stopReading = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var reading = Enumerable.Range(0, 2).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
            var readers = Enumerable.Range(0, 2).Select(r => Task.Run(async () =>
            {
                int reads = 0;
                for (; reads < 1_000_000 && !stopReading.IsCancellationRequested; reads++)
                {
                    await StoreCalls.ExecuteAsync(store, "GetItem", "{\"TableName\":\"wal\",\"Key\":{\"pk\":{\"S\":\"k" + (reads % 500) + "\"}}}");
                    reading[r].TrySetResult();
                    // A read and a write may both complete without an await that yields (a write that finds the
                    // writer idle commits on its own thread): yield, so no loop holds a pool thread to itself.
                    await Task.Yield();
                }

                return reads;
            })).ToList();
            // Both readers are reading before the first write.
            await Task.WhenAll(reading.Select(t => t.Task)).WaitAsync(ServerFixture.Timeout);

            const int Writers = 8, PutsEach = 150;
            await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (int i = 0; i < PutsEach; i++)
                {
                    await StoreCalls.ExecuteAsync(store, "PutItem",
                        "{\"TableName\":\"wal\",\"Item\":{\"pk\":{\"S\":\"k" + (w * PutsEach + i) + "\"},\"pad\":{\"S\":\"" + new string('x', 600) + "\"}}}");
                }
            }))).WaitAsync(ServerFixture.Timeout);

            var wal = new FileInfo(store.DatabasePath + "-wal");
            // Each tick waits at most its busy timeout for readers of old frames; a few tries are plenty.
            for (int tick = 0; tick < 10 && WalBytes(wal) > MaxWalBytes; tick++)
            {
                store.Checkpointer!.Tick();
                // The commit after a RESTART checkpoint writes the WAL from its start and cuts the file to the limit.
                await StoreCalls.ExecuteAsync(store, "PutItem",
                    "{\"TableName\":\"wal\",\"Item\":{\"pk\":{\"S\":\"k0\"},\"pad\":{\"S\":\"rewound\"}}}");
            }

            Assert.False(stopReading.IsCancellationRequested, "the readers must still be reading while the WAL is emptied");
            Assert.True(store.Checkpointer!.Truncations >= 1);
            // Rewound and cut back to the limit, or (when a background tick rewound it during the writes) holding only
            // what came after: at most the limit's frames. Without the rewind it holds every write: about 15 MB here.
            Assert.InRange(WalBytes(wal), 0, MaxWalBytes);

            await stopReading.CancelAsync();
            var reads = await Task.WhenAll(readers).WaitAsync(ServerFixture.Timeout);
            Assert.All(reads, count => Assert.True(count > 0));

            string count = await StoreCalls.ExecuteAsync(store, "Scan", """{"TableName":"wal","Select":"COUNT"}""");
            Assert.Contains($"\"Count\":{Writers * PutsEach}", count);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
