using System.IO.Hashing;
using System.Net.Sockets;
using System.Text;

namespace Handshake.Dynamo.Tests;

/// <summary>
/// What the HTTP framing fuzz (tests/Handshake.Reliability.Tests/Fuzzing/HttpFramingFuzzTests.cs) found in the store.
/// A chunk size past int's range: Kestrel's chunked reader refuses it with a bare IOException (not the
/// BadHttpRequestException of every other framing error), and the store answered the retryable 500
/// InternalServerError, which SDKs resend. It is bad input: the same 400 SerializationException as any other malformed
/// chunk size (<see cref="ChunkedBodyTests"/>), and the connection closes, since the rest of the body cannot be found.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class HttpFramingFindingsTests(ServerFixture fixture)
{
    private const string Head =
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n" +
        "Content-Type: application/x-amz-json-1.0\r\n" +
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00\r\n" +
        "Transfer-Encoding: chunked\r\n\r\n";

    [Theory]
    [InlineData("80000000")] // int.MaxValue + 1
    [InlineData("ffffffffffffffffff2")]
    [InlineData("100000000000000000000000000000002")]
    public async Task AChunkSizePastIntsRangeIsASerializationExceptionAndTheConnectionCloses(string size)
    {
        // A valid request pipelined behind it: its body cannot be found, so nothing after it may be answered.
        string valid = Head.Replace("Transfer-Encoding: chunked", "Content-Length: 2", StringComparison.Ordinal) + "{}";
        (string answer, bool closed) = await SendAsync(Encoding.ASCII.GetBytes(Head + size + "\r\n{}\r\n0\r\n\r\n" + valid));

        int end = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        string[] head = answer[..end].Split("\r\n");
        string body = answer[(end + 4)..];
        Assert.Equal("HTTP/1.1 400 Bad Request", head[0]);
        Assert.Equal("""{"__type":"com.amazon.coral.service#SerializationException"}""", body);
        string crc = head.Single(h => h.StartsWith("x-amz-crc32:", StringComparison.OrdinalIgnoreCase))["x-amz-crc32:".Length..].Trim();
        Assert.Equal(Crc32.HashToUInt32(Encoding.UTF8.GetBytes(body)).ToString(), crc);
        Assert.True(closed, "the connection stays open after a body whose end cannot be found");
    }

    /// <summary>
    /// Headers that Kestrel refuses with a 400 (RFC 9112 3.2 and 5.1) were answered by the event loop, which answers a
    /// plain request before Kestrel sees it: the same bytes got a 200 or a 400 depending on the path a connection was
    /// on. The loop now leaves such a request to Kestrel.
    /// </summary>
    [Theory]
    [InlineData("Host: 127.0.0.1\r\nHost: other.example\r\n")]
    [InlineData("Host: a b\r\n")]
    [InlineData("Host: 127.0.0.1\r\nX-A mz-Date: 20260101T000000Z\r\n")]
    public async Task AHostRepeatedOrNotAHostAndAHeaderNameThatIsNotATokenAreRefusedAsKestrelRefusesThem(string headers)
    {
        string request = "POST / HTTP/1.1\r\n" + headers + "X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Type: application/x-amz-json-1.0\r\n"
            + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00\r\n"
            + "Content-Length: 2\r\n\r\n{}";
        (string answer, bool closed) = await SendAsync(Encoding.ASCII.GetBytes(request));
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", answer);
        Assert.True(closed);

        // The same request with one plain Host is answered.
        string plain = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + request[request.IndexOf("X-Amz-Target", StringComparison.Ordinal)..].Replace("Content-Length", "Connection: close\r\nContent-Length", StringComparison.Ordinal);
        (answer, _) = await SendAsync(Encoding.ASCII.GetBytes(plain));
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer);
    }

    /// <summary>Sends the bytes and reads until the server closes (10 s at most): everything it wrote, and whether it closed.</summary>
    private async Task<(string Answer, bool Closed)> SendAsync(byte[] request)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(fixture.Server.Endpoint.Host, fixture.Server.Endpoint.Port).WaitAsync(ServerFixture.Timeout);
        await socket.SendAsync(request, SocketFlags.None).WaitAsync(ServerFixture.Timeout);
        var received = new List<byte>();
        var buffer = new byte[64 * 1024];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                if (read == 0) return (Encoding.UTF8.GetString(received.ToArray()), true);
                received.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (OperationCanceledException)
        {
            return (Encoding.UTF8.GetString(received.ToArray()), false);
        }
    }
}
