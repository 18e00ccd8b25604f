using System.IO.Hashing;
using System.Net.Sockets;
using System.Text;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Tests;

/// <summary>
/// Chunked request bodies that Kestrel refuses while the store reads them: bad input, so a DynamoDB-shaped 4xx with
/// its x-amz-crc32, never the retryable 500 that an SDK would resend.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ChunkedBodyTests(ServerFixture fixture)
{
    private const string Head =
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n" +
        "Content-Type: application/x-amz-json-1.0\r\n" +
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00\r\n" +
        "Transfer-Encoding: chunked\r\n\r\n";

    [Fact]
    public async Task AMalformedChunkSizeIsASerializationException()
    {
        var (status, body) = await SendAsync(Encoding.ASCII.GetBytes(Head + "zz\r\n{}\r\n0\r\n\r\n"));
        Assert.Equal(400, status);
        Assert.Equal("""{"__type":"com.amazon.coral.service#SerializationException"}""", body);
    }

    [Fact]
    public async Task AChunkedBodyPastTheRequestLimitIsRequestEntityTooLarge()
    {
        // The body as chunks of 1 MB, one byte past the limit in all, so it is sent whole before the answer is read.
        using var request = new MemoryStream();
        request.Write(Encoding.ASCII.GetBytes(Head));
        int remaining = DynamoHttpEndpoint.MaxRequestBytes + 1;
        var chunk = new byte[1024 * 1024];
        Array.Fill(chunk, (byte)' ');
        while (remaining > 0)
        {
            int size = Math.Min(chunk.Length, remaining);
            request.Write(Encoding.ASCII.GetBytes(size.ToString("x") + "\r\n"));
            request.Write(chunk, 0, size);
            request.Write("\r\n"u8);
            remaining -= size;
        }
        request.Write("0\r\n\r\n"u8);

        var (status, body) = await SendAsync(request.ToArray());
        Assert.Equal(413, status);
        Assert.Equal("""{"__type":"com.amazon.coral.service#RequestEntityTooLarge","message":"Request must be smaller than 16777216 bytes for the ListTables operation"}""", body);
    }

    /// <summary>Sends one raw request and reads its Content-Length-framed answer; checks its x-amz-crc32.</summary>
    private async Task<(int Status, string Body)> SendAsync(byte[] request)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(fixture.Server.Endpoint.Host, fixture.Server.Endpoint.Port).WaitAsync(ServerFixture.Timeout);
        await socket.SendAsync(request, SocketFlags.None).WaitAsync(ServerFixture.Timeout);
        var received = new List<byte>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(ServerFixture.Timeout);
            if (read == 0) break;
            received.AddRange(buffer.AsSpan(0, read));
            var text = Encoding.UTF8.GetString(received.ToArray());
            int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0) continue;
            var headers = text[..end].Split("\r\n");
            int length = int.Parse(headers.Single(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))["Content-Length:".Length..].Trim());
            if (received.Count < end + 4 + length) continue;
            var body = received.GetRange(end + 4, length).ToArray();
            var crc = headers.Single(h => h.StartsWith("x-amz-crc32:", StringComparison.OrdinalIgnoreCase))["x-amz-crc32:".Length..].Trim();
            Assert.Equal(Crc32.HashToUInt32(body).ToString(), crc);
            return (int.Parse(headers[0].Split(' ')[1]), Encoding.UTF8.GetString(body));
        }
        throw new InvalidOperationException("The connection closed before a whole answer: " + Encoding.UTF8.GetString(received.ToArray()));
    }
}
