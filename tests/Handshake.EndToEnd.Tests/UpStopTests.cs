using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace Handshake.EndToEnd.Tests;

/// <summary>
/// A stop of `handshake up` while a client holds a request open: the request that never completes is cut off when the
/// drain runs out, `up` says so on stderr and exits 0 (not ended by StopSignal's forced exit), and every write it
/// acknowledged is there when the next `up` opens the same data directory.
/// </summary>
public sealed class UpStopTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("handshake-stop-").FullName;

    [Fact]
    public async Task A_request_held_open_is_cut_off_after_the_drain_up_exits_0_and_the_acknowledged_writes_stay()
    {
        string data = Path.Combine(_directory, "data");
        using (HandshakeProcess up = HandshakeProcess.Start(_directory, "up", "--port", "0", "--data-dir", data))
        {
            Uri endpoint = await up.WaitUntilUpAsync();
            using (AmazonDynamoDBClient client = Client(endpoint))
            {
                await client.CreateTableAsync(new CreateTableRequest
                {
                    TableName = "held",
                    KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
                    AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S)],
                    BillingMode = BillingMode.PAY_PER_REQUEST,
                }).WaitAsync(HandshakeProcess.Timeout);
                for (int i = 0; i < 10; i++)
                {
                    await client.PutItemAsync("held", Item(i)).WaitAsync(HandshakeProcess.Timeout);
                }
            }

            // A Lambda API call first, so that the connection goes over to Kestrel's HTTP (plain store requests stay
            // on the store's event loop), then a request whose body never comes.
            using Socket held = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await held.ConnectAsync(new IPEndPoint(IPAddress.Loopback, endpoint.Port)).WaitAsync(HandshakeProcess.Timeout);
            await held.SendAsync(Encoding.ASCII.GetBytes("GET /2015-03-31/functions/ HTTP/1.1\r\nHost: up\r\n\r\n"));
            byte[] answer = new byte[4096];
            int read = await held.ReceiveAsync(answer).WaitAsync(HandshakeProcess.Timeout);
            Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(answer, 0, read), StringComparison.Ordinal);
            await held.SendAsync(Encoding.ASCII.GetBytes("POST /2015-03-31/functions HTTP/1.1\r\nHost: up\r\nContent-Length: 1000\r\n\r\n{\"FunctionName\":"));

            up.Terminate();
            // The hang guard is HandshakeProcess.Timeout (30 s); StopSignal would end an `up` that has not stopped 10 s
            // after the signal with status 143.
            Assert.Equal(0, await up.WaitForExitAsync());
            string stderr = await up.StandardErrorAsync();
            string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal("handshake: stopping: requests still in progress 5 s after the stop began were cut off", line);

            // The held connection was closed by the server (aborted: a reset), not left open.
            Assert.True(await ClosedAsync(held));
        }

        using HandshakeProcess next = HandshakeProcess.Start(_directory, "up", "--port", "0", "--data-dir", data);
        Uri again = await next.WaitUntilUpAsync();
        using (AmazonDynamoDBClient client = Client(again))
        {
            ScanResponse scan = await client.ScanAsync(new ScanRequest { TableName = "held", ConsistentRead = true }).WaitAsync(HandshakeProcess.Timeout);
            Assert.Equal(10, scan.Count);
        }

        next.Terminate();
        Assert.Equal(0, await next.WaitForExitAsync());
        Assert.Equal("", await next.StandardErrorAsync());
    }

    private static async Task<bool> ClosedAsync(Socket socket)
    {
        try
        {
            return await socket.ReceiveAsync(new byte[1]).WaitAsync(HandshakeProcess.Timeout) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    private static Dictionary<string, AttributeValue> Item(int i) => new()
    {
        ["pk"] = new AttributeValue($"item-{i}"),
        ["value"] = new AttributeValue { N = i.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    private static AmazonDynamoDBClient Client(Uri endpoint) => new(
        new BasicAWSCredentials("handshake", "handshake"),
        new AmazonDynamoDBConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
