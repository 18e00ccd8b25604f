using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Invoke on the store's event loop (<see cref="InvokeApi.InvokeRoute"/>), as <c>handshake up</c> serves it: the loop's
/// answers match Kestrel's path status for status and header for header, what the route declines is answered by
/// Kestrel with Lambda's errors, pipelined calls are answered in order, and a caller that goes away mid-invocation
/// leaves a complete log and a working host.
/// </summary>
public sealed class InvokeRouteTests
{
    private sealed record Answer(int Status, Dictionary<string, string> Headers, string Body);

    /// <summary>One call of each kind, on both listeners, with the route's count of calls it took.</summary>
    private static async Task<(List<Answer> Answers, long Taken)> CallEachKindAsync(bool kestrelOnly)
    {
        await using LambdaServer server = await LambdaServer.StartAsync(kestrelOnly: kestrelOnly);
        server.Test.AddBash("echo");
        server.Test.AddBash("fails");
        server.Test.AddBash("closed", reserved: 0);
        // One connection, one call at a time, so that every call on the loop's listener reaches the loop first.
        using HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = server.Endpoint, Timeout = TestHost.Wait };
        List<Answer> answers = [];
        foreach ((string function, string payload, string? type, string? logType) in new (string, string, string?, string?)[]
        {
            ("echo", """{"a":1}""", null, null),
            ("echo", """{"b":2}""", "RequestResponse", "Tail"),
            ("fails", """{"fail":true}""", null, null),
            ("echo", """{"d":4}""", "DryRun", null),
            ("closed", "{}", null, null),
            // Declined by the route, answered by Kestrel; the connection stays with Kestrel from here. An Event
            // invocation is always declined: its acceptance is a commit to lambda.db, which the loop must not wait for.
            ("echo", """{"c":3}""", "Event", null),
            ("no-such-function", "{}", null, null),
            ("echo", "{not json", null, null),
            ("echo", """{"e":5}""", null, null),
        })
        {
            using HttpRequestMessage request = new(HttpMethod.Post, $"/2015-03-31/functions/{function}/invocations") { Content = new StringContent(payload) };
            if (type is not null)
            {
                request.Headers.Add("X-Amz-Invocation-Type", type);
            }

            if (logType is not null)
            {
                request.Headers.Add("X-Amz-Log-Type", logType);
            }

            using HttpResponseMessage response = await http.SendAsync(request);
            Dictionary<string, string> headers = response.Headers.Concat(response.Content.Headers)
                .ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value));
            answers.Add(new Answer((int)response.StatusCode, headers, await response.Content.ReadAsStringAsync()));
        }

        // The Event invocation accepted (on Kestrel's path, after the route declined it) runs.
        await server.Test.WaitForLogAsync("echo", m => m.StartsWith($"START RequestId: {answers[5].Headers["x-amzn-requestid"]}", StringComparison.Ordinal));
        return (answers, server.KestrelOnly ? 0 : server.Route!.Taken);
    }

    [Fact]
    public async Task The_loop_answers_as_Kestrel_does_and_leaves_what_it_declines_to_Kestrel()
    {
        (List<Answer> kestrel, _) = await CallEachKindAsync(kestrelOnly: true);
        (List<Answer> loop, long taken) = await CallEachKindAsync(kestrelOnly: false);

        // The five calls before the first declined one (the Event invocation) were the loop's.
        Assert.Equal(5, taken);
        Assert.Equal(kestrel.Select(a => a.Status), loop.Select(a => a.Status));
        Assert.Equal([200, 200, 200, 204, 429, 202, 404, 400, 200], loop.Select(a => a.Status));
        for (int i = 0; i < kestrel.Count; i++)
        {
            Assert.Equal(kestrel[i].Headers.Keys.Order(), loop[i].Headers.Keys.Order());
            foreach (string stable in new[] { "content-type", "content-length", "x-amz-executed-version", "x-amz-function-error", "x-amzn-errortype", "retry-after" })
            {
                Assert.Equal(kestrel[i].Headers.GetValueOrDefault(stable), loop[i].Headers.GetValueOrDefault(stable));
            }
        }

        Assert.Equal("""{"a":1}""", loop[0].Body);
        Assert.Matches("^[0-9a-f-]{36}$", loop[0].Headers["x-amzn-requestid"]);
        Assert.StartsWith("Root=1-", loop[0].Headers["x-amzn-trace-id"], StringComparison.Ordinal);
        string tail = Encoding.UTF8.GetString(Convert.FromBase64String(loop[1].Headers["x-amz-log-result"]));
        Assert.Contains($"START RequestId: {loop[1].Headers["x-amzn-requestid"]}", tail, StringComparison.Ordinal);
        Assert.Contains($"REPORT RequestId: {loop[1].Headers["x-amzn-requestid"]}", tail, StringComparison.Ordinal);
        Assert.Equal("Unhandled", loop[2].Headers["x-amz-function-error"]);
        Assert.Equal("failed on purpose", JsonDocument.Parse(loop[2].Body).RootElement.GetProperty("errorMessage").GetString());
        Assert.Equal("TooManyRequestsException", loop[4].Headers["x-amzn-errortype"]);
        Assert.Equal(kestrel[4].Body, loop[4].Body);
        Assert.Equal("ResourceNotFoundException", loop[6].Headers["x-amzn-errortype"]);
        Assert.Equal("InvalidRequestContentException", loop[7].Headers["x-amzn-errortype"]);
        Assert.Equal("""{"e":5}""", loop[8].Body);
    }

    [Fact]
    public async Task Pipelined_invocations_are_answered_in_order_and_each_gets_its_report_after_its_answer()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("echo");
        using Socket socket = new(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Endpoint.Port)).WaitAsync(TestHost.Wait);
        StringBuilder requests = new();
        for (int i = 0; i < 5; i++)
        {
            string body = $$"""{"n":{{i}}}""";
            requests.Append($"POST /2015-03-31/functions/echo/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        }

        await socket.SendAsync(Encoding.ASCII.GetBytes(requests.ToString())).WaitAsync(TestHost.Wait);
        List<Answer> answers = await ReadAnswersAsync(socket, 5);

        Assert.Equal(5, server.Route!.Taken);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $$"""{"n":{{i}}}"""), answers.Select(a => a.Body));
        await server.Test.Host.LogsSettledAsync("echo").WaitAsync(TestHost.Wait);
        List<string> log = await server.Test.LogMessagesAsync("echo");
        foreach (Answer answer in answers)
        {
            string id = answer.Headers["x-amzn-requestid"];
            int start = log.FindIndex(m => m.StartsWith($"START RequestId: {id}", StringComparison.Ordinal));
            int end = log.FindIndex(m => m.StartsWith($"END RequestId: {id}", StringComparison.Ordinal));
            int report = log.FindIndex(m => m.StartsWith($"REPORT RequestId: {id}", StringComparison.Ordinal));
            Assert.True(start >= 0 && end > start && report > end, $"log for {id}: {string.Join(" | ", log)}");
        }

        // Sequential on one connection: one environment did all five.
        Assert.Equal(1, server.Test.Host.EnvironmentCount("echo"));
    }

    [Fact]
    public async Task A_caller_that_leaves_mid_invocation_does_not_stop_the_invocation_or_the_loop()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("echo");
        using HttpClient http = server.Client();
        // Warm first, so that the next call starts on the loop's thread.
        using (HttpResponseMessage warm = await http.PostAsync("/2015-03-31/functions/echo/invocations", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        using (Socket socket = new(SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Endpoint.Port)).WaitAsync(TestHost.Wait);
            const string body = """{"nap":true}""";
            await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /2015-03-31/functions/echo/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
            await server.Test.WaitForLogAsync("echo", m => m.StartsWith("handling", StringComparison.Ordinal), count: 2);
            // A reset, not a close: the loop drops the connection at once, with the invocation still running.
            socket.LingerState = new LingerOption(true, 0);
        }

        // The napping invocation finishes (its REPORT is written) although nobody waits for it, and the loop goes on.
        await server.Test.WaitForLogAsync("echo", m => m.StartsWith("REPORT", StringComparison.Ordinal), count: 2);
        using HttpResponseMessage after = await http.PostAsync("/2015-03-31/functions/echo/invocations", new StringContent("""{"after":1}"""));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("""{"after":1}""", await after.Content.ReadAsStringAsync());
        Assert.Equal(3, server.Route!.Taken);
    }

    [Fact]
    public async Task An_answer_larger_than_the_socket_takes_at_once_arrives_whole_and_in_order()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("echo");
        // A small receive window, and nobody reading at first: the answer's first send cannot take it all, and the
        // loop sends the rest as the client reads (whether the function's thread or the loop sent the first part).
        using Socket socket = new(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Endpoint.Port)).WaitAsync(TestHost.Wait);
        string large = $$"""{"text":"{{new string('x', 60_000)}}"}""";
        const string small = """{"after":true}""";
        string requests = $"POST /2015-03-31/functions/echo/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {large.Length}\r\n\r\n{large}"
            + $"POST /2015-03-31/functions/echo/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {small.Length}\r\n\r\n{small}";
        await socket.SendAsync(Encoding.ASCII.GetBytes(requests)).WaitAsync(TestHost.Wait);
        // The first answer's REPORT is written once the loop has made its first send of that answer (the exchange's
        // Sent, after Flush's first send whether or not the socket took it all): nobody has read yet, so the send was
        // partial. An event to wait for, not a sleep that a loaded machine could outlast.
        await server.Test.WaitForLogAsync("echo", m => m.StartsWith("REPORT", StringComparison.Ordinal));

        List<Answer> answers = await ReadAnswersAsync(socket, 2);

        Assert.Equal([large, small], answers.Select(a => a.Body));
        Assert.Equal(2, server.Route!.Taken);
    }

    /// <summary>Content-Length-framed answers from a raw socket.</summary>
    private static async Task<List<Answer>> ReadAnswersAsync(Socket socket, int count)
    {
        List<byte> pending = [];
        List<Answer> answers = [];
        byte[] buffer = new byte[8192];
        while (answers.Count < count)
        {
            string text = Encoding.ASCII.GetString([.. pending]);
            int headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd >= 0)
            {
                string[] lines = text[..headEnd].Split("\r\n");
                Dictionary<string, string> headers = lines.Skip(1).Select(line => line.Split(':', 2))
                    .ToDictionary(parts => parts[0].Trim().ToLowerInvariant(), parts => parts[1].Trim());
                int length = int.Parse(headers["content-length"]);
                if (pending.Count >= headEnd + 4 + length)
                {
                    answers.Add(new Answer(int.Parse(lines[0].Split(' ')[1]), headers, Encoding.UTF8.GetString([.. pending.GetRange(headEnd + 4, length)])));
                    pending.RemoveRange(0, headEnd + 4 + length);
                    continue;
                }
            }

            int read = await socket.ReceiveAsync(buffer).WaitAsync(TestHost.Wait);
            if (read == 0)
            {
                throw new EndOfStreamException($"closed after {answers.Count} answers");
            }

            pending.AddRange(buffer.AsSpan(0, read));
        }

        return answers;
    }
}
