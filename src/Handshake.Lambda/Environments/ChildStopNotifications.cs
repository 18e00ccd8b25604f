using System.Runtime.InteropServices;

namespace Handshake.Lambda.Environments;

/// <summary>
/// Turns off SIGCHLD for children that stop or continue (SA_NOCLDSTOP on the handler .NET installed), keeping it for
/// children that exit. Every freeze and thaw of an environment is a SIGSTOP and a SIGCONT: without this the kernel
/// sends the host a SIGCHLD for each, which interrupts one of its threads and wakes .NET's signal thread to reap
/// children that have not exited: two signals, four thread switches and a waitid per warm invocation, for nothing.
/// .NET's Process only waits for exits (no WUNTRACED), so it never needed these.
/// </summary>
internal static partial class ChildStopNotifications
{
    private const int SIGCHLD = 17;
    private const int SA_NOCLDSTOP = 1;

    // glibc's struct sigaction on Linux (x86-64 and arm64): handler (8 bytes), sa_mask (128), sa_flags (int), padding,
    // sa_restorer (8). Read and written back whole; only the flags change.
    private const int SigactionSize = 152;
    private const int FlagsOffset = 136;

    private static int s_done;

    /// <summary>
    /// Call after the first child has started: .NET installs its SIGCHLD handler then, and a handler installed later
    /// would not have the flag. Once per process; a no-op off Linux or when the call fails.
    /// </summary>
    public static void Disable()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref s_done, 1) == 1)
        {
            return;
        }

        Span<byte> action = stackalloc byte[SigactionSize];
        if (!TryReadHandler(action, out int flags) || (flags & SA_NOCLDSTOP) != 0)
        {
            return;
        }

        MemoryMarshal.Write(action[FlagsOffset..], flags | SA_NOCLDSTOP);
        _ = sigaction(SIGCHLD, ref MemoryMarshal.GetReference(action), IntPtr.Zero);
    }

    /// <summary>Whether SIGCHLD now has a handler installed with SA_NOCLDSTOP. For tests.</summary>
    internal static bool AreOff()
    {
        Span<byte> action = stackalloc byte[SigactionSize];
        return OperatingSystem.IsLinux() && TryReadHandler(action, out int flags) && (flags & SA_NOCLDSTOP) != 0;
    }

    // Reads SIGCHLD's disposition into action; false unless it is a handler (SIG_DFL and SIG_IGN send nothing to wait for).
    private static bool TryReadHandler(Span<byte> action, out int flags)
    {
        action.Clear();
        flags = 0;
        if (sigaction(SIGCHLD, IntPtr.Zero, ref MemoryMarshal.GetReference(action)) != 0 || MemoryMarshal.Read<nint>(action) is 0 or 1)
        {
            return false;
        }

        flags = MemoryMarshal.Read<int>(action[FlagsOffset..]);
        return true;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sigaction(int signal, IntPtr action, ref byte oldAction);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sigaction(int signal, ref byte action, IntPtr oldAction);
}
