using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The CloudWatch Logs API on `handshake up`'s endpoint, with the official clients as oracles: boto3's logs client
/// (tests/clients/logs_boto3.py) and the AWS CLI v1 read a function's log group after real invocations of the bash
/// sample, so the log holds real START/END/REPORT lines. Counts and shapes are asserted, never times.
/// </summary>
public sealed partial class CloudWatchLogsApiTests
{
    [Fact]
    public async Task Boto3_reads_a_functions_log_group_streams_and_events_as_from_CloudWatch()
    {
        await using UpProcess up = await UpProcess.StartAsync(["--in-memory"]);
        // Every answer, the Lambda calls' included, as botocore's models of the two services have it (model_audit.py).
        JsonElement o = await up.RunBoto3Async("logs_boto3.py", "bash", "3", "zeta");
        string[] requestIds = [.. o.GetProperty("requestIds").EnumerateArray().Select(e => e.GetString()!)];

        // DescribeLogGroups: one group per function that logged, in name order, with CloudWatch's fields.
        JsonElement[] groups = [.. o.GetProperty("groups").EnumerateArray()];
        Assert.Equal(["/aws/lambda/bash", "/aws/lambda/zeta"], groups.Select(g => g.GetProperty("logGroupName").GetString()));
        JsonElement group = groups[0];
        Assert.Equal("/aws/lambda/bash", group.GetProperty("logGroupName").GetString());
        Assert.Equal("arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/bash:*", group.GetProperty("arn").GetString());
        Assert.Equal("arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/bash", group.GetProperty("logGroupArn").GetString());
        Assert.Equal(0, group.GetProperty("metricFilterCount").GetInt32());
        Assert.Equal("STANDARD", group.GetProperty("logGroupClass").GetString());
        Assert.True(group.GetProperty("hasCreationTime").GetBoolean());
        Assert.True(group.GetProperty("storedBytes>0").GetBoolean());
        Assert.Equal(["/aws/lambda/bash"], Names(o, "groupsByPrefix"));
        // boto3's paginator, one group a page: the token (the last name) resumes after it; the last page has none.
        Assert.Equal("/aws/lambda/bash|/aws/lambda/zeta",
            string.Join("|", o.GetProperty("groupsPaged").EnumerateArray().Select(page => string.Join(",", page.EnumerateArray().Select(g => g.GetString())))));
        Assert.Empty(Names(o, "groupsByOtherPrefix"));
        Assert.Equal(["/aws/lambda/bash"], Names(o, "groupsByPattern"));
        Assert.Empty(Names(o, "groupsByUpperPattern")); // the pattern is a case-sensitive substring
        AssertError(o, "groupsLimit51", "InvalidParameterException",
            "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50");
        AssertError(o, "groupsPrefixAndPattern", "InvalidParameterException", "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");

        // DescribeLogStreams: the one environment's stream, named as Lambda names it.
        JsonElement stream = Assert.Single(o.GetProperty("streams").EnumerateArray());
        string streamName = stream.GetProperty("logStreamName").GetString()!;
        Assert.Matches(@"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$", streamName);
        Assert.Equal("arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/bash:log-stream:" + streamName, stream.GetProperty("arn").GetString());
        Assert.Equal(0, stream.GetProperty("storedBytes").GetInt32());
        Assert.True(stream.GetProperty("ordered").GetBoolean());
        Assert.Equal([streamName], Names(o, "streamsByTime"));
        Assert.Equal([streamName], Names(o, "streamsByPrefix"));
        Assert.Equal([streamName], Names(o, "streamsByIdentifierArn"));
        AssertError(o, "streamsByTimeAndPrefix", "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.");
        AssertError(o, "streamsOfMissingGroup", "ResourceNotFoundException", "The specified log group does not exist.");

        // GetLogEvents, forward from the head two at a time until the forward token repeats: every line, in order,
        // with a last page that is empty (the token that repeats).
        string[] kinds = [.. o.GetProperty("forwardKinds").EnumerateArray().Select(e => e.GetString()!)];
        Assert.Equal(3, kinds.Count(k => k == "START"));
        Assert.Equal(3, kinds.Count(k => k == "END"));
        Assert.Equal(3, kinds.Count(k => k == "REPORT"));
        Assert.Equal("START", kinds.First(k => k != "output"));
        Assert.Equal("REPORT", kinds[^1]);
        int[] pageSizes = [.. o.GetProperty("forwardPageSizes").EnumerateArray().Select(e => e.GetInt32())];
        Assert.Equal(0, pageSizes[^1]);
        Assert.All(pageSizes[..^2], size => Assert.Equal(2, size));
        Assert.Equal(kinds.Length, pageSizes.Sum());
        Assert.True(o.GetProperty("forwardTokenRepeatsAgain").GetBoolean());
        // Without a token the page is the newest events; backward tokens page to the oldest and then repeat.
        Assert.Equal(["END", "REPORT"], o.GetProperty("newestKinds").EnumerateArray().Select(e => e.GetString()!));
        Assert.True(o.GetProperty("backwardEqualsForward").GetBoolean());
        Assert.Equal(kinds.Length, o.GetProperty("allEventsDefault").GetInt32());
        Assert.Equal(kinds.Length, o.GetProperty("fromFirstTimestamp").GetInt32()); // startTime is inclusive
        Assert.Equal(0, o.GetProperty("beforeFirstTimestamp").GetInt32()); // endTime is exclusive
        AssertError(o, "eventsOfMissingStream", "ResourceNotFoundException", "The specified log stream does not exist.");
        AssertError(o, "eventsOfMissingGroup", "ResourceNotFoundException", "The specified log group does not exist.");
        AssertError(o, "eventsBadToken", "InvalidParameterException", "The specified nextToken is invalid.");
        AssertError(o, "eventsLimitTooLarge", "InvalidParameterException",
            "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000");
        AssertError(o, "eventsNameAndIdentifier", "InvalidParameterException", "LogGroup name and LogGroup ARN are mutually exclusive parameters.");

        // FilterLogEvents through boto3's paginator: the pattern's matches, every page, no nextToken on the last.
        JsonElement report = o.GetProperty("filterReport");
        Assert.Equal(3, Messages(report).Length);
        Assert.All(Messages(report), m => Assert.StartsWith("REPORT RequestId: ", m));
        Assert.Equal([streamName], report.GetProperty("streams").EnumerateArray().Select(e => e.GetString()!));
        Assert.False(report.GetProperty("lastHasToken").GetBoolean());
        Assert.Empty(report.GetProperty("searchedLogStreams").EnumerateArray()); // deprecated: CloudWatch answers []
        JsonElement paged = o.GetProperty("filterReportPaged");
        Assert.Equal(Messages(report), Messages(paged));
        Assert.Equal(3, paged.GetProperty("pages").GetInt32());
        Assert.True(paged.GetProperty("uniqueEventIds").GetBoolean());
        Assert.Equal(kinds.Length, Messages(o.GetProperty("filterAll")).Length);
        string[] phrase = Messages(o.GetProperty("filterPhrase"));
        Assert.Equal(3, phrase.Length); // START, END and REPORT of that one request (its output lines have no "RequestId: ")
        Assert.All(phrase, m => Assert.Contains(requestIds[0], m));
        Assert.Equal(7, Messages(o.GetProperty("filterAlternatives")).Length); // 3 START, 3 END and the INIT_START (a term matches within a word here)
        string[] excluded = Messages(o.GetProperty("filterExclusion"));
        Assert.Equal(6, excluded.Length);
        Assert.DoesNotContain(excluded, m => m.Contains("REPORT", StringComparison.Ordinal));
        Assert.Equal(requestIds[^1], Assert.Single(Messages(o.GetProperty("filterAllTerms"))).Split(['\t', ' '])[2]);
        Assert.Empty(Messages(o.GetProperty("filterCaseSensitive")));
        Assert.Equal(4, Messages(o.GetProperty("filterByStreamNames")).Length); // 3 START and the INIT_START
        Assert.Empty(Messages(o.GetProperty("filterByStreamPrefix")));
        Assert.Equal("InvalidParameterException", ErrorOf(o, "filterJson").GetProperty("code").GetString());
        Assert.Equal("InvalidParameterException", ErrorOf(o, "filterSpaceDelimited").GetProperty("code").GetString());
        AssertError(o, "filterBadToken", "InvalidParameterException", "The specified nextToken is invalid.");
        AssertError(o, "filterMissingGroup", "ResourceNotFoundException", "The specified log group does not exist.");
        Assert.Equal("UnknownOperationException", ErrorOf(o, "putMetricFilter").GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_AWS_CLI_gets_and_filters_a_functions_log_events()
    {
        await using UpProcess up = await UpProcess.StartAsync(["--in-memory"]);
        Dictionary<string, string> environment = Repository.AwsEnvironment(new Uri(up.Endpoint));
        string output = Path.Combine(up.Directory, "out.json");
        for (int i = 0; i < 2; i++)
        {
            var invoked = await AwsCli.RunAsync(["lambda", "invoke", "--endpoint-url", up.Endpoint, "--function-name", "bash", "--payload", "{}", output], environment);
            Assert.True(invoked.ExitCode == 0, invoked.Stderr);
        }

        var streams = await AwsCli.RunAsync(["logs", "describe-log-streams", "--endpoint-url", up.Endpoint, "--log-group-name", "/aws/lambda/bash"], environment);
        Assert.True(streams.ExitCode == 0, streams.Stderr);
        string stream = Assert.Single(JsonDocument.Parse(streams.Stdout).RootElement.GetProperty("logStreams").EnumerateArray()).GetProperty("logStreamName").GetString()!;

        var events = await AwsCli.RunAsync(["logs", "get-log-events", "--endpoint-url", up.Endpoint, "--log-group-name", "/aws/lambda/bash",
            "--log-stream-name", stream, "--start-from-head"], environment);
        Assert.True(events.ExitCode == 0, events.Stderr);
        JsonElement page = JsonDocument.Parse(events.Stdout).RootElement;
        string[] messages = [.. page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString()!)];
        Assert.Equal(2, messages.Count(m => m.StartsWith("START RequestId: ", StringComparison.Ordinal)));
        Assert.Equal(2, messages.Count(m => m.StartsWith("REPORT RequestId: ", StringComparison.Ordinal)));
        Assert.StartsWith("f/", page.GetProperty("nextForwardToken").GetString());
        Assert.StartsWith("b/", page.GetProperty("nextBackwardToken").GetString());

        // The README's example, and the CLI's own pagination over one-event pages.
        foreach (string[] extra in new[] { Array.Empty<string>(), ["--page-size", "1"] })
        {
            var filtered = await AwsCli.RunAsync(["logs", "filter-log-events", "--endpoint-url", up.Endpoint, "--log-group-name", "/aws/lambda/bash",
                "--filter-pattern", "REPORT", .. extra], environment);
            Assert.True(filtered.ExitCode == 0, filtered.Stderr);
            JsonElement[] matched = [.. JsonDocument.Parse(filtered.Stdout).RootElement.GetProperty("events").EnumerateArray()];
            Assert.Equal(2, matched.Length);
            Assert.All(matched, e => Assert.StartsWith("REPORT RequestId: ", e.GetProperty("message").GetString()));
            Assert.All(matched, e => Assert.Equal(stream, e.GetProperty("logStreamName").GetString()));
        }

        var json = await AwsCli.RunAsync(["logs", "filter-log-events", "--endpoint-url", up.Endpoint, "--log-group-name", "/aws/lambda/bash",
            "--filter-pattern", "{ $.level = \"ERROR\" }"], environment);
        Assert.NotEqual(0, json.ExitCode);
        Assert.Contains("An error occurred (InvalidParameterException) when calling the FilterLogEvents operation: Handshake does not implement JSON filter patterns", json.Stderr);

        var missing = await AwsCli.RunAsync(["logs", "get-log-events", "--endpoint-url", up.Endpoint, "--log-group-name", "/aws/lambda/nope",
            "--log-stream-name", stream], environment);
        Assert.Contains("An error occurred (ResourceNotFoundException) when calling the GetLogEvents operation: The specified log group does not exist.", missing.Stderr);
    }

    [Fact]
    public async Task Logs_requests_share_POST_slash_with_the_store_whose_other_answers_are_unchanged()
    {
        await using UpProcess up = await UpProcess.StartAsync(["--in-memory"]);
        using HttpClient http = new() { BaseAddress = new Uri(up.Endpoint), Timeout = TestHost.Wait };

        // Before any invocation no group exists (Lambda creates it at the first invocation).
        (HttpStatusCode status, string body) = await PostAsync(http, "Logs_20140328.DescribeLogGroups", "{}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"logGroups":[]}""", body);
        var invoked = await Repository.RunAsync(UpProcess.Executable, ["invoke", "bash", "--payload", "{}", "--endpoint", up.Endpoint]);
        Assert.True(invoked.ExitCode == 0, invoked.Stderr);

        // Both JSON content types: 1.1 (what the SDKs send) goes to Kestrel's path, 1.0 is declined by the store's event loop.
        foreach (string contentType in new[] { "application/x-amz-json-1.1", "application/x-amz-json-1.0" })
        {
            (status, body) = await PostAsync(http, "Logs_20140328.FilterLogEvents", """{"logGroupName":"/aws/lambda/bash","filterPattern":"START"}""", contentType);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(2, JsonDocument.Parse(body).RootElement.GetProperty("events").GetArrayLength()); // START and INIT_START
        }

        (status, body) = await PostAsync(http, "Logs_20140328.PutMetricFilter", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("""{"__type":"com.amazon.coral.service#UnknownOperationException"}""", body);
        (status, body) = await PostAsync(http, "Logs_20140328.GetLogEvents", "{not json");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("""{"__type":"com.amazon.coral.service#SerializationException"}""", body);
        (status, body) = await PostAsync(http, "Logs_20140328.DescribeLogGroups", """{"limit":"ten"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("""{"__type":"com.amazon.coral.service#SerializationException"}""", body);
        (status, body) = await PostAsync(http, "Logs_20140328.DescribeLogStreams", """{"logGroupName":"/aws/lambda/bash","limit":0}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("""{"__type":"InvalidParameterException","message":"1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"}""", body);
        (status, body) = await PostAsync(http, "Logs_20140328.GetLogEvents", """{"logGroupName":"/aws/lambda/bash","logStreamName":"nope"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("""{"__type":"ResourceNotFoundException","message":"The specified log stream does not exist."}""", body);

        // The store answers its own and every other target as before.
        (status, body) = await PostAsync(http, "DynamoDB_20120810.ListTables", "{}", "application/x-amz-json-1.0");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"TableNames":[]}""", body);
        foreach (string target in new[] { "DynamoDB_20120810.Nope", "Logs_20140328", "Kinesis_20131202.ListStreams" })
        {
            (status, body) = await PostAsync(http, target, "{}", "application/x-amz-json-1.0");
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("""{"__type":"com.amazon.coral.service#UnknownOperationException"}""", body);
        }
    }

    [Fact]
    public async Task Under_auth_strict_the_Logs_API_verifies_SigV4_for_service_logs()
    {
        await using UpProcess up = await UpProcess.StartAsync(["--in-memory", "--auth", "strict", "--credentials", "AKIDSTRICT:strict-secret"]);
        Dictionary<string, string> environment = Repository.AwsEnvironment(new Uri(up.Endpoint));
        environment["AWS_ACCESS_KEY_ID"] = "AKIDSTRICT";
        environment["AWS_SECRET_ACCESS_KEY"] = "strict-secret";
        var invoked = await AwsCli.RunAsync(["lambda", "invoke", "--endpoint-url", up.Endpoint, "--function-name", "bash", "--payload", "{}",
            Path.Combine(up.Directory, "out.json")], environment);
        Assert.True(invoked.ExitCode == 0, invoked.Stderr);

        var signed = await AwsCli.RunAsync(["logs", "filter-log-events", "--endpoint-url", up.Endpoint, "--log-group-name", "/aws/lambda/bash",
            "--filter-pattern", "REPORT"], environment);
        Assert.True(signed.ExitCode == 0, signed.Stderr);
        Assert.Single(JsonDocument.Parse(signed.Stdout).RootElement.GetProperty("events").EnumerateArray());

        environment["AWS_SECRET_ACCESS_KEY"] = "wrong-secret";
        var forged = await AwsCli.RunAsync(["logs", "describe-log-groups", "--endpoint-url", up.Endpoint], environment);
        Assert.NotEqual(0, forged.ExitCode);
        Assert.Contains("An error occurred (InvalidSignatureException) when calling the DescribeLogGroups operation", forged.Stderr);

        environment["AWS_ACCESS_KEY_ID"] = "AKIDUNKNOWN";
        var unknown = await AwsCli.RunAsync(["logs", "describe-log-groups", "--endpoint-url", up.Endpoint], environment);
        Assert.Contains("An error occurred (UnrecognizedClientException) when calling the DescribeLogGroups operation", unknown.Stderr);

        using HttpClient http = new() { BaseAddress = new Uri(up.Endpoint), Timeout = TestHost.Wait };
        (HttpStatusCode status, string body) = await PostAsync(http, "Logs_20140328.DescribeLogGroups", "{}", authorization: null);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("MissingAuthenticationTokenException", JsonDocument.Parse(body).RootElement.GetProperty("__type").GetString());
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(HttpClient http, string target, string body,
        string contentType = "application/x-amz-json-1.1", string? authorization = "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261128/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=00")
    {
        using HttpRequestMessage request = new(HttpMethod.Post, "/") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using HttpResponseMessage response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string[] Names(JsonElement observations, string name) =>
        [.. observations.GetProperty(name).EnumerateArray().Select(e => e.GetString()!)];

    private static string[] Messages(JsonElement filtered) =>
        [.. filtered.GetProperty("messages").EnumerateArray().Select(e => e.GetString()!)];

    private static JsonElement ErrorOf(JsonElement observations, string name) => observations.GetProperty(name).GetProperty("error");

    private static void AssertError(JsonElement observations, string name, string code, string message)
    {
        JsonElement error = ErrorOf(observations, name);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.Equal(400, error.GetProperty("status").GetInt32());
    }
}
