using Handshake.Lambda.Persistence;

namespace Handshake.Lambda.Tests;

/// <summary>
/// A host without a data directory holds its temporary one locked for its life; a new host deletes those whose lock it
/// can take (their host is gone), and leaves the locked ones and those without a lock file.
/// </summary>
public sealed class TemporaryDataDirectoryTests : IDisposable
{
    private readonly string _parent = Directory.CreateTempSubdirectory("handshake-tmp-test-").FullName;

    [Fact]
    public void A_directory_whose_lock_is_free_is_deleted_a_locked_one_and_one_without_a_lock_file_are_kept()
    {
        string abandoned = HostDirectory("abandoned", lockFile: true);
        string unlocked = HostDirectory("nolock", lockFile: false);
        using TemporaryDataDirectory alive = TemporaryDataDirectory.Create(_parent);

        using TemporaryDataDirectory next = TemporaryDataDirectory.Create(_parent);

        Assert.False(Directory.Exists(abandoned));
        Assert.True(Directory.Exists(unlocked));
        Assert.True(Directory.Exists(alive.Path));
        Assert.True(Directory.Exists(next.Path));
        Assert.Equal(0, TemporaryDataDirectory.DeleteAbandoned(_parent));
    }

    [Fact]
    public void Disposing_deletes_the_directory_and_its_lock_is_released_with_it()
    {
        TemporaryDataDirectory directory = TemporaryDataDirectory.Create(_parent);
        File.WriteAllText(Path.Combine(directory.Path, "lambda.db"), "state");

        directory.Dispose();

        Assert.False(Directory.Exists(directory.Path));
    }

    [Fact]
    public async Task A_host_without_a_data_directory_deletes_an_abandoned_one_and_its_own_when_disposed()
    {
        // In the machine's temporary directory, where FunctionHost makes its own.
        string abandoned = Path.Combine(Path.GetTempPath(), TemporaryDataDirectory.Prefix + "test" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(abandoned);
        File.WriteAllText(Path.Combine(abandoned, TemporaryDataDirectory.LockFileName), "");

        FunctionHost host = new(new FunctionHostOptions());
        string own = host.DataDirectory;
        Assert.False(Directory.Exists(abandoned));
        Assert.True(File.Exists(Path.Combine(own, TemporaryDataDirectory.LockFileName)));

        await host.DisposeAsync();
        Assert.False(Directory.Exists(own));
    }

    public void Dispose() => Directory.Delete(_parent, recursive: true);

    private string HostDirectory(string name, bool lockFile)
    {
        string path = Path.Combine(_parent, TemporaryDataDirectory.Prefix + name);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "lambda.db"), "state");
        if (lockFile)
        {
            File.WriteAllText(Path.Combine(path, TemporaryDataDirectory.LockFileName), "");
        }

        return path;
    }
}
