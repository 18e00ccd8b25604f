using System.Runtime.InteropServices;

namespace Handshake.Lambda.Persistence;

/// <summary>
/// The data directory of a host given none (`up --in-memory`, the benchmarks, the tests): /tmp/handshake-functions-ID,
/// deleted when the host is disposed. A host that never is (killed with SIGKILL, or a test that forgot to) left its
/// directory behind for good: 557 of them had gathered on the development machine. So the directory holds a lock file
/// open with an exclusive lock for the host's life (FileShare.None: an flock(2) lock, which the kernel drops with the
/// process, whatever ends it), and each new host deletes the directories whose lock it can take: their host is gone.
/// A directory without the lock file (being created, or from a build before it) is left alone.
/// The lock is also taken with flock(2) itself, and a directory is deleted only when that call succeeds: .NET's
/// FileShare.None takes no lock where file locking is turned off (DOTNET_SYSTEM_IO_DISABLEFILELOCKING) and ignores a
/// file system that refuses flock, and either would make a live host's directory look abandoned.
/// </summary>
internal sealed partial class TemporaryDataDirectory : IDisposable
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    public const string Prefix = "handshake-functions-";
    public const string LockFileName = "host.lock";

    private readonly FileStream _lock;

    private TemporaryDataDirectory(string path, FileStream hostLock)
    {
        Path = path;
        _lock = hostLock;
    }

    public string Path { get; }

    /// <summary>Deletes the directories left by hosts that are gone, then makes this host's own, locked.</summary>
    public static TemporaryDataDirectory Create(string parent)
    {
        DeleteAbandoned(parent);
        string path = System.IO.Path.Combine(parent, Prefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        FileStream hostLock = OpenLock(path, FileMode.CreateNew);
        // Where flock fails (a file system without it), no sweep can take the lock either, so none deletes this one.
        _ = TryLock(hostLock);
        return new TemporaryDataDirectory(path, hostLock);
    }

    /// <summary>
    /// Deletes every host directory under <paramref name="parent"/> whose lock file can be locked (its host has exited);
    /// how many it deleted. One that cannot be deleted (another user's, say) is left.
    /// </summary>
    public static int DeleteAbandoned(string parent)
    {
        int deleted = 0;
        foreach (string directory in Directory.EnumerateDirectories(parent, Prefix + "*"))
        {
            try
            {
                using FileStream abandoned = OpenLock(directory, FileMode.Open);
                if (TryLock(abandoned))
                {
                    Directory.Delete(directory, recursive: true);
                    deleted++;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // No lock file (FileMode.Open: being made, or from a build before it), or locked: its host is alive. Or
                // not ours to delete, or deleted by another host's sweep meanwhile.
            }
        }

        return deleted;
    }

    public void Dispose()
    {
        _lock.Dispose();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next host's sweep takes it, now that the lock is released.
        }
    }

    private static FileStream OpenLock(string directory, FileMode mode) =>
        new(System.IO.Path.Combine(directory, LockFileName), mode, FileAccess.ReadWrite, FileShare.None);

    // flock(LOCK_EX | LOCK_NB) on the stream's descriptor (again, if FileShare.None took it: a no-op then).
    private static bool TryLock(FileStream stream)
    {
        bool added = false;
        try
        {
            stream.SafeFileHandle.DangerousAddRef(ref added);
            return flock((int)stream.SafeFileHandle.DangerousGetHandle(), LockExclusive | LockNonBlocking) == 0;
        }
        finally
        {
            if (added)
            {
                stream.SafeFileHandle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);
}
