using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Handshake.EndToEnd.Tests;

/// <summary>
/// A SIGTERM that reaches `handshake up` while it is still starting must stop it. It once did not: System.CommandLine
/// took the signals only after `up` had started Kestrel, whose host lifetime takes SIGTERM too and swallows it, so a
/// SIGTERM in between was lost and `up` ran on (a CI run of ExecutableTests' data-directory test waited 30 s for the
/// third `up`, signalled the moment its banner was out). Program.cs now takes both signals before anything starts.
/// </summary>
public sealed class UpSignalTests : IDisposable
{
    // The window was open in about one start in four on a 2-core machine when signalled the moment the port accepts
    // (and much narrower after the banner), less often on a faster or idler one: twenty starts seldom miss it, in about
    // fifteen seconds.
    private const int Starts = 20;

    private readonly string _directory = Directory.CreateTempSubdirectory("handshake-signal-").FullName;

    [Fact]
    public async Task A_SIGTERM_the_moment_up_accepts_connections_stops_it_with_status_0_every_time()
    {
        for (int start = 0; start < Starts; start++)
        {
            // A port of our choosing, so that its first accepted connection says Kestrel is listening (the host lifetime
            // is registered by then) before `up` has printed anything. Below the ephemeral range, where the other
            // tests' port-0 listeners are not.
            int port = FreePortBelowEphemeralRange();
            using HandshakeProcess up = HandshakeProcess.Start(_directory, "up", "--port", port.ToString(CultureInfo.InvariantCulture), "--in-memory");
            await WaitUntilAcceptingAsync(up, port);

            up.Terminate();
            await AssertStoppedCleanlyAsync(up);
        }
    }

    [Fact]
    public async Task A_SIGTERM_while_up_starts_on_a_data_directory_stops_it_and_frees_the_directory()
    {
        string data = Path.Combine(_directory, "data");
        int port = FreePortBelowEphemeralRange();
        using (HandshakeProcess first = HandshakeProcess.Start(_directory, "up", "--port", port.ToString(CultureInfo.InvariantCulture), "--data-dir", data))
        {
            await WaitUntilAcceptingAsync(first, port);
            first.Terminate();
            await AssertStoppedCleanlyAsync(first);
        }

        await AssertDataDirectoryFreeAsync(data);
    }

    [Fact]
    public async Task A_SIGQUIT_stops_up_cleanly_as_SIGTERM_does_and_frees_its_data_directory()
    {
        // Ctrl-\: by the runtime's default it would end `up` at once (status 131, the store not closed). ConsoleLifetime
        // took it once; since the server no longer registers that, StopSignal takes it.
        string data = Path.Combine(_directory, "quit");
        using (HandshakeProcess up = HandshakeProcess.Start(_directory, "up", "--port", "0", "--data-dir", data))
        {
            await up.ReadUntilAsync("Press Ctrl-C");
            up.Quit();
            await AssertStoppedCleanlyAsync(up);
        }

        await AssertDataDirectoryFreeAsync(data);
    }

    // Status 0 and nothing on stderr: the stop ran to its end, not the 10 s forced exit or the signal's default.
    private static async Task AssertStoppedCleanlyAsync(HandshakeProcess up)
    {
        Assert.Equal(0, await up.WaitForExitAsync());
        Assert.Equal("", await up.StandardErrorAsync());
    }

    // Stopped, not abandoned: the data directory's lock went with the process, and the next `up` starts on it.
    private async Task AssertDataDirectoryFreeAsync(string data)
    {
        using HandshakeProcess next = HandshakeProcess.Start(_directory, "up", "--port", "0", "--data-dir", data);
        await next.ReadUntilAsync("Press Ctrl-C");
        next.Terminate();
        Assert.Equal(0, await next.WaitForExitAsync());
    }

    // Polls until the port takes a connection (bounded by HandshakeProcess.Timeout); fails if `up` exits first.
    private static async Task WaitUntilAcceptingAsync(HandshakeProcess up, int port)
    {
        using CancellationTokenSource bound = new(HandshakeProcess.Timeout);
        while (true)
        {
            using Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), bound.Token);
                return;
            }
            catch (SocketException)
            {
                if (up.HasExited)
                {
                    throw new InvalidOperationException($"handshake up exited before it listened on {port}: {await up.StandardErrorAsync()}");
                }

                await Task.Delay(2, bound.Token);
            }
        }
    }

    private static int FreePortBelowEphemeralRange()
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            int port = Random.Shared.Next(20_000, 30_000);
            try
            {
                using TcpListener probe = new(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: another.
            }
        }

        throw new InvalidOperationException("no free port in 20000-29999 after 100 tries");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
