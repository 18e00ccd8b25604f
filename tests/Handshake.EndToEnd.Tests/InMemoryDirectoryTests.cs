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

    public void Dispose() => Directory.Delete(_temporary, recursive: true);

    private HandshakeProcess Up() =>
        HandshakeProcess.Start(_temporary, [new("TMPDIR", _temporary)], "up", "--port", "0", "--in-memory");

    private string[] HostDirectories() => Directory.GetDirectories(_temporary, "handshake-functions-*");
}
