using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Handshake.Lambda.Tests;

/// <summary>
/// A bounded, deterministic fuzz of the Lambda API over raw HTTP (<see cref="ApiFuzzer"/>, fixed seeds): valid
/// requests for every control-plane operation and for the Invoke operations, mutated structurally. Every answer must be
/// a 2xx or a 4xx in Lambda's error shape (x-amzn-ErrorType, a JSON body with message and Type), never a 5xx, a dropped
/// connection or a hang; a refused request must change nothing; afterwards the host still serves valid calls.
/// The control plane runs on Kestrel beside the store (<see cref="StreamServer"/>), with no function process; Invoke
/// runs on the endpoint `up` has (the store's event loop first), against a Node.js function that echoes its event.
/// What it found is in <see cref="FuzzFindingsTests"/>.
/// </summary>
public sealed class ControlPlaneFuzzTests
{
    private const int ControlPlaneSeed = 20261129;
    private const int ControlPlaneRequests = 1500;
    private const int InvokeSeed = 11292026;
    private const int InvokeRequests = 600;
    private const string Role = "arn:aws:iam::000000000000:role/lambda";
    private const string Arn = "arn:aws:lambda:us-east-1:000000000000:function:";

    private static FuzzSeed[] ControlPlaneSeeds(string zip, string stream) =>
    [
        new(HttpMethod.Post, "/2015-03-31/functions", Body: $$"""
            {"FunctionName":"made","Runtime":"provided.al2023","Role":"{{Role}}","Handler":"function.handler","Code":{"ZipFile":"{{zip}}"},
             "Timeout":5,"MemorySize":128,"Description":"d","Publish":false,"Architectures":["x86_64"],"Environment":{"Variables":{"A":"b"} },
             "Tags":{"team":"a"},"EphemeralStorage":{"Size":512},"TracingConfig":{"Mode":"PassThrough"},"LoggingConfig":{"LogFormat":"Text"} }
            """),
        new(HttpMethod.Get, "/2015-03-31/functions", "?MaxItems=10"),
        new(HttpMethod.Get, "/2015-03-31/functions/{fn}"),
        new(HttpMethod.Get, "/2015-03-31/functions/{fn}/configuration", "?Qualifier=$LATEST"),
        new(HttpMethod.Put, "/2015-03-31/functions/{fn}/configuration", Body: """
            {"Description":"d","Timeout":5,"MemorySize":256,"Handler":"function.handler","Role":"arn:aws:iam::000000000000:role/lambda",
             "Environment":{"Variables":{"A":"b"}},"EphemeralStorage":{"Size":1024},"TracingConfig":{"Mode":"Active"},"Layers":[]}
            """),
        new(HttpMethod.Put, "/2015-03-31/functions/{fn}/code", Body: $$"""{"ZipFile":"{{zip}}","Publish":false,"Architectures":["x86_64"]}"""),
        new(HttpMethod.Post, "/2015-03-31/functions/{fn}/versions", Body: """{"Description":"v"}"""),
        new(HttpMethod.Get, "/2015-03-31/functions/{fn}/versions", "?MaxItems=5"),
        new(HttpMethod.Post, "/2015-03-31/functions/{fn}/aliases", Body: """{"Name":"a1","FunctionVersion":"$LATEST","Description":"x"}"""),
        new(HttpMethod.Get, "/2015-03-31/functions/{fn}/aliases", "?FunctionVersion=$LATEST"),
        new(HttpMethod.Get, "/2015-03-31/functions/{fn}/aliases/live"),
        new(HttpMethod.Put, "/2015-03-31/functions/{fn}/aliases/live", Body: """{"FunctionVersion":"$LATEST","Description":"d","RoutingConfig":{"AdditionalVersionWeights":{}}}"""),
        new(HttpMethod.Delete, "/2015-03-31/functions/{fn}/aliases/a1"),
        // The whole function is deleted only by name, never by a mutated path, which would end the run's subject.
        new(HttpMethod.Delete, "/2015-03-31/functions/made"),
        new(HttpMethod.Delete, "/2015-03-31/functions/{fn}", "?Qualifier=1"),
        new(HttpMethod.Post, "/2015-03-31/functions/{fn}/policy", Body: """
            {"StatementId":"s1","Action":"lambda:InvokeFunction","Principal":"s3.amazonaws.com","SourceArn":"arn:aws:s3:::b","SourceAccount":"000000000000"}
            """),
        new(HttpMethod.Get, "/2015-03-31/functions/{fn}/policy"),
        new(HttpMethod.Delete, "/2015-03-31/functions/{fn}/policy/s1"),
        new(HttpMethod.Put, "/2017-10-31/functions/{fn}/concurrency", Body: """{"ReservedConcurrentExecutions":5}"""),
        new(HttpMethod.Delete, "/2017-10-31/functions/{fn}/concurrency"),
        new(HttpMethod.Get, "/2019-09-30/functions/{fn}/concurrency"),
        new(HttpMethod.Get, "/2016-08-19/account-settings"),
        new(HttpMethod.Post, "/2017-03-31/tags/" + Arn + "{fn}", Body: """{"Tags":{"team":"b","env":"dev"}}"""),
        new(HttpMethod.Get, "/2017-03-31/tags/" + Arn + "{fn}"),
        new(HttpMethod.Delete, "/2017-03-31/tags/" + Arn + "{fn}", "?tagKeys=env"),
        new(HttpMethod.Post, "/2015-03-31/event-source-mappings/", Body: $$"""
            {"FunctionName":"fuzz","EventSourceArn":"{{stream}}","StartingPosition":"LATEST","BatchSize":10,
             "Enabled":false,"MaximumRetryAttempts":1,"FilterCriteria":{"Filters":[{"Pattern":"{\"eventName\":[\"INSERT\"]}"}]} }
            """),
        new(HttpMethod.Get, "/2015-03-31/event-source-mappings/", "?FunctionName=fuzz&MaxItems=5"),
        new(HttpMethod.Get, "/2015-03-31/event-source-mappings/{fn}"),
        new(HttpMethod.Put, "/2015-03-31/event-source-mappings/{fn}", Body: """{"BatchSize":5,"Enabled":false,"MaximumBatchingWindowInSeconds":1}"""),
        new(HttpMethod.Delete, "/2015-03-31/event-source-mappings/{fn}"),
        new(HttpMethod.Post, "/2021-10-31/functions/{fn}/url", Body: """{"AuthType":"NONE","Cors":{"AllowOrigins":["*"],"AllowMethods":["GET"],"MaxAge":60}}"""),
        new(HttpMethod.Get, "/2021-10-31/functions/{fn}/url"),
        new(HttpMethod.Put, "/2021-10-31/functions/{fn}/url", Body: """{"AuthType":"AWS_IAM","Cors":{"AllowCredentials":true}}"""),
        new(HttpMethod.Delete, "/2021-10-31/functions/{fn}/url"),
        new(HttpMethod.Get, "/2021-10-31/functions/{fn}/urls", "?MaxItems=2"),
        new(HttpMethod.Put, "/2019-09-25/functions/{fn}/event-invoke-config", Body: """
            {"MaximumRetryAttempts":1,"MaximumEventAgeInSeconds":600,"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:lambda:us-east-1:000000000000:function:echo"}}}
            """),
        new(HttpMethod.Post, "/2019-09-25/functions/{fn}/event-invoke-config", Body: """{"MaximumRetryAttempts":2}"""),
        new(HttpMethod.Get, "/2019-09-25/functions/{fn}/event-invoke-config"),
        new(HttpMethod.Delete, "/2019-09-25/functions/{fn}/event-invoke-config"),
        new(HttpMethod.Get, "/2019-09-25/functions/{fn}/event-invoke-config/list", "?MaxItems=3"),
        new(HttpMethod.Get, "/2020-06-30/functions/{fn}/code-signing-config"),
        new(HttpMethod.Put, "/2020-06-30/functions/{fn}/code-signing-config", Body: """{"CodeSigningConfigArn":"arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-0123456789abcdef0"}"""),
        new(HttpMethod.Delete, "/2020-06-30/functions/{fn}/code-signing-config"),
        new(HttpMethod.Patch, "/2015-03-31/functions/{fn}"),
    ];

    /// <summary>The Invoke operations, on a function that answers any event at once (<see cref="AddEcho"/>): every kind of invocation.</summary>
    private static readonly FuzzSeed[] InvokeSeeds =
    [
        new(HttpMethod.Post, "/2015-03-31/functions/{fn}/invocations", Body: """{"key":"value","n":[1,2],"o":{"p":true}}""", Headers: ("X-Amz-Invocation-Type", "RequestResponse")),
        new(HttpMethod.Post, "/2015-03-31/functions/{fn}/invocations", "?Qualifier=live", """{"key":"value"}""", ("X-Amz-Log-Type", "Tail"),
            ("X-Amz-Client-Context", Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"custom":{"a":"b"}}""")))),
        new(HttpMethod.Post, "/2015-03-31/functions/{fn}/invocations", Body: """{"key":"value"}""", Headers: ("X-Amz-Invocation-Type", "Event")),
        new(HttpMethod.Post, "/2015-03-31/functions/{fn}/invocations", Body: """["a",1]""", Headers: ("X-Amz-Invocation-Type", "DryRun")),
        new(HttpMethod.Post, "/2021-11-15/functions/{fn}/response-streaming-invocations", Body: """{"key":"value"}"""),
        new(HttpMethod.Post, "/2014-11-13/functions/{fn}/invoke-async/", Body: """{"key":"value"}"""),
    ];

    [Fact]
    public async Task Mutated_control_plane_requests_get_a_2xx_or_Lambdas_4xx_and_a_refused_one_changes_nothing()
    {
        // With the store beside the host, as `up` has it, so that event source mappings can be made on a real stream
        // (its table gets no writes: no mapping ever invokes).
        await using StreamServer server = await StreamServer.StartAsync();
        string stream = await server.CreateTableAsync("fuzzed");
        server.Test.AddBash("fuzz", timeout: 5);
        AddEcho(server.Test);
        using HttpClient http = new() { BaseAddress = server.Endpoint, Timeout = TestHost.Wait };
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/2015-03-31/functions/fuzz/aliases", Json("""{"Name":"live","FunctionVersion":"$LATEST"}"""))).StatusCode);
        HttpResponseMessage mapping = await http.PostAsync("/2015-03-31/event-source-mappings/", Json($$"""
            {"FunctionName":"fuzz","EventSourceArn":"{{stream}}","StartingPosition":"LATEST","Enabled":false}
            """));
        Assert.Equal(HttpStatusCode.Accepted, mapping.StatusCode);
        string uuid = JsonDocument.Parse(await mapping.Content.ReadAsStringAsync()).RootElement.GetProperty("UUID").GetString()!;

        FuzzSeed[] seeds = ControlPlaneSeeds(Convert.ToBase64String(FunctionZip.BashRuntime()), stream);
        ApiFuzzer fuzzer = new(ControlPlaneSeed);
        Random pick = new(ControlPlaneSeed);
        List<FuzzRequest> requests = [];
        for (int i = 0; i < ControlPlaneRequests; i++)
        {
            FuzzSeed seed = seeds[pick.Next(seeds.Length)];
            // The event source mapping seeds' {fn} is the mapping's UUID.
            requests.Add(fuzzer.Next(seed, seed.Path.StartsWith("/2015-03-31/event-source-mappings/{fn}", StringComparison.Ordinal) ? uuid : "fuzz", invoke: false));
        }

        // A refused request (4xx) must leave the state as it was: compared after each one that could change it.
        string state = await StateAsync(http);
        var (findings, elapsed, statuses) = await ApiFuzzer.RunAsync(http, server.Endpoint, requests, static (_, answer) => ApiFuzzer.CheckLambdaAnswer(answer),
            async (request, answer) =>
            {
                if (request.Method == HttpMethod.Get)
                {
                    return null;
                }

                string now = await StateAsync(http);
                string? finding = answer.Status >= 400 && now != state ? "refused, but the state changed" : null;
                state = now;
                return finding;
            });

        Assert.True(findings.Count == 0, $"{findings.Count} findings in {elapsed.TotalSeconds:F1} s:\n" + string.Join("\n", findings.Take(40)));
        Assert.True(statuses.Keys.Any(s => s < 300) && statuses.Keys.Any(s => s >= 400), string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));

        // Still served, and consistent: the list parses and names both functions; a valid update is taken and read back.
        JsonElement list = JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/functions")).RootElement;
        string[] names = [.. list.GetProperty("Functions").EnumerateArray().Select(f => f.GetProperty("FunctionName").GetString()!)];
        Assert.Contains("fuzz", names);
        Assert.Contains("echo", names);
        using HttpRequestMessage update = new(HttpMethod.Put, "/2015-03-31/functions/fuzz/configuration") { Content = Json("""{"Description":"after the fuzz"}""") };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(update)).StatusCode);
        JsonElement configuration = JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/functions/fuzz/configuration")).RootElement;
        Assert.Equal("after the fuzz", configuration.GetProperty("Description").GetString());
        JsonDocument.Parse(await http.GetStringAsync("/2016-08-19/account-settings"));
        JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/event-source-mappings/"));
        await AssertEchoServesAsync(http);
    }

    [Fact]
    public async Task Mutated_invoke_requests_get_an_answer_or_Lambdas_4xx_and_never_hang()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddEcho(server.Test);
        using HttpClient http = server.Client();
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/2015-03-31/functions/echo/aliases", Json("""{"Name":"live","FunctionVersion":"$LATEST"}"""))).StatusCode);

        ApiFuzzer fuzzer = new(InvokeSeed);
        Random pick = new(InvokeSeed);
        List<FuzzRequest> requests = [];
        for (int i = 0; i < InvokeRequests; i++)
        {
            requests.Add(fuzzer.Next(InvokeSeeds[pick.Next(InvokeSeeds.Length)], "echo", invoke: true));
        }

        var (findings, elapsed, statuses) = await ApiFuzzer.RunAsync(http, server.Endpoint, requests, static (request, answer) =>
            // Lambda refuses a payload its parser (Jackson) cannot decode, whatever the invocation type.
            answer.Status < 300 && request.Body is { } body && JacksonRefuses(body) ? "a payload that is not UTF-8 was taken"
            // InvokeWithResponseStream's 200 is an event stream, not JSON.
            : answer.Status == 200 && request.PathAndQuery.StartsWith("/2021-11-15/", StringComparison.Ordinal) ? null
            : ApiFuzzer.CheckLambdaAnswer(answer));

        Assert.True(findings.Count == 0, $"{findings.Count} findings in {elapsed.TotalSeconds:F1} s:\n" + string.Join("\n", findings.Take(40)));
        Assert.True(statuses.Keys.Any(s => s < 300) && statuses.Keys.Any(s => s >= 400), string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        await AssertEchoServesAsync(http);
    }

    /// <summary>
    /// The function the Invoke requests reach: the Node.js no-op sample, which answers its event as it came in a few
    /// milliseconds once warm (the bash runtime takes about 150 ms an invocation with its curl and jq, too slow for
    /// hundreds), with a timeout of 5 s.
    /// </summary>
    private static void AddEcho(TestHost test) =>
        test.Host.CreateFunction(new Functions.FunctionDefinition
        {
            Name = "echo",
            Runtime = "nodejs20.x",
            Handler = "index.handler",
            CodeDirectory = Repository.Path("samples", "noop-node"),
            Timeout = 5,
            Environment = new Dictionary<string, string> { ["HANDSHAKE_TEST_MARKER"] = test.Marker },
        });

    /// <summary>
    /// Bytes Jackson refuses as UTF-8 ("Invalid UTF-8 start byte" or "middle byte"): a start byte that is a continuation
    /// byte or 0xF8 and above, or a start byte not followed by its continuation bytes. Jackson decodes overlong and
    /// surrogate encodings without complaint, so those may be taken.
    /// </summary>
    private static bool JacksonRefuses(byte[] text)
    {
        for (int i = 0; i < text.Length;)
        {
            int length = text[i] < 0x80 ? 1 : text[i] >= 0xC0 && text[i] < 0xE0 ? 2 : text[i] >= 0xE0 && text[i] < 0xF0 ? 3 : text[i] >= 0xF0 && text[i] < 0xF8 ? 4 : 0;
            if (length == 0 || text.Skip(i + 1).Take(length - 1).Any(static b => b is < 0x80 or >= 0xC0))
            {
                return true;
            }

            i += length;
        }

        return false;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task AssertEchoServesAsync(HttpClient http)
    {
        HttpResponseMessage invoked = await http.PostAsync("/2015-03-31/functions/echo/invocations", Json("""{"after":"fuzz"}"""));
        Assert.Equal(HttpStatusCode.OK, invoked.StatusCode);
        Assert.Equal("""{"after":"fuzz"}""", await invoked.Content.ReadAsStringAsync());
    }

    /// <summary>Everything a control-plane request can change, as the API reads it (a missing resource reads as its 404).</summary>
    private static async Task<string> StateAsync(HttpClient http)
    {
        StringBuilder state = new();
        foreach (string path in (string[])
        [
            "/2015-03-31/functions", "/2015-03-31/functions/fuzz", "/2015-03-31/functions/fuzz/aliases", "/2015-03-31/functions/fuzz/versions",
            "/2015-03-31/functions/fuzz/policy", "/2021-10-31/functions/fuzz/urls", "/2019-09-25/functions/fuzz/event-invoke-config/list",
            "/2019-09-30/functions/fuzz/concurrency", "/2020-06-30/functions/fuzz/code-signing-config", "/2015-03-31/event-source-mappings/",
        ])
        {
            HttpResponseMessage response = await http.GetAsync(path);
            string body = await response.Content.ReadAsStringAsync();
            // A mapping's state and last result move on by themselves (Creating, Enabling, Enabled...).
            if (path.Contains("event-source-mappings", StringComparison.Ordinal))
            {
                JsonObject list = JsonNode.Parse(body)!.AsObject();
                foreach (JsonNode? mapping in list["EventSourceMappings"]!.AsArray())
                {
                    mapping!.AsObject().Remove("State");
                    mapping.AsObject().Remove("StateTransitionReason");
                    mapping.AsObject().Remove("LastProcessingResult");
                }

                body = list.ToJsonString();
            }

            // A 404's message is the same each time; a request id is not in bodies.
            state.Append(path).Append(' ').Append((int)response.StatusCode).Append(' ').AppendLine(body);
        }

        return state.ToString();
    }
}
