using System.Net;
using System.Net.Sockets;
using System.Text;
using Handshake.Runtime.Client;
using Handshake.Tests.Shared;

namespace Handshake.Runtime.Tests;

/// <summary>
/// The synchronous Runtime API client's HTTP/1.1 framing against scripted raw answers: every read split into one-byte
/// pieces, chunked and unframed bodies, error statuses, and connections the server closes.
/// </summary>
public sealed class RuntimeApiHttpTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private const string NextHead =
        "HTTP/1.1 200 OK\r\nlambda-runtime-aws-request-id: 8476a536-e9f4-11e8-9739-2dfe598c3fcd\r\n" +
        "LAMBDA-RUNTIME-DEADLINE-MS:1542409706888\r\nLambda-Runtime-Invoked-Function-Arn: \t arn:aws:lambda:us-east-2:123456789012:function:custom-runtime \r\n" +
        "Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1\r\n" +
        "Lambda-Runtime-Client-Context: {\"custom\":1}\r\nLambda-Runtime-Cognito-Identity: {\"cognitoIdentityId\":\"x\"}\r\n";

    /// <summary>A client whose every read returns at most one byte, so each header, chunk line and body is split across reads.</summary>
    private static RuntimeApiClient Trickling(ScriptedHttpServer api) =>
        new(api.Address, () =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Connect(IPEndPoint.Parse(api.Address));
            return new OneByteStream(new NetworkStream(socket, ownsSocket: true));
        });

    private static Task<T> Off<T>(Func<T> call) => Task.Run(call).WaitAsync(Timeout);

    private static Task Off(Action call) => Task.Run(call).WaitAsync(Timeout);

    [Fact]
    public async Task Headers_split_across_reads_and_case_insensitive_names_are_parsed()
    {
        await using var api = new ScriptedHttpServer();
        api.Enqueue(NextHead + "Content-Length: 13\r\n\r\n{\"hello\":\"w\"}");
        using var client = Trickling(api);

        var invocation = await Off(() => client.GetNextInvocation());

        Assert.Equal("8476a536-e9f4-11e8-9739-2dfe598c3fcd", invocation.AwsRequestId);
        Assert.Equal(1542409706888, invocation.DeadlineMs);
        Assert.Equal("arn:aws:lambda:us-east-2:123456789012:function:custom-runtime", invocation.InvokedFunctionArn);
        Assert.Equal("Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1", invocation.TraceId);
        Assert.Equal("{\"custom\":1}", invocation.ClientContext);
        Assert.Equal("{\"cognitoIdentityId\":\"x\"}", invocation.CognitoIdentity);
        Assert.Equal("{\"hello\":\"w\"}", Encoding.UTF8.GetString(invocation.Payload));
        Assert.True(api.Requests.TryPeek(out var request));
        Assert.Equal($"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: {api.Address}\r\n\r\n", request);
    }

    [Fact]
    public async Task Headers_larger_than_the_read_buffer_and_a_large_body_are_read_whole()
    {
        await using var api = new ScriptedHttpServer();
        var context = new string('c', 40_000);
        var payload = new string('p', 3_000_000);
        api.Enqueue($"HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: big\r\nLambda-Runtime-Client-Context: {context}\r\nContent-Length: {payload.Length}\r\n\r\n{payload}");
        api.Enqueue(NextHead + "Content-Length: 1\r\n\r\n2");
        using var client = new RuntimeApiClient(api.Address);

        var first = await Off(() => client.GetNextInvocation());
        var second = await Off(() => client.GetNextInvocation());

        Assert.Equal(context, first.ClientContext);
        Assert.Equal(payload.Length, first.Payload.Length);
        Assert.True(first.Payload.AsSpan().IndexOfAnyExcept((byte)'p') < 0);
        Assert.Equal("2", Encoding.UTF8.GetString(second.Payload));
        Assert.Equal(1, api.Connections);
    }

    [Fact]
    public async Task Chunked_body_with_extensions_and_trailers_is_reassembled()
    {
        await using var api = new ScriptedHttpServer();
        api.Enqueue(NextHead + "Transfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"a\"\r\nA\r\n:[1,2,3,4]\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n");
        api.Enqueue("HTTP/1.1 202 Accepted\r\ntransfer-encoding: chunked\r\n\r\nF\r\n{\"status\":\"OK\"}\r\n0\r\n\r\n");
        using var client = Trickling(api);

        var invocation = await Off(() => client.GetNextInvocation());
        await Off(() => client.PostInvocationResponse(invocation.AwsRequestId, "ok"u8));

        Assert.Equal("{\"a\":[1,2,3,4]}", Encoding.UTF8.GetString(invocation.Payload));
        Assert.Equal(1, api.Connections);
        Assert.Equal(1, client.Connections);
    }

    [Fact]
    public async Task Posts_carry_content_length_and_the_error_type()
    {
        await using var api = new ScriptedHttpServer();
        api.Enqueue("HTTP/1.1 202 Accepted\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}\n");
        api.Enqueue("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
        api.Enqueue("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
        using var client = new RuntimeApiClient(api.Address);
        var error = new LambdaError("Bad\r\nType", "boom", ["at X"]);

        await Off(() => client.PostInvocationResponse("id/1", "{\"r\":1}"u8));
        await Off(() => client.PostInvocationError("id-2", error));
        await Off(() => client.PostInitError(error));

        var requests = api.Requests.ToArray();
        Assert.Equal(
            $"POST /2018-06-01/runtime/invocation/id%2F1/response HTTP/1.1\r\nHost: {api.Address}\r\nContent-Length: 7\r\n\r\n{{\"r\":1}}",
            requests[0]);
        var body = Encoding.UTF8.GetString(error.ToUtf8Json());
        Assert.Equal(
            $"POST /2018-06-01/runtime/invocation/id-2/error HTTP/1.1\r\nHost: {api.Address}\r\nContent-Length: {body.Length}\r\n" +
            $"Content-Type: application/vnd.aws.lambda.error+json\r\nLambda-Runtime-Function-Error-Type: Bad  Type\r\n\r\n{body}",
            requests[1]);
        Assert.StartsWith("POST /2018-06-01/runtime/init/error HTTP/1.1\r\n", requests[2], StringComparison.Ordinal);
        Assert.Equal(1, api.Connections);
    }

    [Theory]
    [InlineData(400, "InvalidRequestID")]
    [InlineData(403, "InvalidStateTransition")]
    [InlineData(413, "RequestEntityTooLarge")]
    [InlineData(500, "Runtime.ExitError")]
    public async Task Error_answers_become_RuntimeApiException_and_the_connection_stays_usable(int status, string errorType)
    {
        await using var api = new ScriptedHttpServer();
        var body = $"{{\"errorMessage\":\"m\",\"errorType\":\"{errorType}\"}}";
        api.Enqueue($"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        api.Enqueue($"HTTP/1.1 {status} X\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        api.Enqueue(NextHead + "Content-Length: 2\r\n\r\n{}");
        using var client = Trickling(api);

        var onPost = await Assert.ThrowsAsync<RuntimeApiException>(() => Off(() => client.PostInvocationResponse("r", "x"u8)));
        var onNext = await Assert.ThrowsAsync<RuntimeApiException>(() => Off(() => client.GetNextInvocation()));
        var invocation = await Off(() => client.GetNextInvocation());

        Assert.Equal((HttpStatusCode)status, onPost.StatusCode);
        Assert.Equal(status == 500, onPost.RuntimeShouldExit);
        Assert.Contains(errorType, onPost.Message, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode)status, onNext.StatusCode);
        Assert.Equal("{}", Encoding.UTF8.GetString(invocation.Payload));
        Assert.Equal(1, api.Connections);
    }

    [Fact]
    public async Task A_connection_the_server_closed_between_calls_is_reopened()
    {
        await using var api = new ScriptedHttpServer();
        api.Enqueue(NextHead + "Content-Length: 1\r\n\r\n1", close: true);
        api.Enqueue("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", close: true);
        api.Enqueue(NextHead + "Content-Length: 1\r\n\r\n2");
        using var client = new RuntimeApiClient(api.Address);

        var first = await Off(() => client.GetNextInvocation());
        await Off(() => client.PostInvocationResponse(first.AwsRequestId, "1"u8));
        var second = await Off(() => client.GetNextInvocation());

        Assert.Equal("2", Encoding.UTF8.GetString(second.Payload));
        Assert.Equal(3, api.Connections);
        Assert.Equal(3, api.Requests.Count);
    }

    [Fact]
    public async Task Connection_close_header_and_an_unframed_body_end_the_connection()
    {
        await using var api = new ScriptedHttpServer();
        api.Enqueue(NextHead + "Connection: close\r\n\r\nunframed until close", close: true);
        api.Enqueue(NextHead + "Content-Length: 1\r\n\r\n2");
        using var client = Trickling(api);

        var first = await Off(() => client.GetNextInvocation());
        var second = await Off(() => client.GetNextInvocation());

        Assert.Equal("unframed until close", Encoding.UTF8.GetString(first.Payload));
        Assert.Equal("2", Encoding.UTF8.GetString(second.Payload));
        Assert.Equal(2, api.Connections);
    }

    [Fact]
    public async Task A_body_cut_short_is_a_connection_error_not_a_payload()
    {
        await using var api = new ScriptedHttpServer();
        api.Enqueue(NextHead + "Content-Length: 100\r\n\r\nonly this", close: true);
        using var client = new RuntimeApiClient(api.Address);

        var failed = await Assert.ThrowsAsync<HttpRequestException>(() => Off(() => client.GetNextInvocation()));

        Assert.Equal(HttpRequestError.ConnectionError, failed.HttpRequestError);
        Assert.Equal(1, api.Connections);
    }

    [Theory]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("SPDY/3 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")]
    public async Task A_malformed_answer_is_an_invalid_response(string raw)
    {
        await using var api = new ScriptedHttpServer();
        api.Enqueue(raw);
        using var client = new RuntimeApiClient(api.Address);

        var failed = await Assert.ThrowsAsync<HttpRequestException>(() => Off(() => client.GetNextInvocation()));

        Assert.Equal(HttpRequestError.InvalidResponse, failed.HttpRequestError);
    }

    [Fact]
    public async Task No_runtime_api_listening_is_a_connection_error()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var address = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();
        using var client = new RuntimeApiClient(address);

        var failed = await Assert.ThrowsAsync<HttpRequestException>(() => Off(() => client.GetNextInvocation()));

        Assert.Equal(HttpRequestError.ConnectionError, failed.HttpRequestError);
    }

    [Fact]
    public async Task Cancelling_wakes_a_next_that_is_waiting_for_an_event()
    {
        await using var api = new ScriptedHttpServer();
        using var client = new RuntimeApiClient(api.Address);
        using var cancel = new CancellationTokenSource();

        var waiting = Task.Run(() => client.GetNextInvocation(cancel.Token));
        await api.FirstRequest.WaitAsync(Timeout);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Timeout));
    }

    [Theory]
    [InlineData("")]
    [InlineData("host:port:extra")]
    [InlineData("host/path")]
    public void A_runtime_api_that_is_not_host_port_is_refused(string value)
    {
        Assert.ThrowsAny<ArgumentException>(() => new RuntimeApiClient(value));
    }

    /// <summary>Returns at most one byte per read.</summary>
    private sealed class OneByteStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
