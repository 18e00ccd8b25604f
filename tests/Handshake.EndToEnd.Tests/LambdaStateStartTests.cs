using Microsoft.Data.Sqlite;

namespace Handshake.EndToEnd.Tests;

/// <summary>`handshake up` on a data directory whose saved Lambda state (DATA/lambda/lambda.db) cannot be read: one line naming the file, exit 1.</summary>
public sealed class LambdaStateStartTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("handshake-e2e-").FullName;

    [Fact]
    public async Task A_lambda_db_that_is_not_a_database_gives_one_line_and_a_non_zero_exit()
    {
        string data = Path.Combine(_directory, "data");
        Directory.CreateDirectory(Path.Combine(data, "lambda"));
        File.WriteAllText(Path.Combine(data, "lambda", "lambda.db"), "this is not a SQLite database, and it is long enough to have a header");
        string line = await RefusedAsync(data);
        Assert.Contains(Path.Combine(data, "lambda", "lambda.db") + ": cannot open the saved Lambda state", line);
    }

    [Fact]
    public async Task A_damaged_function_document_gives_one_line_naming_it_and_a_non_zero_exit()
    {
        string data = Path.Combine(_directory, "data");
        Directory.CreateDirectory(Path.Combine(data, "lambda"));
        using (SqliteConnection connection = new($"Data Source={Path.Combine(data, "lambda", "lambda.db")};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            // The host's schema (LambdaStateDatabase), with a configuration document cut short.
            command.CommandText = """
                CREATE TABLE documents(kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY(kind, key)) WITHOUT ROWID;
                INSERT INTO documents VALUES ('function', 'orders/configuration', '{"FunctionName":"orders","Runt');
                """;
            command.ExecuteNonQuery();
        }

        string line = await RefusedAsync(data);
        Assert.Contains(Path.Combine(data, "lambda", "lambda.db") + ": the saved Lambda document 'function/orders/configuration' cannot be read", line);
    }

    [Theory]
    [InlineData("event-invocation", "0193c2d0b1a97c3e8f1e2d3c4b5a6978")]
    [InlineData("event-source-mapping", "5c1b3f0e-8d2a-4a56-9e7b-0f1d2c3b4a59")]
    public async Task A_damaged_Event_queue_or_mapping_document_gives_one_line_naming_it_and_a_non_zero_exit(string kind, string key)
    {
        string data = Path.Combine(_directory, "data");
        Directory.CreateDirectory(Path.Combine(data, "lambda"));
        using (SqliteConnection connection = new($"Data Source={Path.Combine(data, "lambda", "lambda.db")};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = $$"""
                CREATE TABLE documents(kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY(kind, key)) WITHOUT ROWID;
                INSERT INTO documents VALUES ('{{kind}}', '{{key}}', '{"FunctionName":"orders","Payl');
                """;
            command.ExecuteNonQuery();
        }

        string line = await RefusedAsync(data);
        Assert.Contains(Path.Combine(data, "lambda", "lambda.db") + $": the saved Lambda document '{kind}/{key}' cannot be read", line);
    }

    private async Task<string> RefusedAsync(string data)
    {
        using HandshakeProcess process = HandshakeProcess.Start(_directory, "up", "--port", "0", "--data-dir", data);
        Assert.Equal(1, await process.WaitForExitAsync());
        string line = Assert.Single((await process.StandardErrorAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("handshake: ", line);
        return line;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
