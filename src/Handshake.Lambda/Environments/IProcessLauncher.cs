namespace Handshake.Lambda.Environments;

/// <summary>Starts an environment's process in its own process group. The seam where processes cross.</summary>
public interface IProcessLauncher
{
    IChildProcess Start(ProcessLaunchSpec spec);
}

public sealed record ProcessLaunchSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment);

/// <summary>A running process group: the leader's id is the group id.</summary>
public interface IChildProcess : IAsyncDisposable
{
    int ProcessId { get; }

    /// <summary>The read ends of the stdout and stderr pipes.</summary>
    System.Runtime.InteropServices.SafeHandle StandardOutput { get; }

    System.Runtime.InteropServices.SafeHandle StandardError { get; }

    /// <summary>Completes with the exit description when the leader has exited: "exit status N" or "signal: killed".</summary>
    Task<string> Exited { get; }

    /// <summary>Sends a signal to the whole process group.</summary>
    void SignalGroup(ProcessSignal signal);

    /// <summary>Bytes written by the process to stdout and stderr that have not been read yet.</summary>
    int PendingOutputBytes();

    /// <summary>
    /// The processes of the environment's cgroup: the group's and those that left it. Empty without a cgroup, where only
    /// the group is known.
    /// </summary>
    IReadOnlyList<int> ContainedProcesses() => [];
}

/// <summary>Linux signal numbers.</summary>
public enum ProcessSignal
{
    Kill = 9,
    Term = 15,
    Cont = 18,
    Stop = 19,
}
