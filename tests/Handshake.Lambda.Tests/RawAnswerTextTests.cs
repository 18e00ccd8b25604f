using System.Net;
using System.Text;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The Lambda API's JSON as a raw HTTP reader (curl) sees it: quotes, ampersands, angle brackets and non-ASCII text
/// as they are, not as System.Text.Json's default `\u0027` escapes; on the store's event loop and on Kestrel alike.
/// A ValidationException's body is the message alone, with the invocation types in the order of AWS's one raw answer
/// found (ex-aws/ex_aws#442: `{"message":"1 validation error detected: Value 'dry_run' at 'invocationType' failed to
/// satisfy constraint: Member must satisfy enum value set: [DryRun, RequestResponse, Event]"}`).
/// </summary>
public sealed class RawAnswerTextTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_invalid_invocation_type_is_answered_with_its_quotes_as_they_are(bool kestrelOnly)
    {
        await using LambdaServer server = await LambdaServer.StartAsync(kestrelOnly: kestrelOnly);
        server.Test.AddBash("raw", timeout: 5);
        using HttpClient http = server.Client();
        using HttpRequestMessage request = new(HttpMethod.Post, "/2015-03-31/functions/raw/invocations") { Content = new StringContent("{}") };
        request.Headers.Add("X-Amz-Invocation-Type", "Bogus");

        HttpResponseMessage response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ValidationException", string.Join(",", response.Headers.GetValues("x-amzn-ErrorType")));
        Assert.Equal(
            """{"message":"1 validation error detected: Value 'Bogus' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [DryRun, RequestResponse, Event]"}""",
            Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task The_AWS_CLI_reads_the_ValidationException_and_a_service_error_still_carries_its_Type()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("cli", timeout: 5);
        string output = Path.Combine(Directory.CreateTempSubdirectory("handshake-raw-").FullName, "out.json");

        var refused = await AwsCli.RunAsync(
            ["lambda", "invoke", "--function-name", "cli", "--invocation-type", "dry_run", output, "--endpoint-url", server.Endpoint.ToString()],
            Repository.AwsEnvironment(server.Endpoint));

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("An error occurred (ValidationException) when calling the Invoke operation: 1 validation error detected: Value 'dry_run' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [DryRun, RequestResponse, Event]", refused.Stderr);

        // Lambda's own errors keep their Type (a 404 here).
        using HttpClient http = server.Client();
        HttpResponseMessage missing = await http.PostAsync("/2015-03-31/functions/nope/invocations", new StringContent("{}"));
        Assert.Equal("""{"Type":"User","message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"}""", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_control_plane_answer_carries_a_tag_value_as_it_was_sent()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("tagged", timeout: 5);
        using HttpClient http = server.Client();
        string arn = "arn:aws:lambda:us-east-1:000000000000:function:tagged";
        const string Value = "it's <b> & + café";
        HttpResponseMessage tagged = await http.PostAsync($"/2017-03-31/tags/{Uri.EscapeDataString(arn)}",
            new StringContent("{\"Tags\":{\"note\":\"" + Value + "\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, tagged.StatusCode);

        HttpResponseMessage listed = await http.GetAsync($"/2017-03-31/tags/{Uri.EscapeDataString(arn)}");

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Contains($"\"note\":\"{Value}\"", Encoding.UTF8.GetString(await listed.Content.ReadAsByteArrayAsync()));
    }
}
