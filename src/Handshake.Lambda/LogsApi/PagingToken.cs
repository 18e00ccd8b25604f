using System.Globalization;
using System.Text;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// The nextToken of DescribeLogStreams and FilterLogEvents: a position (an offset in the stream list, a sequence number
/// in the log) behind a prefix naming the operation, in base64, so that clients treat it as opaque, as CloudWatch's
/// own tokens, and a token of one operation is not taken by the other.
/// </summary>
internal static class PagingToken
{
    public static string Write(string prefix, long position) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(prefix + position.ToString(CultureInfo.InvariantCulture)));

    /// <exception cref="LogsException">InvalidParameterException "The specified nextToken is invalid." for anything else.</exception>
    public static long Read(string prefix, string token)
    {
        try
        {
            string text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith(prefix, StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long position))
            {
                return position;
            }
        }
        catch (FormatException)
        {
        }

        throw LogsException.InvalidNextToken();
    }
}
