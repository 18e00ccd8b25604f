using System.Buffers.Binary;
using System.Net;
using System.Text;
using Handshake.Composition;

namespace Handshake.EndToEnd.Tests;

/// <summary>
/// InvokeWithResponseStream on the endpoint `handshake up` composes: the request router sends the 2021-11-15 path to the
/// function host, the store's event loop hands the connection to Kestrel, and each chunk reaches the caller while the
/// function is still running.
/// </summary>
public sealed class StreamingUpTests
{
    private const string Function = """
        'use strict';
        const fs = require('fs');
        exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
          responseStream.setContentType('text/plain');
          responseStream.write('first');
          while (!fs.existsSync(event.hold)) await new Promise((resolve) => setTimeout(resolve, 10));
          responseStream.end('second');
        });
        """;

    [Fact]
    public async Task A_streamed_chunk_reaches_the_caller_on_ups_endpoint_before_the_function_goes_on()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-e2e-streaming-").FullName;
        string hold = Path.Combine(directory, "hold");
        try
        {
            Directory.CreateDirectory(Path.Combine(directory, "streamer"));
            await File.WriteAllTextAsync(Path.Combine(directory, "streamer", "index.js"), Function);
            string project = Path.Combine(directory, "handshake.json");
            await File.WriteAllTextAsync(project, """{ "functions": { "streamer": { "runtime": "nodejs20.x", "handler": "index.handler", "code": "streamer", "timeout": 30 } } }""");
            await using HandshakeServer server = await HandshakeServer.StartAsync(new HandshakeServerOptions
            {
                Port = 0,
                InMemory = true,
                DataDirectory = directory,
                ProjectFile = project,
            }).WaitAsync(HandshakeProcess.Timeout);

            using HttpClient client = new() { Timeout = HandshakeProcess.Timeout };
            using HttpRequestMessage request = new(HttpMethod.Post, new Uri(server.Endpoint, "/2021-11-15/functions/streamer/response-streaming-invocations"))
            {
                Content = new StringContent($$"""{"hold":{{System.Text.Json.JsonSerializer.Serialize(hold)}}}"""),
            };
            using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(HandshakeProcess.Timeout);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
            await using Stream body = await response.Content.ReadAsStreamAsync();

            // The first event arrives while the function waits for the hold file, which only this test creates.
            Assert.Equal(("PayloadChunk", "first"), await ReadEventAsync(body));
            await File.WriteAllTextAsync(hold, "");
            Assert.Equal(("PayloadChunk", "second"), await ReadEventAsync(body));
            Assert.Equal(("InvokeComplete", "{}"), await ReadEventAsync(body));
            Assert.Equal(0, await body.ReadAsync(new byte[1]).AsTask().WaitAsync(HandshakeProcess.Timeout));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>One event-stream message: its :event-type header and its payload as text (CRCs are checked in the Lambda tests).</summary>
    private static async Task<(string EventType, string Payload)> ReadEventAsync(Stream body)
    {
        byte[] prelude = new byte[12];
        await body.ReadExactlyAsync(prelude).AsTask().WaitAsync(HandshakeProcess.Timeout);
        int total = (int)BinaryPrimitives.ReadUInt32BigEndian(prelude);
        int headersLength = (int)BinaryPrimitives.ReadUInt32BigEndian(prelude.AsSpan(4));
        byte[] rest = new byte[total - 12];
        await body.ReadExactlyAsync(rest).AsTask().WaitAsync(HandshakeProcess.Timeout);
        string headers = Encoding.UTF8.GetString(rest, 0, headersLength);
        string eventType = headers.Contains("PayloadChunk", StringComparison.Ordinal) ? "PayloadChunk" : headers.Contains("InvokeComplete", StringComparison.Ordinal) ? "InvokeComplete" : headers;
        return (eventType, Encoding.UTF8.GetString(rest, headersLength, rest.Length - headersLength - 4));
    }
}
