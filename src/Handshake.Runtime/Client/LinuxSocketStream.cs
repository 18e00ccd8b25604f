using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Handshake.Runtime.Client;

/// <summary>
/// A blocking TCP connection made straight from libc's socket calls, for Linux (Lambda, Handshake). Why not
/// <see cref="Socket"/>: constructing one starts the runtime's socket engine thread, which this client never uses (it
/// never does asynchronous socket I/O), and every thread of a function is stopped and woken again on each freeze and
/// thaw. With it gone a NativeAOT function runs two threads.
/// </summary>
internal sealed partial class LinuxSocketStream : Stream
{
    /// <summary>glibc's soname on every Linux architecture (Amazon Linux 2023 included); without it, the Socket path.</summary>
    private const string LibC = "libc.so.6";

    private const int AfInet = 2;
    private const int AfInet6 = 10;
    private const int SockStream = 1;
    private const int SockCloexec = 0x80000;
    private const int IpprotoTcp = 6;
    private const int TcpNodelay = 1;
    private const int ShutRdwr = 2;
    private const int Eintr = 4;
    private const int MsgNosignal = 0x4000;

    private int _fd;

    private LinuxSocketStream(int fd)
    {
        _fd = fd;
    }

    /// <summary>Connects to <paramref name="address"/>:<paramref name="port"/> with TCP_NODELAY set.</summary>
    public static unsafe LinuxSocketStream Connect(IPAddress address, int port)
    {
        var family = address.AddressFamily == AddressFamily.InterNetworkV6 ? AfInet6 : AfInet;
        var fd = socket(family, SockStream | SockCloexec, IpprotoTcp);
        if (fd < 0)
        {
            throw Failure("socket");
        }

        try
        {
            var noDelay = 1;
            if (setsockopt(fd, IpprotoTcp, TcpNodelay, &noDelay, sizeof(int)) != 0)
            {
                throw Failure("setsockopt(TCP_NODELAY)");
            }

            // sockaddr_in (16 bytes) or sockaddr_in6 (28 bytes): family in host order, port in network order.
            Span<byte> sockaddr = stackalloc byte[28];
            sockaddr.Clear();
            BitConverter.TryWriteBytes(sockaddr, (ushort)family);
            sockaddr[2] = (byte)(port >> 8);
            sockaddr[3] = (byte)port;
            int length;
            if (family == AfInet)
            {
                address.TryWriteBytes(sockaddr[4..8], out _);
                length = 16;
            }
            else
            {
                address.TryWriteBytes(sockaddr[8..24], out _);
                BitConverter.TryWriteBytes(sockaddr[24..], (uint)address.ScopeId);
                length = 28;
            }

            fixed (byte* pointer = sockaddr)
            {
                if (connect(fd, pointer, length) != 0)
                {
                    throw Failure($"connect to {address}:{port}");
                }
            }

            return new LinuxSocketStream(fd);
        }
        catch
        {
            _ = close(fd);
            throw;
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Blocks in recv() until bytes arrive; 0 at the end of the stream (or after <see cref="Abort"/>).</summary>
    public override unsafe int Read(Span<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            while (true)
            {
                var read = recv(Descriptor(), pointer, buffer.Length, 0);
                if (read >= 0)
                {
                    return (int)read;
                }

                if (Marshal.GetLastPInvokeError() != Eintr)
                {
                    throw Failure("recv");
                }
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            var sent = 0;
            while (sent < buffer.Length)
            {
                // MSG_NOSIGNAL: a peer that closed the connection is an EPIPE error here, not a SIGPIPE for the process.
                var written = send(Descriptor(), pointer + sent, buffer.Length - sent, MsgNosignal);
                if (written >= 0)
                {
                    sent += (int)written;
                }
                else if (Marshal.GetLastPInvokeError() != Eintr)
                {
                    throw Failure("send");
                }
            }
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>From another thread: shuts the connection down, which wakes a read blocked in recv() with 0 bytes.</summary>
    public void Abort()
    {
        var fd = Volatile.Read(ref _fd);
        if (fd >= 0)
        {
            _ = shutdown(fd, ShutRdwr);
        }
    }

    protected override void Dispose(bool disposing)
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = close(fd);
        }

        base.Dispose(disposing);
    }

    private int Descriptor()
    {
        var fd = Volatile.Read(ref _fd);
        ObjectDisposedException.ThrowIf(fd < 0, this);
        return fd;
    }

    private static IOException Failure(string call)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    [LibraryImport(LibC, EntryPoint = "socket", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport(LibC, EntryPoint = "setsockopt", SetLastError = true)]
    private static unsafe partial int setsockopt(int fd, int level, int name, int* value, int length);

    [LibraryImport(LibC, EntryPoint = "connect", SetLastError = true)]
    private static unsafe partial int connect(int fd, byte* address, int length);

    [LibraryImport(LibC, EntryPoint = "recv", SetLastError = true)]
    private static unsafe partial nint recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport(LibC, EntryPoint = "send", SetLastError = true)]
    private static unsafe partial nint send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport(LibC, EntryPoint = "shutdown")]
    private static partial int shutdown(int fd, int how);

    [LibraryImport(LibC, EntryPoint = "close")]
    private static partial int close(int fd);
}
