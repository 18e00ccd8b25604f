using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Handshake.Composition;
using Handshake.Reliability.Tests.Infrastructure;

namespace Handshake.Reliability.Tests.Exposure;

/// <summary>
/// The endpoint, and with it the admin routes (/metrics, /_handshake/*), listens on 127.0.0.1 unless --host says
/// otherwise: from this machine's other addresses nothing answers.
/// </summary>
public sealed class BindAddressTests
{
    private static List<IPAddress> OtherAddresses() => NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus == OperationalStatus.Up)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        .ToList();

    private static async Task<bool> AcceptsAsync(IPAddress address, int port)
    {
        using TcpClient client = new();
        try
        {
            await client.ConnectAsync(address, port).WaitAsync(Timeouts.Default);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [Fact]
    public async Task ByDefaultOnlyLoopbackIsServed()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        Assert.Equal("127.0.0.1", server.Server.Endpoint.Host);
        using HttpResponseMessage metrics = await server.Http.GetAsync("/metrics").WaitAsync(Timeouts.Default);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        foreach (IPAddress address in OtherAddresses())
        {
            Assert.False(await AcceptsAsync(address, server.Server.Port), $"{address}:{server.Server.Port} accepted a connection");
        }
    }

    [Fact]
    public async Task HostAllAddressesIsServedEverywhereWhenAsked()
    {
        await using RunningServer server = await RunningServer.StartAsync(new HandshakeServerOptions { InMemory = true, Host = "0.0.0.0" });
        Assert.True(await AcceptsAsync(IPAddress.Loopback, server.Server.Port));
        foreach (IPAddress address in OtherAddresses())
        {
            Assert.True(await AcceptsAsync(address, server.Server.Port), $"{address}:{server.Server.Port} refused");
        }
    }

    [Fact]
    public async Task HandshakeUpRefusesAHostThatIsNotAnAddress()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-host-").FullName;
        try
        {
            using HandshakeProcess process = HandshakeProcess.Start(directory, "up", "--port", "0", "--in-memory", "--host", "everywhere");
            Assert.Equal(1, await process.WaitForExitAsync());
            Assert.Contains("--host takes an IP address", await process.StandardErrorAsync(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
