using Amazon.DynamoDBv2.Model;
using Handshake.Composition;
using Handshake.Dynamo;
using Handshake.Reliability.Tests.Infrastructure;

namespace Handshake.Reliability.Tests.Durability;

/// <summary>A database damaged on disk is refused at start with one clear line, never served.</summary>
public sealed class CorruptionTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "handshake-corrupt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private async Task<string> CreateDatabaseAsync()
    {
        await using (RunningServer server = await RunningServer.StartAsync(new HandshakeServerOptions { DataDirectory = _directory }))
        {
            await server.CreateTableAsync("data");
            string filler = new('f', 2000);
            for (int i = 0; i < 300; i++)
            {
                await server.Client.PutItemAsync("data", new()
                {
                    ["pk"] = new AttributeValue { S = "item-" + i },
                    ["v"] = new AttributeValue { S = filler },
                }).WaitAsync(Timeouts.Default);
            }
        }

        return Path.Combine(_directory, "handshake.db");
    }

    [Fact]
    public async Task ADamagedPageInsideTheFileIsRefusedAtOpen()
    {
        string path = await CreateDatabaseAsync();
        Assert.False(File.Exists(path + "-wal") && new FileInfo(path + "-wal").Length > 0, "the WAL is checkpointed at close");

        // Garbage over a page in the middle of the items' b-tree: the header is intact, so only a page check sees it.
        using (FileStream file = new(path, FileMode.Open, FileAccess.ReadWrite))
        {
            long page = file.Length / 4096 / 2;
            file.Position = page * 4096;
            byte[] garbage = new byte[4096];
            new Random(6).NextBytes(garbage);
            file.Write(garbage);
        }

        DynamoStoreOpenException error = Assert.Throws<DynamoStoreOpenException>(() => DynamoStore.Open(new DynamoStoreOptions { DataDirectory = _directory }));
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task ATruncatedFileIsRefusedAtOpen()
    {
        string path = await CreateDatabaseAsync();
        using (FileStream file = new(path, FileMode.Open, FileAccess.ReadWrite))
        {
            file.SetLength(file.Length / 2);
        }

        DynamoStoreOpenException error = Assert.Throws<DynamoStoreOpenException>(() => DynamoStore.Open(new DynamoStoreOptions { DataDirectory = _directory }));
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task HandshakeUpExitsWithOneLineForADamagedDatabase()
    {
        string path = await CreateDatabaseAsync();
        using (FileStream file = new(path, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = file.Length / 4096 / 2 * 4096;
            file.Write(new byte[4096].Select(_ => (byte)0xA5).ToArray());
        }

        using HandshakeProcess process = HandshakeProcess.Start(_directory, "up", "--port", "0", "--data-dir", _directory);
        int exitCode = await process.WaitForExitAsync();
        string stderr = await process.StandardErrorAsync();
        Assert.Equal(1, exitCode);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("handshake: The store database", line, StringComparison.Ordinal);
        Assert.Contains("damaged", line, StringComparison.Ordinal);
    }
}
