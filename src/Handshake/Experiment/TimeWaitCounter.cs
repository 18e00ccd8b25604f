using System.Globalization;

namespace Handshake.Experiment;

/// <summary>
/// Counts sockets in TIME_WAIT to or from the store's port, from /proc/net/tcp and /proc/net/tcp6. That is where a
/// connection-per-invocation mode spends the ephemeral ports (28,232 by default, each held 60 s after its close).
/// </summary>
internal static class TimeWaitCounter
{
    private const string TimeWait = "06";

    /// <summary>The count, or -1 where /proc/net/tcp cannot be read (not Linux).</summary>
    public static long Count(int port)
    {
        string hexPort = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        long count = 0;
        bool read = false;
        foreach (string file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            try
            {
                foreach (string line in File.ReadLines(file))
                {
                    read = true;
                    // "  sl  local_address rem_address   st ...": "0: 0100007F:1F90 0100007F:D2A4 06 ..."
                    string[] fields = line.Split(' ', 5, StringSplitOptions.RemoveEmptyEntries);
                    if (fields.Length >= 4 && fields[3] == TimeWait
                        && (fields[1].EndsWith(hexPort, StringComparison.Ordinal) || fields[2].EndsWith(hexPort, StringComparison.Ordinal)))
                    {
                        count++;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return read ? count : -1;
    }
}
