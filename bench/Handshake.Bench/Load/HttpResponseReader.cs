using System.Net.Sockets;

namespace Handshake.Bench.Load;

/// <summary>
/// Reads HTTP/1.1 responses from a kept-alive socket into one reusable buffer: the async counterpart of the load
/// generator's poll loop, for setup requests and start-up probes. One reader per connection.
/// </summary>
public sealed class HttpResponseReader(Socket socket)
{
    private byte[] buffer = new byte[16 * 1024];
    private int filled;
    private int consumed;

    public ReadOnlySpan<byte> Body(HttpResponseHead head) => buffer.AsSpan(head.BodyStart, head.BodyLength);

    public async ValueTask<HttpResponseHead> ReadAsync(CancellationToken ct)
    {
        // Drop the previous response; keep any bytes that came after it.
        if (consumed > 0)
        {
            Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
            filled -= consumed;
            consumed = 0;
        }

        var ended = false;
        while (true)
        {
            if (HttpResponseParser.TryParse(buffer.AsSpan(0, filled), ended, out var head, out consumed))
            {
                return head;
            }

            if (ended)
            {
                throw new IOException("the server closed the connection in the middle of a response");
            }

            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
            filled += read;
            ended = read == 0;
        }
    }
}
