using System.Runtime.InteropServices;
using System.Text;

namespace Handshake.Lambda.Logs;

/// <summary>
/// Reads an environment's stdout and stderr on one dedicated thread (poll + read) and hands over complete lines. Long
/// lines are cut at 256 KB, CloudWatch Logs' event limit, so a function that prints megabytes costs bounded memory.
/// The thread marks itself busy *before* each read, so that "nothing in the pipes and not busy" really means every
/// byte written so far has been logged: what lets END come after the invocation's last line, without waiting.
/// </summary>
internal sealed unsafe partial class OutputCapture
{
    private const int MaxLineChars = 256 * 1024;
    private const short POLLIN = 0x1;
    private const int EINTR = 4;
    private readonly SafeHandle[] _handles;
    private readonly Action<string> _onLine;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _processing;

    public OutputCapture(SafeHandle standardOutput, SafeHandle standardError, Action<string> onLine)
    {
        _handles = [standardOutput, standardError];
        _onLine = onLine;
        new Thread(Run) { IsBackground = true, Name = "handshake-environment-output" }.Start();
    }

    public Task Completion => _completion.Task;

    /// <summary>True while bytes taken from a pipe are being split into lines.</summary>
    public bool IsProcessing => Volatile.Read(ref _processing) != 0;

    /// <summary>Completes after the next chunk has been processed (or at EOF).</summary>
    public Task Progress => Volatile.Read(ref _progress).Task;

    private void Run()
    {
        int count = _handles.Length;
        bool[] added = new bool[count];
        Stream[] streams = new Stream[count];
        try
        {
            // Hold the descriptors so that they cannot be closed and reused while this thread polls them.
            for (int i = 0; i < count; i++)
            {
                _handles[i].DangerousAddRef(ref added[i]);
            }

            Stream?[] open = new Stream?[count];
            LineSplitter[] splitters = new LineSplitter[count];
            PollFd[] fds = new PollFd[count];
            for (int i = 0; i < count; i++)
            {
                splitters[i] = new LineSplitter(_onLine);
                fds[i] = new PollFd { Fd = (int)_handles[i].DangerousGetHandle(), Events = POLLIN };
            }

            byte[] buffer = new byte[64 * 1024];
            int live = count;
            while (live > 0)
            {
                int ready;
                fixed (PollFd* p = fds)
                {
                    ready = poll(p, (nuint)count, -1);
                }

                if (ready < 0)
                {
                    if (Marshal.GetLastPInvokeError() == EINTR)
                    {
                        continue;
                    }

                    break;
                }

                for (int i = 0; i < count; i++)
                {
                    if (fds[i].Fd < 0 || fds[i].Revents == 0)
                    {
                        continue;
                    }

                    Volatile.Write(ref _processing, 1);
                    nint read;
                    fixed (byte* b = buffer)
                    {
                        do
                        {
                            read = ReadFd(fds[i].Fd, b, (nuint)buffer.Length);
                        }
                        while (read < 0 && Marshal.GetLastPInvokeError() == EINTR);
                    }

                    if (read <= 0)
                    {
                        splitters[i].Flush();
                        fds[i].Fd = -1;
                        live--;
                    }
                    else
                    {
                        splitters[i].Append(buffer, (int)read);
                    }

                    fds[i].Revents = 0;
                    Volatile.Write(ref _processing, 0);
                    Interlocked.Exchange(ref _progress, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // The process was disposed before this thread got hold of its pipes: nothing left to read.
        }
        finally
        {
            for (int i = 0; i < count; i++)
            {
                if (added[i])
                {
                    _handles[i].DangerousRelease();
                }
            }

            Volatile.Write(ref _processing, 0);
            _progress.TrySetResult();
            _completion.TrySetResult();
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadFd(int fd, byte* buffer, nuint count);

    private sealed class LineSplitter(Action<string> onLine)
    {
        private readonly StringBuilder _line = new();
        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
        private char[] _chars = new char[64 * 1024 + 4];

        public void Append(byte[] bytes, int length)
        {
            int needed = _decoder.GetCharCount(bytes, 0, length);
            if (needed > _chars.Length)
            {
                _chars = new char[needed];
            }

            int count = _decoder.GetChars(bytes, 0, length, _chars, 0);
            int start = 0;
            for (int i = 0; i < count; i++)
            {
                if (_chars[i] == '\n')
                {
                    _line.Append(_chars, start, i - start);
                    Emit();
                    start = i + 1;
                }
                else if (_line.Length + (i - start) >= MaxLineChars)
                {
                    _line.Append(_chars, start, i - start);
                    Emit();
                    start = i;
                }
            }

            _line.Append(_chars, start, count - start);
        }

        public void Flush()
        {
            if (_line.Length > 0)
            {
                Emit();
            }
        }

        private void Emit()
        {
            int length = _line.Length;
            if (length > 0 && _line[length - 1] == '\r')
            {
                length--;
            }

            onLine(_line.ToString(0, length));
            _line.Clear();
        }
    }
}
