using System.Net;
using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// What <see cref="ControlPlaneFuzzTests"/> found, one example each: text in a body that is not UTF-8 (or an escaped
/// lone surrogate) was a bare 500 in every control-plane operation that read it, a payload that is not UTF-8 was
/// passed to the function, and a function name of <c>..</c> took the request out of the Lambda API.
/// </summary>
public sealed class FuzzFindingsTests
{
    private const string Prefix = "Could not parse request body into json: ";

    private static ByteArrayContent Raw(byte[] body)
    {
        ByteArrayContent content = new(body);
        content.Headers.ContentType = new("application/json");
        return content;
    }

    /// <summary>A JSON body with <paramref name="raw"/> (bytes, maybe not UTF-8) in place of <c>RAW</c>.</summary>
    private static byte[] Body(string json, params byte[] raw)
    {
        string[] parts = json.Split("RAW");
        return [.. Encoding.UTF8.GetBytes(parts[0]), .. raw, .. Encoding.UTF8.GetBytes(parts[1])];
    }

    private static async Task<(HttpStatusCode Status, string Type, string Message)> Error(HttpResponseMessage response)
    {
        string type = response.Headers.TryGetValues("x-amzn-ErrorType", out IEnumerable<string>? values) ? values.Single() : "";
        string text = await response.Content.ReadAsStringAsync();
        JsonElement body = JsonDocument.Parse(text).RootElement;
        return (response.StatusCode, type, body.GetProperty("message").GetString()!);
    }

    [Fact]
    public async Task Text_that_is_not_UTF_8_in_a_control_plane_body_is_InvalidRequestContentException_in_Jacksons_words_and_changes_nothing()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("texted");
        using HttpClient http = server.Client();
        string before = await http.GetStringAsync("/2015-03-31/functions/texted");

        // Each was a 500: System.Text.Json parses the bytes and throws only when the operation reads the string.
        (HttpMethod Method, string Path, byte[] Body, string Message)[] requests =
        [
            // A lone continuation byte in a string, and a string cut off in the middle of a character.
            (HttpMethod.Post, "/2015-03-31/functions/texted/versions", Body("""{"Description":"RAW"}""", 0x80), "Invalid UTF-8 start byte 0x80"),
            (HttpMethod.Put, "/2015-03-31/functions/texted/configuration", Body("""{"Environment":{"Variables":{"A":"aRAW"}}}""", 0xC3), "Invalid UTF-8 middle byte 0x22"),
            // In a member's name, which the shape check reads.
            (HttpMethod.Put, "/2017-10-31/functions/texted/concurrency", Body("""{"ReservedConcurrRAWntExecutions":5}""", 0xFF), "Invalid UTF-8 start byte 0xff"),
            (HttpMethod.Post, "/2015-03-31/functions/texted/aliases", Body("""{"Name":"a","FunctionVersion":"RAW"}""", 0xFE, 0xFF), "Invalid UTF-8 start byte 0xfe"),
            (HttpMethod.Post, "/2021-10-31/functions/texted/url", Body("""{"AuthType":"NRAWNE"}""", 0xC3), "Invalid UTF-8 middle byte 0x4e"),
        ];
        foreach ((HttpMethod method, string path, byte[] body, string message) in requests)
        {
            using HttpRequestMessage request = new(method, path) { Content = Raw(body) };
            Assert.Equal((HttpStatusCode.BadRequest, "InvalidRequestContentException", Prefix + message), await Error(await http.SendAsync(request)));
        }

        Assert.Equal(before, await http.GetStringAsync("/2015-03-31/functions/texted"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2015-03-31/functions/texted/aliases/a")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2021-10-31/functions/texted/url")).StatusCode);
        Assert.Equal(1, JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/functions/texted/versions")).RootElement.GetProperty("Versions").GetArrayLength());
    }

    [Fact]
    public async Task An_escaped_lone_surrogate_in_a_control_plane_body_is_InvalidRequestContentException()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("escaped");
        using HttpClient http = server.Client();

        // Jackson would read it (a Java string may hold a lone surrogate); a .NET string cannot, and it was a 500.
        (HttpStatusCode status, string type, string message) = await Error(await http.PostAsync("/2015-03-31/functions/escaped/versions",
            Raw(Encoding.UTF8.GetBytes("""{"Description":"\udfff x"}"""))));

        Assert.Equal((HttpStatusCode.BadRequest, "InvalidRequestContentException"), (status, type));
        Assert.StartsWith(Prefix, message, StringComparison.Ordinal);
        Assert.Equal(1, JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/functions/escaped/versions")).RootElement.GetProperty("Versions").GetArrayLength());

        // A surrogate pair, escaped, is text like any other.
        HttpResponseMessage published = await http.PostAsync("/2015-03-31/functions/escaped/versions", Raw(Encoding.UTF8.GetBytes("""{"Description":"\ud83d\ude00"}""")));
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        Assert.Equal("\U0001F600", JsonDocument.Parse(await published.Content.ReadAsStringAsync()).RootElement.GetProperty("Description").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_Invoke_payload_that_is_not_UTF_8_is_refused_as_Lambda_refuses_it_and_reaches_no_function(bool kestrelOnly)
    {
        await using LambdaServer server = await LambdaServer.StartAsync(kestrelOnly: kestrelOnly);
        server.Test.AddBash("sink", environment: new() { ["RECORD_EVENTS"] = "1" });
        using HttpClient http = server.Client();

        // The store's event loop (kestrelOnly: false) hands a payload it refuses to Kestrel's route, which answers it.
        foreach (string type in (string[])["RequestResponse", "Event", "DryRun"])
        {
            using HttpRequestMessage request = new(HttpMethod.Post, "/2015-03-31/functions/sink/invocations") { Content = Raw(Body("""{"key":"RAW"}""", 0x97)) };
            request.Headers.Add("X-Amz-Invocation-Type", type);
            Assert.Equal((HttpStatusCode.BadRequest, "InvalidRequestContentException", Prefix + "Could not parse payload into json: Invalid UTF-8 start byte 0x97"),
                await Error(await http.SendAsync(request)));
        }

        Assert.Empty(await server.Test.LogMessagesAsync("sink"));
    }

    [Theory]
    [InlineData("/2015-03-31/functions/../policy", "GET", "..")]
    [InlineData("/2015-03-31/functions/%2E%2E/versions", "GET", "..")]
    [InlineData("/2015-03-31/functions/./configuration", "GET", ".")]
    [InlineData("/2017-10-31/functions/../concurrency", "DELETE", "..")]
    [InlineData("/2021-11-15/functions/../response-streaming-invocations", "POST", "..")]
    [InlineData("/2014-11-13/functions/%2e%2e/invoke-async/", "POST", "..")]
    public async Task A_function_named_dot_or_dot_dot_is_refused_by_the_name_pattern_not_moved_out_of_the_API(string path, string method, string name)
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();
        Uri uri = new(server.Endpoint.GetLeftPart(UriPartial.Authority) + path, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using HttpRequestMessage request = new(new HttpMethod(method), uri) { Content = method == "POST" ? Raw("{}"u8.ToArray()) : null };

        // Kestrel removed the segment (/2015-03-31/functions/../policy became /2015-03-31/policy): a bare 404 here,
        // the store's XML UnknownOperationException in `up`.
        Assert.Equal((HttpStatusCode.BadRequest, "ValidationException", InvokeApi.LambdaHttpEndpoint.FunctionNamePatternError(name)), await Error(await http.SendAsync(request)));
    }
}
