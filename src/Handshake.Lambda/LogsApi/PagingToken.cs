using System.Globalization;
using System.Text;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// The nextToken of DescribeLogStreams and FilterLogEvents: a position (an offset in the stream list; an event's place
/// in the log's read order, <see cref="LogPosition"/>) behind a prefix naming the operation, in base64, so that clients
/// treat it as opaque, as CloudWatch's own tokens, and a token of one operation is not taken by the other.
/// </summary>
internal static class PagingToken
{
    public static string Write(string prefix, long position) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(prefix + position.ToString(CultureInfo.InvariantCulture)));

    public static string Write(string prefix, LogPosition position) =>
        Write(prefix + position.Timestamp.ToString(CultureInfo.InvariantCulture) + "/", position.Sequence);

    /// <exception cref="LogsException">InvalidParameterException "The specified nextToken is invalid." for anything else.</exception>
    public static LogPosition ReadPosition(string prefix, string token)
    {
        string text = Decode(token);
        int slash = text.StartsWith(prefix, StringComparison.Ordinal) ? text.IndexOf('/', prefix.Length) : -1;
        if (slash > prefix.Length
            && long.TryParse(text.AsSpan(prefix.Length, slash - prefix.Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long timestamp)
            && long.TryParse(text.AsSpan(slash + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long sequence))
        {
            return new LogPosition(timestamp, sequence);
        }

        throw LogsException.InvalidNextToken();
    }

    /// <exception cref="LogsException">InvalidParameterException "The specified nextToken is invalid." for anything else.</exception>
    public static long Read(string prefix, string token)
    {
        string text = Decode(token);
        if (text.StartsWith(prefix, StringComparison.Ordinal)
            && long.TryParse(text.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long position))
        {
            return position;
        }

        throw LogsException.InvalidNextToken();
    }

    private static string Decode(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw LogsException.InvalidNextToken();
        }
    }
}
