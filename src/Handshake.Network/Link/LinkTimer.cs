using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Handshake.Network.Link;

/// <summary>
/// The link's clock: completes each wait at its deadline (a <see cref="Stopwatch"/> timestamp), never earlier, and
/// late by the kernel's wake-up and a thread-pool hop (tens of microseconds), whatever the delay.
/// </summary>
/// <remarks>
/// Task.Delay cannot do this: it takes whole milliseconds (a wait under 1 ms is no wait at all) and fires on the
/// runtime's timer tick (about 4 ms on this machine), so a 2 ms round trip (1 ms each way) added almost nothing and
/// a 4 ms one added about 8 ms. Here one thread per link blocks in read(2) on a timerfd(2) armed for the earliest
/// deadline. A timerfd is a high-resolution kernel timer with no timer slack, so nothing needs to spin for precision:
/// the CPU cost is one wake-up per distinct deadline (the waits due by then are released together), and none while
/// the link is idle. A wait earlier than the armed deadline (a data chunk's half round trip while a handshake's full
/// one is armed) re-arms the timer from the caller's thread: timerfd_settime is safe against the concurrent read, and
/// the thread re-arms for the earliest remaining deadline after every wake-up, so no deadline is missed.
/// </remarks>
internal sealed partial class LinkTimer : IDisposable
{
    private const int ClockMonotonic = 1; // CLOCK_MONOTONIC: wall-clock changes do not move it
    private const int CloseOnExec = 0x80000; // TFD_CLOEXEC: the functions' processes must not inherit it
    private const int Interrupted = 4; // EINTR
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    private readonly Lock _gate = new();
    private readonly PriorityQueue<TaskCompletionSource, long> _waits = new();
    private readonly int _timer;
    private readonly Thread _thread;
    private long _armedFor = long.MaxValue;
    private bool _disposed;

    public LinkTimer()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the emulated link's delay needs Linux's timerfd(2)");
        }

        _timer = TimerFdCreate(ClockMonotonic, CloseOnExec);
        if (_timer < 0)
        {
            throw new IOException($"timerfd_create failed: errno {Marshal.GetLastPInvokeError()}");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "Emulated link timer" };
        _thread.Start();
    }

    /// <summary>Completes at <paramref name="due"/> or later, never earlier; cancelled when the timer is disposed.</summary>
    public Task WaitUntilAsync(long due)
    {
        if (due <= Stopwatch.GetTimestamp())
        {
            return Task.CompletedTask;
        }

        // The continuation (the link's send) runs on the thread pool, not on the timer's thread, which must be back in
        // read(2) for the next deadline.
        TaskCompletionSource wait = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_disposed)
            {
                wait.SetCanceled();
                return wait.Task;
            }

            _waits.Enqueue(wait, due);
            if (due < _armedFor)
            {
                Arm(due);
            }
        }

        return wait.Task;
    }

    /// <summary>Completes <paramref name="delay"/> from now or later.</summary>
    public Task DelayAsync(TimeSpan delay) => WaitUntilAsync(After(delay));

    /// <summary>The Stopwatch timestamp <paramref name="delay"/> from now.</summary>
    public static long After(TimeSpan delay) => Stopwatch.GetTimestamp() + (long)Math.Ceiling(delay.TotalSeconds * Stopwatch.Frequency);

    private void Run()
    {
        List<TaskCompletionSource> due = [];
        while (true)
        {
            long expirations = 0;
            if (Read(_timer, ref expirations, sizeof(long)) < 0 && Marshal.GetLastPInvokeError() != Interrupted)
            {
                break;
            }

            lock (_gate)
            {
                if (_disposed)
                {
                    break;
                }

                long now = Stopwatch.GetTimestamp();
                while (_waits.TryPeek(out TaskCompletionSource? wait, out long at) && at <= now)
                {
                    _waits.Dequeue();
                    due.Add(wait);
                }

                _armedFor = long.MaxValue;
                if (_waits.TryPeek(out _, out long next))
                {
                    Arm(next);
                }
            }

            foreach (TaskCompletionSource wait in due)
            {
                wait.TrySetResult();
            }

            due.Clear();
        }

        Close(_timer);
    }

    // Relative, so that no clock conversion is needed: the countdown starts at the system call, a little after `now`
    // was read, so the timer fires at the deadline or just after it, never before. Called under _gate.
    private void Arm(long due)
    {
        long nanoseconds = Math.Max(1, (long)Math.Ceiling((due - Stopwatch.GetTimestamp()) * NanosecondsPerTick)); // 0 would disarm it
        TimerSpec spec = new() { ValueSeconds = nanoseconds / 1_000_000_000, ValueNanoseconds = nanoseconds % 1_000_000_000 };
        if (TimerFdSetTime(_timer, 0, ref spec, IntPtr.Zero) < 0)
        {
            throw new IOException($"timerfd_settime failed: errno {Marshal.GetLastPInvokeError()}");
        }

        _armedFor = due;
    }

    /// <summary>Cancels the waits still pending and stops the thread (it closes the timerfd on its way out).</summary>
    public void Dispose()
    {
        List<TaskCompletionSource> pending = [];
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            while (_waits.TryDequeue(out TaskCompletionSource? wait, out _))
            {
                pending.Add(wait);
            }

            Arm(Stopwatch.GetTimestamp());
            _disposed = true;
        }

        foreach (TaskCompletionSource wait in pending)
        {
            wait.TrySetCanceled();
        }

        _thread.Join(TimeSpan.FromSeconds(5));
    }

    // struct itimerspec on 64-bit Linux: two struct timespec (time_t seconds, long nanoseconds), interval first.
    [StructLayout(LayoutKind.Sequential)]
    private struct TimerSpec
    {
        public long IntervalSeconds;
        public long IntervalNanoseconds;
        public long ValueSeconds;
        public long ValueNanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "timerfd_create", SetLastError = true)]
    private static partial int TimerFdCreate(int clockId, int flags);

    [LibraryImport("libc", EntryPoint = "timerfd_settime", SetLastError = true)]
    private static partial int TimerFdSetTime(int fd, int flags, ref TimerSpec newValue, IntPtr oldValue);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, ref long value, nuint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
