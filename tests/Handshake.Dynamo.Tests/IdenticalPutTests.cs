namespace Handshake.Dynamo.Tests;

/// <summary>
/// A put that rewrites an item with the bytes it already has (a retried request, an idempotent sync) changes nothing on
/// disk: the existing row is updated in place, SQLite leaves its page clean, and the commit appends no WAL frame. A put
/// that changes the item still appends one, and ItemCount and TableSizeBytes stay exact either way.
/// </summary>
public sealed class IdenticalPutTests
{
    private static string Put(string value) =>
        "{\"TableName\":\"same\",\"Item\":{\"pk\":{\"S\":\"k\"},\"v\":{\"S\":\"" + value + "\"}},\"ReturnValues\":\"ALL_OLD\"}";

    private static long Length(FileInfo file)
    {
        file.Refresh();
        return file.Exists ? file.Length : 0;
    }

    [Fact]
    public async Task PuttingTheSameItemAgainAppendsNothingToTheWalAndChangingItStillDoes()
    {
        var directory = Path.Combine(Path.GetTempPath(), "handshake-same-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var store = DynamoStore.Open(new DynamoStoreOptions
            {
                DataDirectory = directory,
                // No background checkpoint: it would rewind the WAL between the measurements.
                WalCheckpointInterval = TimeSpan.FromHours(1),
                TimeToLiveSweepInterval = TimeSpan.Zero,
            }))
            {
                await StoreCalls.ExecuteAsync(store, "CreateTable",
                    """{"TableName":"same","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}""");
                await StoreCalls.ExecuteAsync(store, "PutItem", Put("one"));
                var wal = new FileInfo(store.DatabasePath + "-wal");
                long afterFirst = Length(wal);
                Assert.True(afterFirst > 0);

                for (int i = 0; i < 20; i++)
                {
                    // Still a complete PutItem: the old item comes back, the write is acknowledged.
                    Assert.Contains("\"Attributes\":{", await StoreCalls.ExecuteAsync(store, "PutItem", Put("one")));
                }

                Assert.Equal(afterFirst, Length(wal));

                Assert.Contains("\"one\"", await StoreCalls.ExecuteAsync(store, "PutItem", Put("two")));
                Assert.True(Length(wal) > afterFirst, "a put that changes the item appends its page to the WAL");

                string described = await StoreCalls.ExecuteAsync(store, "DescribeTable", """{"TableName":"same"}""");
                Assert.Contains("\"ItemCount\":1", described);
            }

            // The changed item is the one that survives a restart.
            await using (var reopened = DynamoStore.Open(new DynamoStoreOptions { DataDirectory = directory, TimeToLiveSweepInterval = TimeSpan.Zero }))
            {
                Assert.Contains("\"two\"", await StoreCalls.ExecuteAsync(reopened, "GetItem", """{"TableName":"same","Key":{"pk":{"S":"k"}}}"""));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
