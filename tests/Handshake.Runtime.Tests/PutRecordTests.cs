using System.Text.Json;
using Handshake.Runtime.Tests.Fakes;

namespace Handshake.Runtime.Tests;

/// <summary>
/// The seed's put-record function in each SDK mode, as a real child process on the fake Runtime API, writing to a
/// DynamoDB-shaped endpoint that counts TCP connections. Counts only: one PutItem per invocation, and connections per
/// mode (1 with reuse, one per invocation without).
/// </summary>
public sealed class PutRecordTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The first invocation also waits for the process to start, JIT the AWS SDK and build its client: a few seconds of
    /// CPU, which the full suite on 2 cores (load averages of 15-20 when several runs overlap) stretched past 60 s twice.
    /// A bound against a hang, not a timing.
    /// </summary>
    private static readonly TimeSpan ColdTimeout = TimeSpan.FromSeconds(180);
    private const int Invocations = 8;

    private static Dictionary<string, string> StoreEnvironment(FakeDynamoEndpoint store, params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = store.Endpoint.ToString(),
            ["AWS_ENDPOINT_URL_DYNAMODB"] = store.Endpoint.ToString(),
            ["AWS_REGION"] = "us-east-1",
            ["AWS_DEFAULT_REGION"] = "us-east-1",
            ["AWS_ACCESS_KEY_ID"] = "AKIDPUTRECORDTEST",
            ["AWS_SECRET_ACCESS_KEY"] = "secret",
            ["AWS_SESSION_TOKEN"] = "token",
            // Empty is "unset" for aws-sdk v2, which only honours the exact string "1"; never inherit the test's own.
            ["AWS_NODEJS_CONNECTION_REUSE_ENABLED"] = string.Empty,
        };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        return environment;
    }

    private static async Task InvokeAndCheckRecordsAsync(FakeRuntimeApi api, FakeDynamoEndpoint store, FunctionProcess function, string tableName)
    {
        var ids = new HashSet<string>();
        for (var i = 0; i < Invocations; i++)
        {
            RuntimeOutcome outcome;
            var timeout = i == 0 ? ColdTimeout : Timeout;
            try
            {
                outcome = await api.InvokeAsync($$"""{"invocation":{{i}},"note":"seed"}""").WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                // Say where it stopped and what the function printed.
                Assert.Fail($"invocation {i} not answered in {timeout.TotalSeconds} s; /next calls {api.NextCalls}, " +
                    $"store requests {store.Requests.Count}, store connections {store.Connections}, " +
                    $"function exited: {function.HasExited}\nthreads:\n{(function.HasExited ? "" : function.Threads())}output:\n{function.Output}");
                throw;
            }

            Assert.False(outcome.IsError, $"{outcome.Body}\n{function.Output}");
            using var json = JsonDocument.Parse(outcome.Body);
            Assert.True(ids.Add(json.RootElement.GetProperty("id").GetString()!));
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("timestamp").GetString()));
        }

        var requests = store.Requests.ToArray();
        Assert.Equal(Invocations, requests.Length);
        for (var i = 0; i < requests.Length; i++)
        {
            Assert.Equal("DynamoDB_20120810.PutItem", requests[i].Target);
            using var body = JsonDocument.Parse(requests[i].Body);
            Assert.Equal(tableName, body.RootElement.GetProperty("TableName").GetString());
            var item = body.RootElement.GetProperty("Item");
            Assert.Contains(item.GetProperty("id").GetProperty("S").GetString()!, ids);
            Assert.False(string.IsNullOrEmpty(item.GetProperty("timestamp").GetProperty("S").GetString()));
            using var payload = JsonDocument.Parse(item.GetProperty("payload").GetProperty("S").GetString()!);
            Assert.Equal(i, payload.RootElement.GetProperty("invocation").GetInt32());
        }
    }

    [Fact]
    public async Task Dotnet_mode_writes_one_record_per_invocation_on_one_connection()
    {
        await using var store = await FakeDynamoEndpoint.StartAsync();
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.PutRecordDll, "PutRecord", StoreEnvironment(store));

        await InvokeAndCheckRecordsAsync(api, store, function, "records");

        Assert.Equal(1, store.Connections);
    }

    [Fact]
    public async Task Dotnet_no_reuse_mode_opens_one_connection_per_invocation()
    {
        await using var store = await FakeDynamoEndpoint.StartAsync();
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.PutRecordDll, "PutRecord",
            StoreEnvironment(store, ("HANDSHAKE_CLIENT_PER_INVOCATION", "1"), ("TABLE_NAME", "seed-records")));

        await InvokeAndCheckRecordsAsync(api, store, function, "seed-records");

        Assert.Equal(Invocations, store.Connections);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    public async Task Dotnet_modes_answer_when_the_store_answer_arrives_in_two_pieces(string perInvocation)
    {
        await using var store = await FakeDynamoEndpoint.StartAsync();
        store.SplitAnswerDelay = TimeSpan.FromMilliseconds(50);
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.PutRecordDll, "PutRecord",
            StoreEnvironment(store, ("HANDSHAKE_CLIENT_PER_INVOCATION", perInvocation)));

        await InvokeAndCheckRecordsAsync(api, store, function, "records");

        Assert.Equal(perInvocation == "1" ? Invocations : 1, store.Connections);
    }

    [Fact]
    public async Task Dotnet_with_the_pooled_factory_reports_its_connections()
    {
        await using var store = await FakeDynamoEndpoint.StartAsync();
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartDotnet(api, Functions.PutRecordDll, "PutRecord",
            StoreEnvironment(store, ("HANDSHAKE_POOL_IDLE_TIMEOUT_SECONDS", "30")));

        await InvokeAndCheckRecordsAsync(api, store, function, "records");

        Assert.Equal(1, store.Connections);
        Assert.Contains("connections opened by this environment: 1", function.Output);
        Assert.DoesNotContain("connections opened by this environment: 2", function.Output);
    }

    [Theory]
    [InlineData("v2.handler", "", Invocations)]
    [InlineData("v2.handler", "1", 1)]
    [InlineData("v3.handler", "", 1)]
    public async Task Node_modes_open_the_connections_the_seed_describes(string handler, string reuse, int expectedConnections)
    {
        Assert.True(Directory.Exists(Path.Combine(Functions.PutRecordNodeDirectory, "node_modules")),
            "samples/put-record-node/node_modules is missing: run `npm ci` there (scripts/test.sh does)");
        await using var store = await FakeDynamoEndpoint.StartAsync();
        await using var api = await FakeRuntimeApi.StartAsync();
        await using var function = Functions.StartNode(api, handler, Functions.PutRecordNodeDirectory,
            StoreEnvironment(store, ("AWS_NODEJS_CONNECTION_REUSE_ENABLED", reuse)));

        await InvokeAndCheckRecordsAsync(api, store, function, "records");

        Assert.Equal(expectedConnections, store.Connections);
    }
}
