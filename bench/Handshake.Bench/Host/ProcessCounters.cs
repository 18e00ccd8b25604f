using System.Globalization;
using Handshake.Lambda;
using Handshake.Lambda.Environments;

namespace Handshake.Bench.Host;

/// <summary>Per-process counters from /proc and getrusage, for the CPU and context switches per invocation.</summary>
internal static class ProcessCounters
{
    /// <summary>The function's process, or 0 when it runs inside this process (the in-process launcher).</summary>
    public static int FunctionProcessId(FunctionHost host, string function)
    {
        foreach (ExecutionEnvironment environment in host.Environments(function))
        {
            if (environment.ProcessId is int pid && pid != Environment.ProcessId && Directory.Exists($"/proc/{pid}/task"))
            {
                return pid;
            }
        }

        return 0;
    }

    /// <summary>
    /// This process's CPU time in ns (getrusage: threads that exited count too; thread-pool threads come and go during
    /// the long warm-up, and a sum over the live threads could then go backwards).
    /// </summary>
    public static long OwnCpuNanoseconds() => Environment.CpuUsage.TotalTime.Ticks * 100;

    /// <summary>Time on CPU of every live thread of <paramref name="pid"/>, in ns (the first field of schedstat).</summary>
    public static long CpuNanoseconds(int pid) => SumOverThreads(pid, "schedstat", static text =>
        long.Parse(text.AsSpan(0, text.IndexOf(' ')), CultureInfo.InvariantCulture));

    /// <summary>
    /// Voluntary and involuntary context switches of every live thread of <paramref name="pid"/>; for this process,
    /// of every thread it has had (getrusage), since a sum over live threads goes backwards when thread-pool threads
    /// retire (a row once printed -115 switches per invocation).
    /// </summary>
    public static long ContextSwitches(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            // struct rusage on x86-64 and arm64 Linux: two timevals, then 14 longs; ru_nvcsw and ru_nivcsw are the last two.
            long[] usage = new long[18];
            return GetResourceUsage(0, usage) == 0 ? usage[16] + usage[17] : 0;
        }

        return SumOverThreads(pid, "status", static text =>
            StatusField(text, "\nvoluntary_ctxt_switches:") + StatusField(text, "\nnonvoluntary_ctxt_switches:"));
    }

    // RUSAGE_SELF = 0.
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetResourceUsage(int who, long[] usage);

    private static long StatusField(string status, string name)
    {
        int at = status.IndexOf(name, StringComparison.Ordinal) + name.Length;
        int end = status.IndexOf('\n', at);
        return long.Parse(status.AsSpan(at, (end < 0 ? status.Length : end) - at).Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>A number read from /proc/PID/task/TID/FILE, summed over the live threads (0 for no process).</summary>
    private static long SumOverThreads(int pid, string file, Func<string, long> read)
    {
        long total = 0;
        if (pid <= 0)
        {
            return 0;
        }

        foreach (string task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            try
            {
                total += read(File.ReadAllText(Path.Combine(task, file)));
            }
            catch (IOException)
            {
                // The thread exited between the listing and the read.
            }
        }

        return total;
    }

    /// <summary>
    /// True when process <paramref name="pid"/> is stopped (state T in /proc/PID/stat: a SIGSTOP, the host's freeze).
    /// False when it runs, sleeps, or is gone.
    /// </summary>
    public static bool IsStopped(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] == 'T';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A child of <paramref name="parent"/> whose command name is <paramref name="name"/>, or 0.</summary>
    public static int ChildProcessId(int parent, string name)
    {
        foreach (string directory in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so parse from its closing parenthesis.
                string stat = File.ReadAllText(Path.Combine(directory, "stat"));
                int open = stat.IndexOf('(');
                int close = stat.LastIndexOf(')');
                string[] rest = stat[(close + 2)..].Split(' ');
                if (stat[(open + 1)..close] == name && int.Parse(rest[1], CultureInfo.InvariantCulture) == parent)
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // Gone between the listing and the read.
            }
        }

        return 0;
    }
}
