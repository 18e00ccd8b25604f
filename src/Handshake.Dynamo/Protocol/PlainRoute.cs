using System.Buffers;
using System.Text;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// Requests other than the store's that the event loop answers itself: a plain POST to a path other than "/" (the
/// Lambda Invoke API on <c>handshake up</c>'s port). Without a route, or when <see cref="Begin"/> declines, the request
/// and the rest of its connection go to Kestrel's HTTP layer, as any request the loop does not answer does.
/// </summary>
public interface IPlainRoute
{
    /// <summary>
    /// Starts the request, or returns null to leave it to Kestrel (nothing has been answered yet). Called on the loop's
    /// thread, which serves other connections too: it must not block.
    /// </summary>
    /// <param name="target">The request target: the path and any query, as sent.</param>
    /// <param name="head">The request's head after the request line: its header lines (see <see cref="PlainHead"/>).</param>
    /// <param name="body">The body, valid only during the call.</param>
    IPlainExchange? Begin(string target, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body);
}

/// <summary>One request a route has begun.</summary>
public interface IPlainExchange
{
    /// <summary>Completes, on any thread, once the answer can be written.</summary>
    Task Completion { get; }

    /// <summary>Writes the whole answer: status line, headers and body. On the loop's thread.</summary>
    void WriteAnswer(IBufferWriter<byte> output);

    /// <summary>The answer has been handed to the socket (or the client has gone): work that must not delay it runs now.</summary>
    void Sent();
}

/// <summary>Header lookups in a plain request's head (ASCII: <see cref="PlainRequest"/> hands over anything else).</summary>
public static class PlainHead
{
    /// <summary>How many times the header occurs, and the first value, trimmed.</summary>
    public static int Find(ReadOnlySpan<byte> head, ReadOnlySpan<byte> name, out string value)
    {
        value = "";
        int count = 0;
        while (!head.IsEmpty)
        {
            int end = head.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> line = end < 0 ? head : head[..end];
            head = end < 0 ? default : head[(end + 2)..];
            int colon = line.IndexOf((byte)':');
            if (colon > 0 && Ascii.EqualsIgnoreCase(line[..colon], name))
            {
                if (count++ == 0)
                {
                    value = Encoding.ASCII.GetString(line[(colon + 1)..].Trim(" \t"u8));
                }
            }
        }

        return count;
    }
}
