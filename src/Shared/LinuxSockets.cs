using System.Runtime.InteropServices;

namespace Handshake.Sockets;

/// <summary>
/// The system calls of Handshake's own event loops (the store's DynamoEventLoop, the benchmarks' load generator):
/// epoll(7), an eventfd to wake a loop, and accept4, recv and send on non-blocking sockets. .NET's socket engine would
/// hand each event from its epoll thread to the thread pool, which is the hand-off these loops exist to avoid. One
/// source file, linked into Handshake.Dynamo and Handshake.Bench.
/// </summary>
internal static partial class LinuxSockets
{
    public const uint EpollIn = 0x1;
    public const uint EpollOut = 0x4;
    public const uint EpollErr = 0x8;
    public const uint EpollHup = 0x10;

    public const int EpollAdd = 1;
    public const int EpollDelete = 2;
    public const int EpollModify = 3;

    public const int WouldBlock = 11; // EAGAIN
    public const int Interrupted = 4; // EINTR

    private const int NonBlocking = 0x800; // SOCK_NONBLOCK, EFD_NONBLOCK
    private const int CloseOnExec = 0x80000; // SOCK_CLOEXEC, EFD_CLOEXEC, EPOLL_CLOEXEC
    private const int NoSignal = 0x4000; // MSG_NOSIGNAL: a peer gone away is an error code, not SIGPIPE

    // struct epoll_event is packed on x86-64 (4-byte events, then 8-byte data: 12 bytes) and naturally aligned elsewhere.
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int EpollDataOffset = EpollEventSize - 8;

    public static int CreateEpoll() => Check(EpollCreate1(CloseOnExec), "epoll_create1");

    public static int CreateEventFd() => Check(EventFd(0, NonBlocking | CloseOnExec), "eventfd");

    public static void Control(int epoll, int operation, int fd, uint events, ulong data)
    {
        Span<byte> e = stackalloc byte[16];
        BitConverter.TryWriteBytes(e, events);
        BitConverter.TryWriteBytes(e[EpollDataOffset..], data);
        Check(EpollCtl(epoll, operation, fd, ref e[0]), "epoll_ctl");
    }

    /// <summary>Waits for events; returns how many are in <paramref name="events"/> (0 on timeout or EINTR).</summary>
    public static int Wait(int epoll, byte[] events, int timeoutMilliseconds)
    {
        int count = EpollWait(epoll, ref events[0], events.Length / EpollEventSize, timeoutMilliseconds);
        if (count < 0)
        {
            return Marshal.GetLastPInvokeError() == Interrupted ? 0 : Check(count, "epoll_wait");
        }

        return count;
    }

    public static uint EventsAt(byte[] events, int index) => BitConverter.ToUInt32(events, index * EpollEventSize);

    public static ulong DataAt(byte[] events, int index) => BitConverter.ToUInt64(events, index * EpollEventSize + EpollDataOffset);

    /// <summary>A connection waiting on the listener, non-blocking, with its peer's address; -1 when none is waiting.</summary>
    public static int Accept(int listener, Span<byte> address, out int addressLength)
    {
        addressLength = address.Length;
        while (true)
        {
            int fd = Accept4(listener, ref address[0], ref addressLength, NonBlocking | CloseOnExec);
            if (fd >= 0)
            {
                int on = 1;
                // As Kestrel's sockets: an answer leaves at once, not after the peer's delayed ACK.
                SetSockOpt(fd, 6 /* IPPROTO_TCP */, 1 /* TCP_NODELAY */, ref on, sizeof(int));
                return fd;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != Interrupted && errno != 103 /* ECONNABORTED: gone before it was accepted */)
            {
                return -1;
            }
        }
    }

    /// <summary>Bytes read, 0 at the end of the stream, -errno on failure (-<see cref="WouldBlock"/>: nothing yet).</summary>
    public static int Receive(int fd, Span<byte> buffer)
    {
        while (true)
        {
            nint read = Recv(fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length, 0);
            if (read >= 0) return (int)read;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Interrupted) return -errno;
        }
    }

    /// <summary>Bytes sent, -errno on failure (-<see cref="WouldBlock"/>: the socket's buffer is full).</summary>
    public static int Send(int fd, ReadOnlySpan<byte> buffer)
    {
        while (true)
        {
            nint sent = SendTo(fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length, NoSignal);
            if (sent >= 0) return (int)sent;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Interrupted) return -errno;
        }
    }

    public static void Signal(int eventFd)
    {
        long one = 1;
        Write(eventFd, ref one, sizeof(long));
    }

    public static void Drain(int eventFd)
    {
        long value = 0;
        Read(eventFd, ref value, sizeof(long));
    }

    public static void CloseFd(int fd) => Close(fd);

    private static int Check(int result, string call) =>
        result >= 0 ? result : throw new IOException($"{call} failed: errno {Marshal.GetLastPInvokeError()}");

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int operation, int fd, ref byte eventBytes);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epoll, ref byte events, int maxEvents, int timeout);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    private static partial int Accept4(int fd, ref byte address, ref int addressLength, int flags);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(int fd, int level, int name, ref int value, int length);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Recv(int fd, ref byte buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint SendTo(int fd, ref byte buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, ref long value, nuint length);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, ref long value, nuint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
