using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// FilterCriteria through the official clients: the AWS CLI's --filter-criteria and @aws-sdk/client-lambda. The
/// answers echo the filters as set (and have none for a mapping never given any); an update with <c>{}</c> or
/// <c>{"Filters": []}</c> clears them; invalid patterns, too many filters and too long a pattern get Lambda's errors.
/// </summary>
public sealed class EventSourceMappingFilterClientTests
{
    private const string Inserts = """{"eventName": ["INSERT"]}""";

    private const string Keep = """{"dynamodb": {"NewImage": {"value": {"S": [{"prefix": "keep"}]}}}}""";

    [Fact]
    public async Task The_AWS_CLI_creates_reads_and_clears_a_mappings_filters_and_gets_Lambdas_error_for_a_bad_pattern()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("orders");
        server.AddRecorder("recorder");
        Dictionary<string, string> environment = Repository.AwsEnvironment(server.Endpoint);
        string endpoint = server.Endpoint.ToString();
        string criteria = JsonSerializer.Serialize(new { Filters = new[] { new { Pattern = Inserts }, new { Pattern = Keep } } });

        var refused = await AwsCli.RunAsync(["lambda", "create-event-source-mapping", "--endpoint-url", endpoint,
            "--function-name", "recorder", "--event-source-arn", streamArn, "--starting-position", "LATEST",
            "--filter-criteria", """{"Filters": [{"Pattern": "{\"eventName\": \"INSERT\"}"}]}"""], environment);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("An error occurred (InvalidParameterValueException) when calling the CreateEventSourceMapping operation: Invalid filter pattern definition.", refused.Stderr);

        JsonElement created = await CliAsync(environment, "create-event-source-mapping", "--endpoint-url", endpoint,
            "--function-name", "recorder", "--event-source-arn", streamArn, "--starting-position", "TRIM_HORIZON", "--filter-criteria", criteria);
        string uuid = created.GetProperty("UUID").GetString()!;
        Assert.Equal([Inserts, Keep], Patterns(created));
        Assert.Equal([Inserts, Keep], Patterns(await CliAsync(environment, "get-event-source-mapping", "--endpoint-url", endpoint, "--uuid", uuid)));
        JsonElement listed = await CliAsync(environment, "list-event-source-mappings", "--endpoint-url", endpoint, "--function-name", "recorder");
        Assert.Equal([Inserts, Keep], Patterns(listed.GetProperty("EventSourceMappings")[0]));

        // The filters work: an insert arrives, a modification (not INSERT, value not "keep...") does not.
        await server.PutAsync("orders", "a", "one");
        await server.PutAsync("orders", "a", "two");
        await server.PutAsync("orders", "b", "three");
        List<List<string>> batches = await StreamServer.WaitUntilAsync(() => server.Batches("recorder"), b => b.Sum(x => x.Count) >= 2);
        Assert.Equal(["a", "b"], batches.SelectMany(b => b));
        Assert.All(server.Events("recorder").SelectMany(e => e.GetProperty("Records").EnumerateArray()),
            r => Assert.Equal("INSERT", r.GetProperty("eventName").GetString()));

        JsonElement cleared = await CliAsync(environment, "update-event-source-mapping", "--endpoint-url", endpoint, "--uuid", uuid, "--filter-criteria", "{}");
        Assert.Equal(JsonValueKind.Object, cleared.GetProperty("FilterCriteria").ValueKind);
        Assert.False(cleared.GetProperty("FilterCriteria").TryGetProperty("Filters", out _));
        await server.PutAsync("orders", "a", "four");
        List<JsonElement> records = await StreamServer.WaitUntilAsync(
            () => server.Events("recorder").SelectMany(e => e.GetProperty("Records").EnumerateArray()).ToList(), r => r.Count >= 3);
        Assert.Equal(["INSERT", "INSERT", "MODIFY"], records.Select(r => r.GetProperty("eventName").GetString()));
    }

    [Fact]
    public async Task The_Node_SDK_gets_the_filters_echoed_and_Lambdas_errors_for_refused_ones()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string streamArn = await server.CreateTableAsync("things");
        server.AddRecorder("recorder");
        server.AddRecorder("plain");
        string script = Path.Combine(AppContext.BaseDirectory, "node", "esm-filter-client.cjs");
        var run = await Repository.RunAsync("node", [script, streamArn], Repository.AwsEnvironment(server.Endpoint));
        Assert.True(run.ExitCode == 0, run.Stderr);
        JsonElement result = JsonDocument.Parse(run.Stdout).RootElement;

        void Refused(string name, string type, string message)
        {
            JsonElement error = result.GetProperty(name);
            Assert.Equal(type, error.GetProperty("name").GetString());
            Assert.Equal(message, error.GetProperty("message").GetString());
            Assert.Equal(400, error.GetProperty("status").GetInt32());
        }

        Refused("notJson", "InvalidParameterValueException", "Invalid filter pattern definition.");
        Refused("bareValue", "InvalidParameterValueException", "Invalid filter pattern definition.");
        Refused("wildcard", "InvalidParameterValueException", "Invalid filter pattern definition.");
        Refused("noPattern", "InvalidParameterValueException", "Invalid filter pattern definition.");
        Refused("tooMany", "InvalidParameterValueException", "The number of filters (6) exceeds the quota of 5 filters per event source mapping.");
        string tooLong = $"{{\"eventName\": [\"{new string('x', 4096)}\"]}}";
        Refused("tooLong", "ValidationException", $"1 validation error detected: Value '{tooLong}' at 'filterCriteria.filters.1.member.pattern' failed to satisfy constraint: Member must have length less than or equal to 4096");
        Assert.Equal(0, result.GetProperty("listedAfterRefusals").GetInt32());

        Assert.Equal([Inserts, Keep], Patterns(result.GetProperty("created")));
        Assert.Equal([Inserts, Keep], Patterns(result.GetProperty("got")));
        Assert.Equal([Inserts, Keep], Patterns(result.GetProperty("listed")[0]));
        Refused("updateInvalid", "InvalidParameterValueException", "Invalid filter pattern definition.");
        Assert.Equal([Inserts, Keep], FilterPatterns(result.GetProperty("afterRefusedUpdate")));
        Assert.Equal([Inserts, Keep], FilterPatterns(result.GetProperty("kept")));
        Assert.Equal("{}", result.GetProperty("clearedEmpty").GetRawText());
        Assert.Equal([Keep], FilterPatterns(result.GetProperty("set")));
        Assert.Equal("""{"Filters":[]}""", result.GetProperty("clearedList").GetRawText());
        Assert.Equal("Deleting", result.GetProperty("deleted").GetProperty("State").GetString());
        Assert.Equal("""{"Filters":[]}""", result.GetProperty("deleted").GetProperty("FilterCriteria").GetRawText());
        Assert.False(result.GetProperty("plainHasFilterCriteria").GetBoolean());
    }

    private static List<string> Patterns(JsonElement mapping) => FilterPatterns(mapping.GetProperty("FilterCriteria"));

    private static List<string> FilterPatterns(JsonElement criteria) =>
        criteria.GetProperty("Filters").EnumerateArray().Select(f => f.GetProperty("Pattern").GetString()!).ToList();

    private static async Task<JsonElement> CliAsync(Dictionary<string, string> environment, string operation, params string[] arguments)
    {
        var run = await AwsCli.RunAsync(["lambda", operation, .. arguments], environment);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonDocument.Parse(run.Stdout).RootElement.Clone();
    }
}
