namespace Handshake.Lambda.Environments;

/// <summary>
/// Memory size enforcement: while the environment runs (init and invocations; a frozen group cannot grow), the resident
/// memory of its process group, and of its cgroup's processes outside the group, is sampled; above the function's
/// MemorySize the group is killed (and with it the cgroup), and the invocation (or init) is answered
/// Runtime.OutOfMemory, as Lambda does when its sandbox's memory limit is hit.
/// </summary>
internal sealed partial class ExecutionEnvironment
{
    private long _peakResidentBytes;
    private bool _outOfMemory;

    /// <summary>True once the environment was killed for exceeding its memory size.</summary>
    public bool OutOfMemory
    {
        get
        {
            lock (_gate)
            {
                return _outOfMemory;
            }
        }
    }

    private async Task WatchMemoryAsync(IChildProcess process)
    {
        long limit = (long)Definition.MemorySize * 1024 * 1024;
        using PeriodicTimer timer = new(_host.Options.MemoryCheckInterval, _host.Options.Clock);
        while (!process.Exited.IsCompleted)
        {
            if (!IsFrozen)
            {
                long resident = ProcessGroupMemory.ResidentBytes(process.ProcessId, process.ContainedProcesses(), _host.Options.MemoryCheckInterval / 2);
                if (resident > Interlocked.Read(ref _peakResidentBytes))
                {
                    Interlocked.Exchange(ref _peakResidentBytes, resident);
                }

                if (resident > limit)
                {
                    lock (_gate)
                    {
                        _outOfMemory = true;
                    }

                    // MonitorExitAsync answers the invocation (or init) once the leader is gone.
                    process.SignalGroup(ProcessSignal.Kill);
                    return;
                }
            }

            // The timer stops mattering once the process exits; waking once more after that is harmless.
            if (!await timer.WaitForNextTickAsync().ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>The group's measured peak, or the leader's own high-water mark when it is higher (it sees between samples).</summary>
    private long PeakMemoryUsedMb(long leaderHighWaterMb) =>
        Math.Max(leaderHighWaterMb, Interlocked.Read(ref _peakResidentBytes) / (1024 * 1024));
}
