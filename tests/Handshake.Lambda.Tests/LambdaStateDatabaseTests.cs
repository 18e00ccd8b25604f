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

    [Fact]
    public void A_prefix_delete_is_a_key_range_that_leaves_names_sharing_the_first_characters()
    {
        using LambdaStateDatabase state = new(_directory);
        state.Write(batch =>
        {
            // '-' and '.' sort before '/', '0' and '_' after it: the range [f/, f0) must take exactly the f/ keys.
            foreach (string key in (string[])["f/configuration", "f/version/1", "f/alias/live", "f-2/configuration", "f-2/version/1", "f.x/tags", "f0/tags", "f_/tags", "g/tags", "f/"])
            {
                batch.Put("function", key, "{}");
            }

            batch.Put("other", "f/configuration", "{}");
        });

        state.Write(batch => batch.DeletePrefix("function", "f/"));

        Assert.Equal(["f-2/configuration", "f-2/version/1", "f.x/tags", "f0/tags", "f_/tags", "g/tags"], state.Load("function").Select(document => document.Key));
        Assert.Equal(["f/configuration"], state.Load("other").Select(document => document.Key));
        using Microsoft.Data.Sqlite.SqliteConnection connection = new($"Data Source={state.FilePath};Pooling=False");
        connection.Open();
        using Microsoft.Data.Sqlite.SqliteCommand plan = connection.CreateCommand();
        // The statement the delete runs seeks the primary key's range rather than scanning the kind.
        plan.CommandText = "EXPLAIN QUERY PLAN " + LambdaStateDatabase.Batch.DeletePrefixSql;
        plan.Parameters.AddWithValue("$kind", "function");
        plan.Parameters.AddWithValue("$key", "f/");
        plan.Parameters.AddWithValue("$end", "f0");
        using Microsoft.Data.Sqlite.SqliteDataReader reader = plan.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Contains("key>? AND key<?", reader.GetString(3));
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
