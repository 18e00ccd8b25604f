using System.Net;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Found by the function URL fuzz (FunctionUrlFuzzTests, seed 20261129, answer case 8): a RESPONSE_STREAM function that
/// throws before it writes a byte was answered 200 with an empty body. The runtime still opens its response stream to
/// carry the error (in trailers, under its default content type application/octet-stream), and the host sent that
/// stream's head at once. A function error is a 502 on a function URL (AWS's answer to it, README "Failures"); the head
/// of a stream without a prelude now waits for the first byte of the body.
/// </summary>
public sealed partial class FunctionUrlTests
{
    [Fact]
    public async Task A_streaming_function_that_throws_before_writing_is_a_502_and_one_that_writes_nothing_an_empty_200()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddFuzzFunction(server.Test, "stream-throws-url", "index.streamThrows");
        AddFuzzFunction(server.Test, "stream-empty-url", "index.streamEmpty");
        using HttpClient http = server.Client();
        const string Streamed = """{"AuthType":"NONE","InvokeMode":"RESPONSE_STREAM"}""";
        Uri throws = await CreateUrlAsync(http, "stream-throws-url", Streamed);
        Uri empty = await CreateUrlAsync(http, "stream-empty-url", Streamed);

        using (HttpRequestMessage request = Request(HttpMethod.Get, server, throws, "/"))
        using (HttpResponseMessage failed = await http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
            Assert.Equal("Internal Server Error", await failed.Content.ReadAsStringAsync());
        }

        Assert.Contains(await server.Test.LogMessagesAsync("stream-throws-url"), m => m.Contains("stream boom", StringComparison.Ordinal));

        // Ended without a write, and without failing: the head alone (inferred: AWS does not document an empty stream).
        using HttpRequestMessage emptyRequest = Request(HttpMethod.Get, server, empty, "/");
        using HttpResponseMessage answered = await http.SendAsync(emptyRequest);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("text/plain", answered.Content.Headers.ContentType!.MediaType);
        Assert.Empty(await answered.Content.ReadAsByteArrayAsync());
    }
}
