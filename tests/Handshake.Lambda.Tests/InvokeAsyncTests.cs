using System.Net;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The deprecated InvokeAsync (POST /2014-11-13/functions/{name}/invoke-async/), through the AWS CLI's `lambda
/// invoke-async` and raw HTTP: 202, the event run by the bash+curl runtime as an Event invocation, 256 KB the limit.
/// </summary>
public sealed class InvokeAsyncTests
{
    [Fact]
    public async Task The_AWS_CLI_invoke_async_queues_the_event_and_the_function_runs_it()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("legacy", timeout: 5, environment: new() { ["RECORD_EVENTS"] = "1" });
        string work = Directory.CreateTempSubdirectory("handshake-invoke-async-").FullName;
        string args = Path.Combine(work, "args.json");
        await File.WriteAllTextAsync(args, """{"legacy":"yes"}""");

        var result = await AwsCli.RunAsync(
            ["lambda", "invoke-async", "--function-name", "legacy", "--invoke-args", args, "--endpoint-url", server.Endpoint.ToString()],
            Repository.AwsEnvironment(server.Endpoint));

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(202, JsonDocument.Parse(result.Stdout).RootElement.GetProperty("Status").GetInt32());
        await server.Test.WaitForLogAsync("legacy", m => m == """event {"legacy":"yes"}""");
    }

    [Fact]
    public async Task A_payload_over_256_KB_an_unknown_function_and_bad_JSON_are_refused()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("legacy-limits", timeout: 5);
        using HttpClient http = server.Client();

        string atLimit = "{\"a\":\"" + new string('x', InvokeApi.InvokeAsync.MaxPayloadBytes - 8) + "\"}";
        Assert.Equal(InvokeApi.InvokeAsync.MaxPayloadBytes, atLimit.Length);
        HttpResponseMessage accepted = await http.PostAsync("/2014-11-13/functions/legacy-limits/invoke-async/", new StringContent(atLimit));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("", await accepted.Content.ReadAsStringAsync());

        string over = "{\"a\":\"" + new string('x', InvokeApi.InvokeAsync.MaxPayloadBytes - 7) + "\"}";
        HttpResponseMessage tooLarge = await http.PostAsync("/2014-11-13/functions/legacy-limits/invoke-async/", new StringContent(over));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("RequestEntityTooLargeException", string.Join(",", tooLarge.Headers.GetValues("x-amzn-ErrorType")));
        Assert.Equal($$"""{"Type":"User","message":"{{over.Length}} byte payload is too large for the Event invocation type (limit 262144 bytes)"}""", await tooLarge.Content.ReadAsStringAsync());

        HttpResponseMessage missing = await http.PostAsync("/2014-11-13/functions/nope/invoke-async/", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("""{"Type":"User","message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"}""", await missing.Content.ReadAsStringAsync());

        HttpResponseMessage notJson = await http.PostAsync("/2014-11-13/functions/legacy-limits/invoke-async/", new StringContent("abc"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("InvalidRequestContentException", string.Join(",", notJson.Headers.GetValues("x-amzn-ErrorType")));
    }
}
