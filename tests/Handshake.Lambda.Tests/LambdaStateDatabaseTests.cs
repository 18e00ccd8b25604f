using Handshake.Lambda.Persistence;

namespace Handshake.Lambda.Tests;

/// <summary>The host's state file: documents by kind and key, kept across a reopen, changed all together or not at all.</summary>
public sealed class LambdaStateDatabaseTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "handshake-state-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public void Documents_survive_a_reopen_and_are_read_by_kind_in_key_order()
    {
        using (LambdaStateDatabase state = new(_directory))
        {
            state.Put("function", "b", """{"FunctionName":"b"}""");
            state.Put("function", "a", """{"FunctionName":"a"}""");
            state.Put("alias", "a:live", "{}");
            state.Put("function", "a", """{"FunctionName":"a","Timeout":9}""");
        }

        using LambdaStateDatabase reopened = new(_directory);
        Assert.Equal([("a", """{"FunctionName":"a","Timeout":9}"""), ("b", """{"FunctionName":"b"}""")], reopened.Load("function"));
        Assert.Equal([("a:live", "{}")], reopened.Load("alias"));
        Assert.Empty(reopened.Load("policy"));
    }

    [Fact]
    public void A_prefix_delete_removes_only_its_keys_and_a_failed_batch_keeps_nothing()
    {
        using LambdaStateDatabase state = new(_directory);
        state.Write(batch =>
        {
            batch.Put("version", "f:1", "{}");
            batch.Put("version", "f:2", "{}");
            batch.Put("version", "g:1", "{}");
            batch.Put("version", "f_:1", "{}");
        });
        state.Write(batch => batch.DeletePrefix("version", "f:"));
        Assert.Equal(["f_:1", "g:1"], state.Load("version").Select(document => document.Key));

        Assert.Throws<InvalidOperationException>(() => state.Write(batch =>
        {
            batch.Delete("version", "g:1");
            batch.Put("version", "h:1", "{}");
            throw new InvalidOperationException("a change refused halfway");
        }));
        Assert.Equal(["f_:1", "g:1"], state.Load("version").Select(document => document.Key));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
