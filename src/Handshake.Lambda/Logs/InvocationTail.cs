using System.Text;

namespace Handshake.Lambda.Logs;

/// <summary>The end of one invocation's log, for X-Amz-Log-Result: the last 4 KB, base64.</summary>
internal sealed class InvocationTail
{
    private const int TailBytes = 4096;
    private readonly StringBuilder _text = new();

    public void AppendLine(string line)
    {
        lock (_text)
        {
            _text.Append(line).Append('\n');
            // Keep a little more than 4 KB of characters: enough for 4 KB of bytes at the end.
            if (_text.Length > 4 * TailBytes)
            {
                _text.Remove(0, _text.Length - TailBytes);
            }
        }
    }

    public string ToBase64()
    {
        byte[] bytes;
        lock (_text)
        {
            bytes = Encoding.UTF8.GetBytes(_text.ToString());
        }

        return bytes.Length <= TailBytes
            ? Convert.ToBase64String(bytes)
            : Convert.ToBase64String(bytes, bytes.Length - TailBytes, TailBytes);
    }
}
