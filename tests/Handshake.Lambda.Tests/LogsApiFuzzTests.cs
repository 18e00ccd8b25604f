using System.Net;
using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// A bounded, deterministic fuzz of the CloudWatch Logs JSON API (<c>X-Amz-Target: Logs_20140328.*</c>) over raw HTTP
/// (<see cref="ApiFuzzer"/>, a fixed seed): valid requests for every operation the host serves, mutated structurally,
/// and odd targets. Every answer must be a 2xx or a 4xx in awsJson1_1's shape (x-amzn-ErrorType, a JSON body with
/// <c>__type</c>), never a 5xx, a dropped connection or a hang; afterwards valid calls still read what was written.
/// No function process is started: the groups and streams are the API's own.
/// </summary>
public sealed class LogsApiFuzzTests
{
    private const int Seed = 20140328;
    private const int Requests = 1000;
    private const string Group = "/fuzz/group";
    private const string GroupArn = "arn:aws:logs:us-east-1:000000000000:log-group:/fuzz/group";

    private static (string Operation, string Body)[] Seeds(long now) =>
    [
        ("CreateLogGroup", """{"logGroupName":"/fuzz/made","tags":{"a":"b"},"logGroupClass":"STANDARD"}"""),
        ("DeleteLogGroup", """{"logGroupName":"/fuzz/made"}"""),
        ("DescribeLogGroups", """{"logGroupNamePrefix":"/fuzz","limit":5}"""),
        ("DescribeLogGroups", """{"logGroupNamePattern":"fuzz","nextToken":"/fuzz/a"}"""),
        ("DescribeLogStreams", $$"""{"logGroupName":"{{Group}}","logStreamNamePrefix":"s","descending":true,"limit":10}"""),
        ("DescribeLogStreams", $$"""{"logGroupIdentifier":"{{GroupArn}}","orderBy":"LastEventTime"}"""),
        ("CreateLogStream", $$"""{"logGroupName":"{{Group}}","logStreamName":"made"}"""),
        ("DeleteLogStream", $$"""{"logGroupName":"{{Group}}","logStreamName":"made"}"""),
        ("PutLogEvents", $$"""{"logGroupName":"{{Group}}","logStreamName":"s","logEvents":[{"timestamp":{{now}},"message":"one"},{"timestamp":{{now + 1}},"message":"two"}]}"""),
        ("GetLogEvents", $$"""{"logGroupName":"{{Group}}","logStreamName":"s","startFromHead":true,"limit":10,"startTime":0,"endTime":{{now + 10_000}}}"""),
        ("GetLogEvents", $$"""{"logGroupIdentifier":"{{GroupArn}}","logStreamName":"s","nextToken":"f/00000000000000000000000000000000000000000000000000000001"}"""),
        ("FilterLogEvents", $$"""{"logGroupName":"{{Group}}","logStreamNames":["s"],"filterPattern":"one","limit":10,"startTime":0}"""),
        ("FilterLogEvents", $$"""{"logGroupIdentifier":"{{GroupArn}}","logStreamNamePrefix":"s","filterPattern":"{ $.level = \"ERROR\" }"}"""),
        ("PutRetentionPolicy", $$"""{"logGroupName":"{{Group}}","retentionInDays":7}"""),
        ("DeleteRetentionPolicy", $$"""{"logGroupName":"{{Group}}"}"""),
        ("TagLogGroup", $$$"""{"logGroupName":"{{{Group}}}","tags":{"team":"a"}}"""),
        ("UntagLogGroup", $$"""{"logGroupName":"{{Group}}","tags":["team"]}"""),
        ("ListTagsLogGroup", $$"""{"logGroupName":"{{Group}}"}"""),
        ("TagResource", $$$"""{"resourceArn":"{{{GroupArn}}}","tags":{"env":"dev"}}"""),
        ("UntagResource", $$"""{"resourceArn":"{{GroupArn}}","tagKeys":["env"]}"""),
        ("ListTagsForResource", $$"""{"resourceArn":"{{GroupArn}}"}"""),
        ("AssociateKmsKey", $$"""{"logGroupName":"{{Group}}","kmsKeyId":"arn:aws:kms:us-east-1:000000000000:key/0123"}"""),
        ("DisassociateKmsKey", $$"""{"logGroupName":"{{Group}}"}"""),
        ("DescribeMetricFilters", """{}"""),
    ];

    [Fact]
    public async Task Mutated_logs_requests_get_a_2xx_or_CloudWatchs_4xx_and_never_hang()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(http, "CreateLogGroup", $$"""{"logGroupName":"{{Group}}"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(http, "CreateLogStream", $$"""{"logGroupName":"{{Group}}","logStreamName":"s"}""")).StatusCode);

        (string Operation, string Body)[] seeds = Seeds(now);
        ApiFuzzer fuzzer = new(Seed);
        Random pick = new(Seed);
        List<FuzzRequest> requests = [];
        for (int i = 0; i < Requests; i++)
        {
            (string operation, string body) = seeds[pick.Next(seeds.Length)];
            requests.Add(fuzzer.NextLogs(operation, body));
        }

        var (findings, elapsed, statuses) = await ApiFuzzer.RunAsync(http, server.Endpoint, requests, static (_, answer) => ApiFuzzer.CheckLogsAnswer(answer));

        Assert.True(findings.Count == 0, $"{findings.Count} findings in {elapsed.TotalSeconds:F1} s:\n" + string.Join("\n", findings.Take(40)));
        Assert.True(statuses.Keys.Any(s => s < 300) && statuses.Keys.Any(s => s >= 400), string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));

        // Still served: the group is listed, an event written now is read back from its stream.
        JsonElement groups = JsonDocument.Parse(await (await CallAsync(http, "DescribeLogGroups", """{"logGroupNamePrefix":"/fuzz/group"}""")).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(Group, Assert.Single(groups.GetProperty("logGroups").EnumerateArray()).GetProperty("logGroupName").GetString());
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(http, "CreateLogStream", $$"""{"logGroupName":"{{Group}}","logStreamName":"after"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(http, "PutLogEvents",
            $$"""{"logGroupName":"{{Group}}","logStreamName":"after","logEvents":[{"timestamp":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"message":"after the fuzz"}]}""")).StatusCode);
        JsonElement events = JsonDocument.Parse(await (await CallAsync(http, "GetLogEvents",
            $$"""{"logGroupName":"{{Group}}","logStreamName":"after","startFromHead":true}""")).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("after the fuzz", Assert.Single(events.GetProperty("events").EnumerateArray()).GetProperty("message").GetString());
    }

    private static async Task<HttpResponseMessage> CallAsync(HttpClient http, string operation, string body)
    {
        using HttpRequestMessage request = new(HttpMethod.Post, "/") { Content = new StringContent(body, Encoding.UTF8, "application/x-amz-json-1.1") };
        request.Headers.Add("X-Amz-Target", "Logs_20140328." + operation);
        HttpResponseMessage response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
