using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Handshake.Lambda.Persistence;
using Microsoft.Data.Sqlite;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The control plane across a restart of the host on the same data directory (DATA/lambda.db): the host gives the
/// same answers after as before (each read's body, as sent), and the functions run. Changes are made with the AWS CLI.
/// </summary>
public sealed partial class RestartTests : RestartTestBase
{
    /// <summary>
    /// Every read of the function's control-plane state, as the AWS CLI sends it (the command, and the request's path):
    /// read over HTTP, the answer's body as it was sent. The CLI's reading of these answers is tested where each
    /// operation is (ControlPlaneTests, VersionClientOracleTests, FunctionUrlTests, EventInvokeConfigClientTests,
    /// PermissionTests, FunctionTagsTests); here the point is that the host answers the same after a restart, and
    /// 38 CLI starts took most of the test's minute.
    /// </summary>
    private static readonly (string Read, string Path)[] Reads =
    [
        ("list-functions", "/2015-03-31/functions/"),
        ("get-function --function-name kept", "/2015-03-31/functions/kept"),
        ("get-function --function-name kept --qualifier live", "/2015-03-31/functions/kept?Qualifier=live"),
        ("get-function-configuration --function-name kept", "/2015-03-31/functions/kept/configuration"),
        ("get-function-configuration --function-name kept --qualifier 1", "/2015-03-31/functions/kept/configuration?Qualifier=1"),
        ("get-function-configuration --function-name kept --qualifier 2", "/2015-03-31/functions/kept/configuration?Qualifier=2"),
        ("list-versions-by-function --function-name kept", "/2015-03-31/functions/kept/versions"),
        ("list-aliases --function-name kept", "/2015-03-31/functions/kept/aliases"),
        ("get-alias --function-name kept --name live", "/2015-03-31/functions/kept/aliases/live"),
        ("get-function-url-config --function-name kept", "/2021-10-31/functions/kept/url"),
        ("get-function-url-config --function-name kept --qualifier live", "/2021-10-31/functions/kept/url?Qualifier=live"),
        ("list-function-url-configs --function-name kept", "/2021-10-31/functions/kept/urls"),
        ("get-function-event-invoke-config --function-name kept", "/2019-09-25/functions/kept/event-invoke-config"),
        ("get-function-event-invoke-config --function-name kept --qualifier live", "/2019-09-25/functions/kept/event-invoke-config?Qualifier=live"),
        ("list-function-event-invoke-configs --function-name kept", "/2019-09-25/functions/kept/event-invoke-config/list"),
        ("list-tags --resource " + Arn, "/2017-03-31/tags/" + Arn),
        ("get-policy --function-name kept", "/2015-03-31/functions/kept/policy"),
        ("get-policy --function-name kept --qualifier live", "/2015-03-31/functions/kept/policy?Qualifier=live"),
        ("get-function-concurrency --function-name kept", "/2019-09-30/functions/kept/concurrency"),
    ];

    [Fact]
    public async Task Every_control_plane_answer_is_the_same_after_a_restart_and_the_function_still_runs()
    {
        string marker = Guid.NewGuid().ToString("N");
        Dictionary<string, string> before;
        string zip = WriteZip(FunctionZip.BashRuntime());
        string zip2 = WriteZip(FunctionZip.BashRuntime("version-2.txt"));
        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            Cli cli = new(server);
            // The changes one after another in one CLI process (Cli.OkBatchAsync): the test is about what is kept.
            await cli.OkBatchAsync(
                ["create-function", "--function-name", "kept", "--runtime", "provided.al2023", "--handler", "function.handler",
                    "--role", "arn:aws:iam::000000000000:role/lambda", "--zip-file", "fileb://" + zip, "--timeout", "10", "--memory-size", "256",
                    "--description", "first", "--environment", $"Variables={{HANDSHAKE_TEST_MARKER={marker},COLOR=red}}", "--tags", "team=core,stage=dev"],
                ["publish-version", "--function-name", "kept", "--description", "one"],
                ["update-function-code", "--function-name", "kept", "--zip-file", "fileb://" + zip2],
                ["publish-version", "--function-name", "kept", "--description", "two"],
                // Version 3 is published and deleted: the next number after the restart is still 4.
                ["update-function-configuration", "--function-name", "kept", "--description", "third"],
                ["publish-version", "--function-name", "kept"],
                ["delete-function", "--function-name", "kept", "--qualifier", "3"],
                ["create-alias", "--function-name", "kept", "--name", "live", "--function-version", "1", "--description", "weighted",
                    "--routing-config", """{"AdditionalVersionWeights":{"2":0.25}}"""],
                ["create-function-url-config", "--function-name", "kept", "--auth-type", "NONE"],
                ["create-function-url-config", "--function-name", "kept", "--qualifier", "live", "--auth-type", "AWS_IAM",
                    "--cors", "AllowOrigins=https://example.com,AllowMethods=GET,MaxAge=60", "--invoke-mode", "RESPONSE_STREAM"],
                ["put-function-event-invoke-config", "--function-name", "kept", "--maximum-retry-attempts", "1"],
                ["put-function-event-invoke-config", "--function-name", "kept", "--qualifier", "live", "--maximum-event-age-in-seconds", "300"],
                ["add-permission", "--function-name", "kept", "--statement-id", "s3", "--action", "lambda:InvokeFunction",
                    "--principal", "s3.amazonaws.com", "--source-arn", "arn:aws:s3:::bucket"],
                ["add-permission", "--function-name", "kept", "--qualifier", "live", "--statement-id", "public",
                    "--action", "lambda:InvokeFunctionUrl", "--principal", "*", "--function-url-auth-type", "NONE"],
                ["put-function-concurrency", "--function-name", "kept", "--reserved-concurrent-executions", "5"]);
            before = await ReadAllAsync(server);
            Assert.Equal("red", (await cli.InvokeAsync("kept")).GetProperty("COLOR").GetString());
        }

        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            Cli cli = new(server);
            Dictionary<string, string> after = await ReadAllAsync(server);
            foreach ((string read, string answer) in before)
            {
                JsonAssertSame(read, answer, after[read]);
            }

            // The one read no other test makes with the AWS CLI: the CLI prints the reservation kept.
            Assert.Equal(5, JsonDocument.Parse(await cli.OkAsync("get-function-concurrency", "--function-name", "kept")).RootElement
                .GetProperty("ReservedConcurrentExecutions").GetInt32());

            // The function runs from the code unpacked before the restart, with its configuration.
            JsonElement latest = await cli.InvokeAsync("kept");
            Assert.Equal("red", latest.GetProperty("COLOR").GetString());
            Assert.True(File.Exists(Path.Combine(latest.GetProperty("LAMBDA_TASK_ROOT").GetString()!, "version-2.txt")));
            JsonElement one = await cli.InvokeAsync("kept", "1");
            Assert.False(File.Exists(Path.Combine(one.GetProperty("LAMBDA_TASK_ROOT").GetString()!, "version-2.txt")));

            // The URL is served at the same url-id.
            Uri url = new(JsonDocument.Parse(after["get-function-url-config --function-name kept"]).RootElement.GetProperty("FunctionUrl").GetString()!);
            using HttpClient http = server.Client();
            using HttpRequestMessage request = new(HttpMethod.Post, new Uri(server.Endpoint, "/"));
            request.Headers.Host = $"{url.Host}:{url.Port}";
            request.Content = new StringContent("{}");
            using HttpResponseMessage answered = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);

            // Version numbers go on from the last one given, not the last one left.
            await cli.OkAsync("update-function-configuration", "--function-name", "kept", "--description", "fourth");
            JsonElement published = JsonDocument.Parse(await cli.OkAsync("publish-version", "--function-name", "kept")).RootElement;
            Assert.Equal("4", published.GetProperty("Version").GetString());
        }
    }

    [Fact]
    public async Task A_deleted_function_is_gone_after_a_restart_and_its_name_starts_clean()
    {
        string marker = Guid.NewGuid().ToString("N");
        string zip = WriteZip(FunctionZip.BashRuntime());
        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            Cli cli = new(server);
            await cli.CreateAsync(zip, marker);
            await cli.OkAsync("publish-version", "--function-name", "kept");
            await cli.OkAsync("create-alias", "--function-name", "kept", "--name", "live", "--function-version", "1");
            await cli.OkAsync("tag-resource", "--resource", Arn, "--tags", "team=core");
            await cli.OkAsync("delete-function", "--function-name", "kept");
        }

        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            Cli cli = new(server);
            Assert.Contains("(ResourceNotFoundException) when calling the GetFunction operation: Function not found: " + Arn,
                (await cli.RunAsync("get-function", "--function-name", "kept")).Stderr);
            Assert.Empty(JsonDocument.Parse(await cli.OkAsync("list-functions")).RootElement.GetProperty("Functions").EnumerateArray());

            // A new function of the name has none of the old one's versions, aliases or tags.
            await cli.CreateAsync(zip, marker);
            Assert.Single(JsonDocument.Parse(await cli.OkAsync("list-versions-by-function", "--function-name", "kept")).RootElement.GetProperty("Versions").EnumerateArray());
            Assert.Empty(JsonDocument.Parse(await cli.OkAsync("list-aliases", "--function-name", "kept")).RootElement.GetProperty("Aliases").EnumerateArray());
            Assert.Empty(JsonDocument.Parse(await cli.OkAsync("list-tags", "--resource", Arn)).RootElement.GetProperty("Tags").EnumerateObject());
            Assert.Equal("1", JsonDocument.Parse(await cli.OkAsync("publish-version", "--function-name", "kept")).RootElement.GetProperty("Version").GetString());
        }
    }

    [Fact]
    public async Task An_updated_function_comes_back_with_its_new_code_configuration_and_revision()
    {
        string marker = Guid.NewGuid().ToString("N");
        string zip = WriteZip(FunctionZip.BashRuntime());
        string zip2 = WriteZip(FunctionZip.BashRuntime("version-2.txt"));
        JsonElement updated;
        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            Cli cli = new(server);
            JsonElement created = await cli.CreateAsync(zip, marker);
            await cli.OkAsync("update-function-code", "--function-name", "kept", "--zip-file", "fileb://" + zip2);
            updated = JsonDocument.Parse(await cli.OkAsync("update-function-configuration", "--function-name", "kept", "--timeout", "7",
                "--environment", $"Variables={{HANDSHAKE_TEST_MARKER={marker},COLOR=blue}}")).RootElement.Clone();
            Assert.NotEqual(created.GetProperty("RevisionId").GetString(), updated.GetProperty("RevisionId").GetString());
            Assert.NotEqual(created.GetProperty("CodeSha256").GetString(), updated.GetProperty("CodeSha256").GetString());
        }

        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            Cli cli = new(server);
            JsonElement configuration = JsonDocument.Parse(await cli.OkAsync("get-function-configuration", "--function-name", "kept")).RootElement;
            foreach (string member in (string[])["RevisionId", "CodeSha256", "LastModified"])
            {
                Assert.Equal(updated.GetProperty(member).GetString(), configuration.GetProperty(member).GetString());
            }

            Assert.Equal(updated.GetProperty("CodeSize").GetInt64(), configuration.GetProperty("CodeSize").GetInt64());
            Assert.Equal(7, configuration.GetProperty("Timeout").GetInt32());
            JsonElement invoked = await cli.InvokeAsync("kept");
            Assert.Equal("blue", invoked.GetProperty("COLOR").GetString());
            Assert.True(File.Exists(Path.Combine(invoked.GetProperty("LAMBDA_TASK_ROOT").GetString()!, "version-2.txt")));
        }
    }

    [Fact]
    public async Task A_change_that_cannot_be_saved_is_answered_ServiceException_and_not_made()
    {
        await using LambdaServer server = await LambdaServer.StartAsync(Options);
        string marker = server.Test.Marker;
        Cli cli = new(server, retries: false);
        string zip = WriteZip(FunctionZip.BashRuntime());
        await cli.CreateAsync(zip, marker);
        // Every later write to the state file fails, as a full disk would.
        StateFileFaults.RefuseWrites(Path.Combine(DataDirectory, LambdaStateDatabase.FileName));

        var tag = await cli.RunAsync("tag-resource", "--resource", Arn, "--tags", "team=core");
        Assert.Contains("An error occurred (ServiceException) when calling the TagResource operation", tag.Stderr);
        Assert.Empty(JsonDocument.Parse(await cli.OkAsync("list-tags", "--resource", Arn)).RootElement.GetProperty("Tags").EnumerateObject());

        var created = await cli.RunAsync("create-function", "--function-name", "other", "--runtime", "provided.al2023", "--handler", "h",
            "--role", "arn:aws:iam::000000000000:role/lambda", "--zip-file", "fileb://" + zip);
        Assert.Contains("(ServiceException) when calling the CreateFunction operation", created.Stderr);
        Assert.Contains("(ResourceNotFoundException)", (await cli.RunAsync("get-function", "--function-name", "other")).Stderr);

        var deleted = await cli.RunAsync("delete-function", "--function-name", "kept");
        Assert.Contains("(ServiceException) when calling the DeleteFunction operation", deleted.Stderr);
        await cli.OkAsync("get-function", "--function-name", "kept");
        Assert.Contains("(ServiceException) when calling the PublishVersion operation", (await cli.RunAsync("publish-version", "--function-name", "kept")).Stderr);
        Assert.Single(JsonDocument.Parse(await cli.OkAsync("list-versions-by-function", "--function-name", "kept")).RootElement.GetProperty("Versions").EnumerateArray());
    }

    [Fact]
    public async Task Publish_true_whose_version_cannot_be_saved_leaves_neither_the_change_nor_the_version()
    {
        string marker = Guid.NewGuid().ToString("N");
        string zip = WriteZip(FunctionZip.BashRuntime());
        string zip2 = WriteZip(FunctionZip.BashRuntime("version-2.txt"));
        JsonElement created;
        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            Cli cli = new(server, retries: false);
            created = await cli.CreateAsync(zip, marker);
            // Only a version's document is refused: the function's own write, were it a write of its own, would succeed.
            RefuseWrites("NEW.key LIKE '%/version/%'");

            var publishedCreate = await cli.RunAsync("create-function", "--function-name", "other", "--runtime", "provided.al2023", "--handler", "h",
                "--role", "arn:aws:iam::000000000000:role/lambda", "--zip-file", "fileb://" + zip, "--publish");
            Assert.Contains("(ServiceException) when calling the CreateFunction operation", publishedCreate.Stderr);
            Assert.Contains("(ResourceNotFoundException)", (await cli.RunAsync("get-function", "--function-name", "other")).Stderr);

            var publishedUpdate = await cli.RunAsync("update-function-code", "--function-name", "kept", "--zip-file", "fileb://" + zip2, "--publish");
            Assert.Contains("(ServiceException) when calling the UpdateFunctionCode operation", publishedUpdate.Stderr);
            JsonElement after = JsonDocument.Parse(await cli.OkAsync("get-function-configuration", "--function-name", "kept")).RootElement;
            Assert.Equal(created.GetProperty("CodeSha256").GetString(), after.GetProperty("CodeSha256").GetString());
            Assert.Equal(created.GetProperty("RevisionId").GetString(), after.GetProperty("RevisionId").GetString());
            Assert.Single(JsonDocument.Parse(await cli.OkAsync("list-versions-by-function", "--function-name", "kept")).RootElement.GetProperty("Versions").EnumerateArray());
        }

        // And the file agrees with what was answered.
        DropTriggers();
        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            Cli cli = new(server);
            Assert.Contains("(ResourceNotFoundException)", (await cli.RunAsync("get-function", "--function-name", "other")).Stderr);
            JsonElement restored = JsonDocument.Parse(await cli.OkAsync("get-function-configuration", "--function-name", "kept")).RootElement;
            Assert.Equal(created.GetProperty("CodeSha256").GetString(), restored.GetProperty("CodeSha256").GetString());
            Assert.Single(JsonDocument.Parse(await cli.OkAsync("list-versions-by-function", "--function-name", "kept")).RootElement.GetProperty("Versions").EnumerateArray());
            Assert.False(File.Exists(Path.Combine((await cli.InvokeAsync("kept")).GetProperty("LAMBDA_TASK_ROOT").GetString()!, "version-2.txt")));
        }
    }

    [Fact]
    public async Task Publish_true_saves_the_version_with_the_change_and_both_come_back()
    {
        string marker = Guid.NewGuid().ToString("N");
        string zip = WriteZip(FunctionZip.BashRuntime());
        string zip2 = WriteZip(FunctionZip.BashRuntime("version-2.txt"));
        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            Cli cli = new(server);
            JsonElement created = JsonDocument.Parse(await cli.OkAsync("create-function", "--function-name", "kept", "--runtime", "provided.al2023", "--handler", "function.handler",
                "--role", "arn:aws:iam::000000000000:role/lambda", "--zip-file", "fileb://" + zip, "--publish",
                "--environment", $"Variables={{HANDSHAKE_TEST_MARKER={marker},COLOR=red}}")).RootElement;
            Assert.Equal("1", created.GetProperty("Version").GetString());
            JsonElement updated = JsonDocument.Parse(await cli.OkAsync("update-function-code", "--function-name", "kept", "--zip-file", "fileb://" + zip2, "--publish")).RootElement;
            Assert.Equal("2", updated.GetProperty("Version").GetString());
        }

        await using (LambdaServer server = await LambdaServer.StartAsync(Options, marker: marker))
        {
            Cli cli = new(server);
            Assert.Equal(3, JsonDocument.Parse(await cli.OkAsync("list-versions-by-function", "--function-name", "kept")).RootElement.GetProperty("Versions").GetArrayLength());
            Assert.False(File.Exists(Path.Combine((await cli.InvokeAsync("kept", "1")).GetProperty("LAMBDA_TASK_ROOT").GetString()!, "version-2.txt")));
            Assert.True(File.Exists(Path.Combine((await cli.InvokeAsync("kept", "2")).GetProperty("LAMBDA_TASK_ROOT").GetString()!, "version-2.txt")));
            // Nothing changed since version 2: publishing answers it again.
            Assert.Equal("2", JsonDocument.Parse(await cli.OkAsync("publish-version", "--function-name", "kept")).RootElement.GetProperty("Version").GetString());
        }
    }

    [Fact]
    public async Task Reservations_above_a_lower_account_limit_are_kept_and_can_be_lowered_but_not_raised()
    {
        string marker = Guid.NewGuid().ToString("N");
        string zip = WriteZip(FunctionZip.BashRuntime());
        await using (LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { DataDirectory = DataDirectory, AccountConcurrencyLimit = 10 }, marker: marker))
        {
            Cli cli = new(server);
            await cli.CreateAsync(zip, marker, "first");
            await cli.CreateAsync(zip, marker, "second");
            await cli.OkAsync("put-function-concurrency", "--function-name", "first", "--reserved-concurrent-executions", "6");
            await cli.OkAsync("put-function-concurrency", "--function-name", "second", "--reserved-concurrent-executions", "4");
        }

        // The same data directory with a lower limit (as --account-concurrency, or fewer cores, would give): 6 + 4 > 6.
        await using (LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { DataDirectory = DataDirectory, AccountConcurrencyLimit = 6 }, marker: marker))
        {
            Cli cli = new(server);
            JsonElement limits = JsonDocument.Parse(await cli.OkAsync("get-account-settings")).RootElement.GetProperty("AccountLimit");
            Assert.Equal(6, limits.GetProperty("ConcurrentExecutions").GetInt32());
            Assert.Equal(0, limits.GetProperty("UnreservedConcurrentExecutions").GetInt32());
            Assert.Equal(6, JsonDocument.Parse(await cli.OkAsync("get-function-concurrency", "--function-name", "first")).RootElement.GetProperty("ReservedConcurrentExecutions").GetInt32());

            // Raising is refused while the account is over; lowering (even if still over) is how the user makes it fit.
            Assert.Contains("(InvalidParameterValueException)", (await cli.RunAsync("put-function-concurrency", "--function-name", "second", "--reserved-concurrent-executions", "5")).Stderr);
            await cli.OkAsync("put-function-concurrency", "--function-name", "first", "--reserved-concurrent-executions", "4");
            await cli.OkAsync("put-function-concurrency", "--function-name", "second", "--reserved-concurrent-executions", "2");
            limits = JsonDocument.Parse(await cli.OkAsync("get-account-settings")).RootElement.GetProperty("AccountLimit");
            Assert.Equal(0, limits.GetProperty("UnreservedConcurrentExecutions").GetInt32());
            await cli.OkAsync("delete-function-concurrency", "--function-name", "second");
            limits = JsonDocument.Parse(await cli.OkAsync("get-account-settings")).RootElement.GetProperty("AccountLimit");
            Assert.Equal(2, limits.GetProperty("UnreservedConcurrentExecutions").GetInt32());
            Assert.Equal("red", (await cli.InvokeAsync("first")).GetProperty("COLOR").GetString());
        }
    }

    [Fact]
    public void A_damaged_document_stops_the_host_with_the_file_and_the_document_named()
    {
        using (LambdaStateDatabase state = new(DataDirectory))
        {
            state.Put(FunctionDocuments.Kind, "broken/configuration", "{\"FunctionName\":");
        }

        LambdaStateException refused = Assert.Throws<LambdaStateException>(() => new FunctionHost(Options));
        Assert.Contains(Path.Combine(DataDirectory, LambdaStateDatabase.FileName), refused.Message);
        Assert.Contains("'function/broken/configuration'", refused.Message);
    }

    [Theory]
    [InlineData("broken/alias/live", """{"Name":"live","FunctionVersion":"1","RevisionId":"r","RoutingConfig":{"AdditionalVersionWeights":{"2":null}}}""")]
    [InlineData("broken/tags", """{"Tags":{"team":null}}""")]
    [InlineData("broken/url/$LATEST", """{"UrlId":"u","AuthType":"NONE","CreationTime":"2026-01-01T00:00:00Z","LastModifiedTime":"2026-01-01T00:00:00Z","Cors":{"AllowOrigins":[null]}}""")]
    public void A_document_with_null_where_a_value_belongs_is_damaged(string key, string body)
    {
        using (LambdaStateDatabase state = new(DataDirectory))
        {
            state.Put(FunctionDocuments.Kind, key, body);
        }

        LambdaStateException refused = Assert.Throws<LambdaStateException>(() => new FunctionHost(Options));
        Assert.Contains($"'function/{key}'", refused.Message);
    }

    [Fact]
    public void A_configuration_with_a_null_environment_variable_is_damaged()
    {
        string configuration = """
            {"FunctionName":"broken","Runtime":"provided.al2023","CodeSize":1,"Timeout":3,"MemorySize":128,
             "LastModified":"2026-01-01T00:00:00Z","CodeSha256":"x","Version":"$LATEST","RevisionId":"r",
             "CodeDirectory":"functions/broken/x","Environment":{"Variables":{"COLOR":null}}}
            """;
        using (LambdaStateDatabase state = new(DataDirectory))
        {
            state.Put(FunctionDocuments.Kind, "broken/configuration", configuration);
        }

        LambdaStateException refused = Assert.Throws<LambdaStateException>(() => new FunctionHost(Options));
        Assert.Contains("'function/broken/configuration'", refused.Message);
    }

    /// <summary>The later writes to the state file that match <paramref name="when"/> (SQL on NEW) fail, as a full disk would; deletes still work.</summary>
    private void RefuseWrites(string when) =>
        StateFileFaults.RefuseWrites(Path.Combine(DataDirectory, LambdaStateDatabase.FileName), when, deletes: false);

    private void DropTriggers()
    {
        using SqliteConnection connection = new($"Data Source={Path.Combine(DataDirectory, LambdaStateDatabase.FileName)};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "DROP TRIGGER IF EXISTS refuse_insert; DROP TRIGGER IF EXISTS refuse_update; DROP TRIGGER IF EXISTS refuse_delete;";
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task UntagResource_removes_from_memory_the_keys_it_saved_removed()
    {
        IReadOnlyDictionary<string, string> answered;
        await using (TestHost test = TestHost.Start(Options))
        {
            test.AddBash("f");
            test.Host.TagFunction("f", new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" });
            // A sequence that answers differently each time it is enumerated: the keys are taken once.
            int enumerations = 0;
            IEnumerable<string> Keys()
            {
                enumerations++;
                yield return enumerations == 1 ? "a" : "b";
            }

            test.Host.UntagFunction("f", Keys());
            answered = test.Host.ListTags("f");
        }

        await using TestHost restarted = TestHost.Start(Options);
        Assert.Equal(["b"], answered.Keys);
        Assert.Equal(answered, restarted.Host.ListTags("f"));
    }

    /// <summary>Each read's answer (200, its body as sent), by the CLI command that sends it.</summary>
    private static async Task<Dictionary<string, string>> ReadAllAsync(LambdaServer server)
    {
        using HttpClient http = server.Client();
        Dictionary<string, string> answers = [];
        foreach ((string read, string path) in Reads)
        {
            using HttpResponseMessage response = await http.GetAsync(path);
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{read} (GET {path}): {(int)response.StatusCode} {body}");
            answers[read] = body;
        }

        return answers;
    }

    /// <summary>The same JSON, but for the port in a function URL (a test server listens on a new port each start; `up` keeps its port).</summary>
    private static void JsonAssertSame(string read, string before, string after)
    {
        string Normalize(string json) => LocalhostPort().Replace(json, ".localhost:PORT/");
        Assert.True(Normalize(before) == Normalize(after), $"{read}\nbefore: {before}\nafter:  {after}");
    }

    [GeneratedRegex(@"\.localhost:\d+/")]
    private static partial Regex LocalhostPort();
}
