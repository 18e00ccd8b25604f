using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;
using System.Text;
using System.Text.Json;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Response streaming end to end: Node.js functions written with awslambda.streamifyResponse, run by the repository's
/// bootstrap in real child processes, invoked with the official SDK's InvokeWithResponseStreamCommand (and, for the
/// framing, raw HTTP) on the listener <c>handshake up</c> has, where the store's event loop hands the request to Kestrel.
/// </summary>
public sealed class StreamingTests
{
    [Fact]
    public async Task The_Node_SDK_receives_each_write_as_a_PayloadChunk_in_order_then_InvokeComplete()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddStreamingFunctions(server.Test);
        string hold = Path.Combine(Path.GetTempPath(), "handshake-hold-" + Guid.NewGuid().ToString("N"));
        try
        {
            string script = Path.Combine(AppContext.BaseDirectory, "node", "streaming-client.cjs");
            var run = await Repository.RunAsync("node", [script, hold], Repository.AwsEnvironment(server.Endpoint));
            Assert.True(run.ExitCode == 0, run.Stderr);
            JsonElement result = JsonDocument.Parse(run.Stdout).RootElement;

            JsonElement chunks = result.GetProperty("chunks");
            Assert.Equal(200, chunks.GetProperty("status").GetInt32());
            Assert.Equal("$LATEST", chunks.GetProperty("executedVersion").GetString());
            Assert.Equal("text/plain", chunks.GetProperty("contentType").GetString());
            JsonElement[] events = [.. chunks.GetProperty("events").EnumerateArray()];
            Assert.Equal(["one", "two", "three"], events[..^1].Select(e => e.GetProperty("chunk").GetString()));
            JsonElement complete = events[^1].GetProperty("complete");
            Assert.False(complete.TryGetProperty("ErrorCode", out _));
            string log = Encoding.UTF8.GetString(Convert.FromBase64String(complete.GetProperty("LogResult").GetString()!));
            Assert.Contains("START RequestId:", log);
            Assert.Contains("REPORT RequestId:", log);

            // The second chunk was written only after the caller had the first (it created the hold file then).
            JsonElement held = result.GetProperty("held");
            Assert.Equal(["before hold", "after hold"], held.GetProperty("events").EnumerateArray().Where(e => e.TryGetProperty("chunk", out _)).Select(e => e.GetProperty("chunk").GetString()));
            Assert.False(held.GetProperty("events").EnumerateArray().Last().GetProperty("complete").TryGetProperty("ErrorCode", out _));

            JsonElement[] failing = [.. result.GetProperty("failing").GetProperty("events").EnumerateArray()];
            Assert.Equal("partial", failing[0].GetProperty("chunk").GetString());
            JsonElement failed = failing[^1].GetProperty("complete");
            Assert.Equal("Error", failed.GetProperty("ErrorCode").GetString());
            JsonElement details = JsonDocument.Parse(failed.GetProperty("ErrorDetails").GetString()!).RootElement;
            Assert.Equal("Error", details.GetProperty("errorType").GetString());
            Assert.Equal("boom mid-stream", details.GetProperty("errorMessage").GetString());

            // Timed out mid-stream: the chunk sent before, then InvokeComplete with the timeout; the environment is replaced.
            JsonElement[] timedOut = [.. result.GetProperty("timeout").GetProperty("events").EnumerateArray()];
            Assert.Equal("started", timedOut[0].GetProperty("chunk").GetString());
            JsonElement timeout = timedOut[^1].GetProperty("complete");
            Assert.Equal("Sandbox.Timedout", timeout.GetProperty("ErrorCode").GetString());
            Assert.Contains("Task timed out after 2.00 seconds", timeout.GetProperty("ErrorDetails").GetString());
            Assert.Contains(await server.Test.LogMessagesAsync("stream-hang"), m => m.StartsWith("REPORT RequestId:", StringComparison.Ordinal) && m.EndsWith("Status: timeout", StringComparison.Ordinal));

            JsonElement url = result.GetProperty("url");
            Assert.Equal("application/vnd.awslambda.http-integration-response", url.GetProperty("contentType").GetString());
            Assert.Equal("""{"statusCode":201,"headers":{"x-test":"yes"}}""" + new string('\0', 8) + "body",
                string.Concat(url.GetProperty("events").EnumerateArray().Where(e => e.TryGetProperty("chunk", out _)).Select(e => e.GetProperty("chunk").GetString())));

            // A function that does not stream: its whole answer in one PayloadChunk.
            JsonElement buffered = result.GetProperty("buffered");
            Assert.Equal("application/json", buffered.GetProperty("contentType").GetString());
            JsonElement[] bufferedEvents = [.. buffered.GetProperty("events").EnumerateArray()];
            Assert.Equal(2, bufferedEvents.Length);
            Assert.Equal("""{"hello":"buffered","n":7}""", bufferedEvents[0].GetProperty("chunk").GetString());
            Assert.False(bufferedEvents[1].GetProperty("complete").TryGetProperty("ErrorCode", out _));

            JsonElement bufferedError = Assert.Single(result.GetProperty("bufferedError").GetProperty("events").EnumerateArray()).GetProperty("complete");
            Assert.Equal("Error", bufferedError.GetProperty("ErrorCode").GetString());
            Assert.Contains("buffered boom", bufferedError.GetProperty("ErrorDetails").GetString());

            JsonElement missing = result.GetProperty("missing").GetProperty("error");
            Assert.Equal("ResourceNotFoundException", missing.GetProperty("name").GetString());
            Assert.Equal("Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function", missing.GetProperty("message").GetString());
            Assert.Equal(404, missing.GetProperty("status").GetInt32());

            JsonElement eventType = result.GetProperty("eventType").GetProperty("error");
            Assert.Equal("ValidationException", eventType.GetProperty("name").GetString());
            Assert.Contains("[RequestResponse, DryRun]", eventType.GetProperty("message").GetString());
            Assert.Equal(204, result.GetProperty("dryRun").GetInt32());

            // Invoke buffers a streamed answer.
            JsonElement plain = result.GetProperty("plainInvoke");
            Assert.Equal(200, plain.GetProperty("status").GetInt32());
            Assert.Equal("ab", plain.GetProperty("payload").GetString());
            Assert.False(plain.TryGetProperty("functionError", out _));

            // Streamed invocations keep the lifecycle: one environment, frozen between them, START/END/REPORT once each.
            Assert.Equal(1, server.Test.Host.PeakEnvironmentCount("stream-chunks"));
            ExecutionEnvironmentProbe environment = new(Assert.Single(server.Test.Host.Environments("stream-chunks")));
            await environment.Environment.WhenFrozen().WaitAsync(TestHost.Wait);
            Assert.True(environment.Environment.Freezes >= 2);
            foreach (string function in new[] { "stream-chunks", "stream-held", "stream-failing" })
            {
                List<string> messages = await server.Test.LogMessagesAsync(function);
                int invocations = function == "stream-chunks" ? 2 : 1;
                Assert.Equal(invocations, messages.Count(m => m.StartsWith("START RequestId:", StringComparison.Ordinal)));
                Assert.Equal(invocations, messages.Count(m => m.StartsWith("END RequestId:", StringComparison.Ordinal)));
                Assert.Equal(invocations, messages.Count(m => m.StartsWith("REPORT RequestId:", StringComparison.Ordinal)));
                Assert.DoesNotContain(messages, m => m.Contains("Status: error", StringComparison.Ordinal));
            }

            Assert.Contains(await server.Test.LogMessagesAsync("stream-failing"), m => m.Contains("Invoke Error", StringComparison.Ordinal) && m.Contains("boom mid-stream", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(hold);
        }
    }

    [Fact]
    public async Task The_event_stream_is_framed_with_preludes_headers_and_CRC32s()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        AddStreamingFunctions(server.Test);
        using HttpClient http = server.Client();
        using HttpResponseMessage response = await http.PostAsync("/2021-11-15/functions/stream-chunks/response-streaming-invocations",
            new StringContent("""{"parts":["alpha","beta"]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("$LATEST", response.Headers.GetValues("X-Amz-Executed-Version").Single());
        Assert.True(response.Headers.TransferEncodingChunked);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        List<(Dictionary<string, string> Headers, byte[] Payload)> messages = ParseEventStream(body);

        Assert.Equal(3, messages.Count);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(new Dictionary<string, string> { [":event-type"] = "PayloadChunk", [":content-type"] = "application/octet-stream", [":message-type"] = "event" }, messages[i].Headers);
        }

        Assert.Equal("alpha", Encoding.UTF8.GetString(messages[0].Payload));
        Assert.Equal("beta", Encoding.UTF8.GetString(messages[1].Payload));
        Assert.Equal(new Dictionary<string, string> { [":event-type"] = "InvokeComplete", [":content-type"] = "application/json", [":message-type"] = "event" }, messages[2].Headers);
        Assert.Equal("{}", Encoding.UTF8.GetString(messages[2].Payload));
        // The event loop declined it (it knows only .../invocations) and Kestrel served it on the same connection.
        Assert.Equal(0, server.Route!.Taken);
    }

    /// <summary>Parses event-stream messages, checking both CRC32s and that every byte belongs to a message.</summary>
    internal static List<(Dictionary<string, string> Headers, byte[] Payload)> ParseEventStream(byte[] body)
    {
        List<(Dictionary<string, string>, byte[])> messages = [];
        int at = 0;
        while (at < body.Length)
        {
            ReadOnlySpan<byte> message = body.AsSpan(at);
            int total = (int)BinaryPrimitives.ReadUInt32BigEndian(message);
            int headersLength = (int)BinaryPrimitives.ReadUInt32BigEndian(message[4..]);
            Assert.Equal(Crc32.HashToUInt32(message[..8]), BinaryPrimitives.ReadUInt32BigEndian(message[8..]));
            Assert.Equal(Crc32.HashToUInt32(message[..(total - 4)]), BinaryPrimitives.ReadUInt32BigEndian(message[(total - 4)..]));
            Dictionary<string, string> headers = [];
            ReadOnlySpan<byte> rest = message.Slice(12, headersLength);
            while (!rest.IsEmpty)
            {
                int nameLength = rest[0];
                string name = Encoding.UTF8.GetString(rest.Slice(1, nameLength));
                Assert.Equal(7, rest[1 + nameLength]);
                int valueLength = BinaryPrimitives.ReadUInt16BigEndian(rest[(2 + nameLength)..]);
                headers[name] = Encoding.UTF8.GetString(rest.Slice(4 + nameLength, valueLength));
                rest = rest[(4 + nameLength + valueLength)..];
            }

            messages.Add((headers, message[(12 + headersLength)..(total - 4)].ToArray()));
            at += total;
        }

        Assert.Equal(body.Length, at);
        return messages;
    }

    internal static void AddStreamingFunctions(TestHost test)
    {
        foreach ((string name, string handler) in new[]
        {
            ("stream-chunks", "index.chunks"), ("stream-held", "index.held"), ("stream-failing", "index.failing"),
            ("stream-url", "index.url"), ("stream-buffered", "index.buffered"), ("stream-buffered-error", "index.bufferedError"),
            ("stream-hang", "index.hang"),
        })
        {
            test.Host.CreateFunction(new FunctionDefinition
            {
                Name = name,
                Runtime = "nodejs20.x",
                Handler = handler,
                CodeDirectory = Path.Combine(AppContext.BaseDirectory, "functions", "node-streaming"),
                // stream-hang's first chunk must reach the caller before its timeout: 2 s, as 1 s left a loaded
                // machine little room for Node to take the event, write and forward it.
                Timeout = name == "stream-hang" ? 2 : 30,
                Environment = new Dictionary<string, string> { ["HANDSHAKE_TEST_MARKER"] = test.Marker },
            });
        }
    }

    private sealed record ExecutionEnvironmentProbe(Environments.ExecutionEnvironment Environment);
}
