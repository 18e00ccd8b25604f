using System.Net;
using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Function answers HTTP cannot carry as given (a header outside printable ASCII, a body on a status that has none,
/// an interim status) and requests in a form other than origin-form: each has the answer AWS's front end gives, never
/// a failure on the wire.
/// </summary>
public sealed partial class FunctionUrlTests
{
    [Fact]
    public async Task A_header_or_cookie_outside_printable_ASCII_is_a_502_buffered_or_streamed()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddUrlFunction(server.Test, "ascii-url", "index.respond");
        AddUrlFunction(server.Test, "ascii-stream-url", "index.streamAs");
        using HttpClient http = server.Client();
        Uri url = await CreateUrlAsync(http, "ascii-url", """{"AuthType":"NONE"}""");
        Uri streamed = await CreateUrlAsync(http, "ascii-stream-url", """{"AuthType":"NONE","InvokeMode":"RESPONSE_STREAM"}""");

        // Latin-1 is valid HTTP, but Kestrel refuses it on the wire.
        foreach (string broken in new[] { """{"statusCode":200,"headers":{"x-place":"café"},"body":"x"}""", """{"statusCode":200,"cookies":["place=café"],"body":"x"}""" })
        {
            using HttpResponseMessage bad = await RespondAsync(http, server, url, broken);
            Assert.Equal(HttpStatusCode.BadGateway, bad.StatusCode);
            Assert.Equal("Internal Server Error", await bad.Content.ReadAsStringAsync());
        }

        using (HttpResponseMessage bad = await StreamAsAsync(http, server, streamed, """{"statusCode":200,"headers":{"x-place":"café"}}"""))
        {
            Assert.Equal(HttpStatusCode.BadGateway, bad.StatusCode);
            Assert.Equal("Internal Server Error", await bad.Content.ReadAsStringAsync());
        }

        // The refused stream was completed: the function's environment serves the next request.
        using HttpResponseMessage answered = await StreamAsAsync(http, server, streamed, """{"statusCode":201,"headers":{"x-place":"cafe"}}""");
        Assert.Equal(HttpStatusCode.Created, answered.StatusCode);
        Assert.Equal("cafe", answered.Headers.GetValues("x-place").Single());
        Assert.Equal("streamed", await answered.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_status_without_a_body_sends_none_buffered_or_streamed()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddUrlFunction(server.Test, "nobody-url", "index.respond");
        AddUrlFunction(server.Test, "nobody-stream-url", "index.streamAs");
        using HttpClient http = server.Client();
        Uri url = await CreateUrlAsync(http, "nobody-url", """{"AuthType":"NONE"}""");
        Uri streamed = await CreateUrlAsync(http, "nobody-stream-url", """{"AuthType":"NONE","InvokeMode":"RESPONSE_STREAM"}""");

        // 204, 205 and 304 have no body in HTTP: the function's is dropped, as for HEAD.
        foreach (int status in new[] { 304, 204, 205 })
        {
            using HttpResponseMessage empty = await RespondAsync(http, server, url, $$"""{"statusCode":{{status}},"body":"cached"}""");
            Assert.Equal((HttpStatusCode)status, empty.StatusCode);
            Assert.Empty(await empty.Content.ReadAsByteArrayAsync());
        }

        using HttpResponseMessage notModified = await StreamAsAsync(http, server, streamed, """{"statusCode":304}""");
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_interim_status_from_the_function_is_a_502()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddUrlFunction(server.Test, "interim-url", "index.respond");
        AddUrlFunction(server.Test, "interim-stream-url", "index.streamAs");
        using HttpClient http = server.Client();
        Uri url = await CreateUrlAsync(http, "interim-url", """{"AuthType":"NONE"}""");
        Uri streamed = await CreateUrlAsync(http, "interim-stream-url", """{"AuthType":"NONE","InvokeMode":"RESPONSE_STREAM"}""");

        foreach (string interim in new[] { """{"statusCode":100,"body":"x"}""", """{"statusCode":199}""" })
        {
            using HttpResponseMessage bad = await RespondAsync(http, server, url, interim);
            Assert.Equal(HttpStatusCode.BadGateway, bad.StatusCode);
            Assert.Equal("Internal Server Error", await bad.Content.ReadAsStringAsync());
        }

        using HttpResponseMessage streamedBad = await StreamAsAsync(http, server, streamed, """{"statusCode":101}""");
        Assert.Equal(HttpStatusCode.BadGateway, streamedBad.StatusCode);
    }

    /// <summary>The streamAs handler streams "streamed" behind the prelude the request's body is.</summary>
    private static Task<HttpResponseMessage> StreamAsAsync(HttpClient http, LambdaServer server, Uri url, string prelude)
    {
        HttpRequestMessage request = Request(HttpMethod.Post, server, url, "/");
        request.Content = new StringContent(prelude, Encoding.UTF8, "application/json");
        return http.SendAsync(request);
    }

    [Fact]
    public async Task A_request_in_absolute_or_asterisk_form_has_the_paths_rawPath()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddUrlFunction(server.Test, "form-url", "index.echo");
        using HttpClient http = server.Client();
        Uri url = await CreateUrlAsync(http, "form-url", """{"AuthType":"NONE"}""");
        string host = $"{url.Host}:{url.Port}";

        string absolute = await RawAsync(server, $"GET http://{host}/abs/p?q=1 HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK", absolute);
        JsonElement absoluteEvent = JsonDocument.Parse(absolute[(absolute.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]).RootElement;
        Assert.Equal(("/abs/p", "q=1"), (absoluteEvent.GetProperty("rawPath").GetString(), absoluteEvent.GetProperty("rawQueryString").GetString()));
        Assert.Equal("/abs/p", absoluteEvent.GetProperty("requestContext").GetProperty("http").GetProperty("path").GetString());

        string asterisk = await RawAsync(server, $"OPTIONS * HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK", asterisk);
        JsonElement asteriskEvent = JsonDocument.Parse(asterisk[(asterisk.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]).RootElement;
        Assert.Equal(("/", ""), (asteriskEvent.GetProperty("rawPath").GetString(), asteriskEvent.GetProperty("rawQueryString").GetString()));
    }

    [Fact]
    public async Task Cors_is_validated_as_Lambdas_model_and_a_value_HTTP_cannot_carry_is_never_sent()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddUrlFunction(server.Test, "cors-check-url", "index.echo");
        using HttpClient http = server.Client();

        async Task<string> RefusedAsync(string body)
        {
            using HttpResponseMessage created = await http.PostAsync("/2021-10-31/functions/cors-check-url/url", new StringContent(body));
            Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
            Assert.Equal("ValidationException", created.Headers.GetValues("x-amzn-ErrorType").Single().Split(':')[0]);
            return JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString()!;
        }

        Assert.Equal("1 validation error detected: Value '[x\nY]' at 'cors.allowHeaders' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must satisfy regular expression pattern: .*]",
            await RefusedAsync("""{"AuthType":"NONE","Cors":{"AllowHeaders":["x\nY"]}}"""));
        Assert.Equal("1 validation error detected: Value '[]' at 'cors.allowOrigins' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 253, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: .*]",
            await RefusedAsync("""{"AuthType":"NONE","Cors":{"AllowOrigins":[""]}}"""));
        string many = string.Join(',', Enumerable.Range(0, 101).Select(i => $"\"h{i}\""));
        Assert.StartsWith("1 validation error detected: Value '[h0, h1,", await RefusedAsync($$$"""{"AuthType":"NONE","Cors":{"ExposeHeaders":[{{{many}}}]}}"""));
        Assert.EndsWith("' at 'cors.exposeHeaders' failed to satisfy constraint: Member must have length less than or equal to 100", await RefusedAsync($$$"""{"AuthType":"NONE","Cors":{"ExposeHeaders":[{{{many}}}]}}"""));
        Assert.EndsWith("at 'cors.allowMethods' failed to satisfy constraint: Member must have length less than or equal to 6",
            await RefusedAsync("""{"AuthType":"NONE","Cors":{"AllowMethods":["GET","PUT","HEAD","POST","PATCH","DELETE","*"]}}"""));

        // Non-ASCII satisfies the model's pattern (AWS keeps it) but cannot be a header: that value is left out.
        Uri url = await CreateUrlAsync(http, "cors-check-url", """
            {"AuthType":"NONE","Cors":{"AllowOrigins":["*"],"AllowCredentials":true,"AllowHeaders":["x-café","x-plain"],"ExposeHeaders":["x-é"]}}
            """);
        using HttpRequestMessage preflight = Request(HttpMethod.Options, server, url, "/");
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        using HttpResponseMessage allowed = await http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("x-plain", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single());

        // "*" with credentials echoes the origin (as AWS is observed to), and an echoed origin varies by Origin.
        using HttpRequestMessage actual = Request(HttpMethod.Get, server, url, "/");
        actual.Headers.Add("Origin", "https://app.example");
        using HttpResponseMessage answered = await http.SendAsync(actual);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("https://app.example", answered.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Origin", answered.Headers.Vary);
        Assert.False(answered.Headers.Contains("Access-Control-Expose-Headers"));
    }
}
