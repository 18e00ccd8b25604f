using System.Globalization;

namespace Handshake.Lambda.Environments;

/// <summary>
/// The resident memory of a process group, summed over every process whose /proc/PID/stat names the group. Children
/// a function forks (and those reparented to init when their parent exits) are counted, as Lambda counts the sandbox.
/// </summary>
internal static class ProcessGroupMemory
{
    private static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>Bytes resident in the group's processes now (0 when none is left).</summary>
    public static long ResidentBytes(int groupId)
    {
        long pages = 0;
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            ReadOnlySpan<char> name = Path.GetFileName(directory.AsSpan());
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]))
            {
                continue;
            }

            try
            {
                if (GroupOf(File.ReadAllText(directory + "/stat")) == groupId)
                {
                    pages += ResidentPages(File.ReadAllText(directory + "/statm"));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process exited between the listing and the read.
            }
        }

        return pages * PageSize;
    }

    // "pid (comm) state ppid pgrp ...": the command may hold spaces and parentheses, so count from the last ')'.
    private static int GroupOf(string stat)
    {
        ReadOnlySpan<char> rest = stat.AsSpan(stat.LastIndexOf(')') + 2);
        for (int field = 0; field < 2; field++)
        {
            rest = rest[(rest.IndexOf(' ') + 1)..];
        }

        int end = rest.IndexOf(' ');
        return int.TryParse(end < 0 ? rest : rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out int group) ? group : -1;
    }

    // "size resident shared ...", in pages.
    private static long ResidentPages(string statm)
    {
        ReadOnlySpan<char> rest = statm.AsSpan(statm.IndexOf(' ') + 1);
        int end = rest.IndexOf(' ');
        return long.TryParse(end < 0 ? rest : rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out long pages) ? pages : 0;
    }
}
