using System.Net;
using System.Text;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The Lambda API's JSON as a raw HTTP reader (curl) sees it: quotes, ampersands, angle brackets and non-ASCII text
/// as they are, not as System.Text.Json's default `\u0027` escapes; on the store's event loop and on Kestrel alike.
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
            """{"Type":"User","message":"1 validation error detected: Value 'Bogus' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]"}""",
            Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()));
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
