using System.Net;
using System.Text;
using Handshake.Reliability.Tests.Infrastructure;
using Handshake.Reliability.Tests.SigV4;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// What <see cref="HttpFramingFuzzTests"/> found on `up`'s shared endpoint, beyond the store (whose own test is
/// tests/Handshake.Dynamo.Tests/HttpFramingFindingsTests.cs). A chunk size past int's range: Kestrel's chunked reader
/// refuses it with a bare IOException, not the BadHttpRequestException every reader of a body here catches, so the
/// Lambda API (Invoke and the control plane) answered Kestrel's bare 500, and the store its retryable
/// InternalServerError. Each now answers as for any body it cannot read, in its own shape: a 400, then the connection
/// closes.
/// </summary>
public sealed class HttpFramingFindingsTests : IDisposable
{
    private const string Overflow = "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff2\r\n{}\r\n0\r\n\r\n";
    private const string Authorization = "Authorization: AWS4-HMAC-SHA256 Credential=findings/20261129/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00\r\n";

    private readonly string _directory = Directory.CreateTempSubdirectory("handshake-framing-findings-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AChunkSizePastIntsRangeIsA400InEachApisShapeOnTheSharedEndpoint()
    {
        // The echo function exists (Invoke reads the body only for a function it found); no process is started.
        await using RunningServer server = await StrictServer.StartWithEchoFunctionAsync(_directory, "exports.handler = async (event) => event;\n", strict: false);
        IPEndPoint endpoint = new(IPAddress.Loopback, server.Server.Port);

        RawResponse invoke = await SendAsync(endpoint, "POST /2015-03-31/functions/echo/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n" + Authorization + Overflow);
        Assert.Equal(400, invoke.Status);
        Assert.Equal("InvalidRequestContentException", invoke.Header("x-amzn-ErrorType"));
        Assert.Equal("""{"Type":"User","message":"Could not read the request body."}""", Encoding.UTF8.GetString(invoke.Body));

        RawResponse create = await SendAsync(endpoint, "POST /2015-03-31/functions HTTP/1.1\r\nHost: 127.0.0.1\r\n" + Authorization + Overflow);
        Assert.Equal(400, create.Status);
        Assert.Equal("InvalidRequestContentException", create.Header("x-amzn-ErrorType"));

        RawResponse logs = await SendAsync(endpoint, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: Logs_20140328.DescribeLogGroups\r\n"
            + "Content-Type: application/x-amz-json-1.1\r\n" + Authorization + Overflow);
        Assert.Equal(400, logs.Status);
        Assert.Equal("SerializationException", logs.Header("x-amzn-ErrorType"));

        RawResponse store = await SendAsync(endpoint, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n" + Authorization + Overflow);
        Assert.Equal(400, store.Status);
        Assert.Equal("""{"__type":"com.amazon.coral.service#SerializationException"}""", Encoding.UTF8.GetString(store.Body));
    }

    [Fact]
    public async Task UnderStrictAuthAChunkSizePastIntsRangeIsA400Too()
    {
        // Under --auth strict the body is read for its signature's hash before anything else.
        await using RunningServer server = await RunningServer.StartAsync(StrictServer.Options());
        RawResponse create = await SendAsync(new IPEndPoint(IPAddress.Loopback, server.Server.Port),
            "POST /2015-03-31/functions HTTP/1.1\r\nHost: 127.0.0.1\r\n" + Authorization + Overflow);
        Assert.Equal(400, create.Status);
        Assert.Equal("InvalidRequestContentException", create.Header("x-amzn-ErrorType"));
    }

    /// <summary>The request, then a valid one behind it, with no half-close: the one answer, after which the server closes by itself.</summary>
    private static async Task<RawResponse> SendAsync(IPEndPoint endpoint, string request)
    {
        string behind = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n" + Authorization + "Content-Length: 2\r\n\r\n{}";
        ExchangeResult result = await RawHttpExchange.RunAsync(endpoint, Encoding.ASCII.GetBytes(request + behind), [], 0,
            _ => false, null, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Null(result.FramingError);
        Assert.False(result.TimedOut, "the connection stayed open after a body whose end cannot be found");
        return Assert.Single(result.Responses);
    }
}
