namespace Handshake.EndToEnd.Tests;

/// <summary>
/// `up --in-memory` keeps its Lambda state in a temporary directory, deleted when it stops. One killed with SIGKILL
/// cannot delete it, so the next host deletes it: the directory's lock died with its process.
/// </summary>
public sealed class InMemoryDirectoryTests : IDisposable
{
    // TMPDIR of the `up` processes: their temporary directories are found here and nowhere else.
    private readonly string _temporary = Directory.CreateTempSubdirectory("handshake-tmpdir-").FullName;

    [Fact]
    public async Task The_directory_of_an_up_killed_with_SIGKILL_is_deleted_by_the_next_host_and_a_stopped_one_leaves_none()
    {
        using HandshakeProcess killed = Up();
        await killed.ReadUntilAsync("Press Ctrl-C");
        string abandoned = Assert.Single(HostDirectories());
        killed.KillHard();
        await killed.WaitForExitAsync();
        Assert.True(Directory.Exists(abandoned), "a killed host cannot delete its own directory");

        using HandshakeProcess next = Up();
        await next.ReadUntilAsync("Press Ctrl-C");
        string own = Assert.Single(HostDirectories());
        Assert.NotEqual(abandoned, own);

        next.Terminate();
        Assert.Equal(0, await next.WaitForExitAsync());
        Assert.Empty(HostDirectories());
    }

    [Fact]
    public async Task A_running_ups_directory_is_kept_by_the_next_host_even_with_dotnets_file_locking_turned_off()
    {
        // Set for NFS and SMB mounts: FileShare.None then takes no lock, and only the host's own flock says it is alive.
        KeyValuePair<string, string?> unlocked = new("DOTNET_SYSTEM_IO_DISABLEFILELOCKING", "1");
        using HandshakeProcess first = Up(unlocked);
        await first.ReadUntilAsync("Press Ctrl-C");
        string running = Assert.Single(HostDirectories());

        using HandshakeProcess second = Up(unlocked);
        await second.ReadUntilAsync("Press Ctrl-C");

        Assert.Equal(2, HostDirectories().Length);
        Assert.True(File.Exists(Path.Combine(running, "lambda.db")), "the running host's state was deleted");
        first.Terminate();
        second.Terminate();
        Assert.Equal((0, 0), (await first.WaitForExitAsync(), await second.WaitForExitAsync()));
        Assert.Empty(HostDirectories());
    }

    public void Dispose() => Directory.Delete(_temporary, recursive: true);

    private HandshakeProcess Up(params KeyValuePair<string, string?>[] environment) =>
        HandshakeProcess.Start(_temporary, [new("TMPDIR", _temporary), .. environment], "up", "--port", "0", "--in-memory");

    private string[] HostDirectories() => Directory.GetDirectories(_temporary, "handshake-functions-*");
}
