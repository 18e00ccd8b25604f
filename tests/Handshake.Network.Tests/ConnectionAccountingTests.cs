using System.Net.Http.Headers;
using Handshake.Network.Accounting;
using Handshake.Network.Tls;

namespace Handshake.Network.Tests;

public sealed class ConnectionAccountingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task One_kept_alive_connection_serving_100_calls_counts_once()
    {
        await using AccountingServer server = await AccountingServer.StartAsync(new ConnectionLedger());
        using HttpClient client = new() { BaseAddress = server.Endpoint };
        for (int i = 0; i < 100; i++)
        {
            using HttpRequestMessage request = Signed(HttpMethod.Post, "OUTSIDE");
            using HttpResponseMessage response = await client.SendAsync(request).WaitAsync(Timeout);
            Assert.Equal("{}", await response.Content.ReadAsStringAsync().WaitAsync(Timeout));
        }

        ConnectionReport report = server.Ledger.Snapshot();
        Assert.Equal(1, server.Ledger.TotalOpened);
        Assert.Equal(1, report.Totals.Opened);
        Assert.Equal(1, report.Totals.Active);
        Assert.Equal(100, report.Totals.Requests);
        ConnectionRecord open = Assert.Single(report.Open);
        Assert.Equal(100, open.Requests);
        Assert.False(open.IsTls);
        Assert.Equal(1, server.Ledger.NewConnections("OUTSIDE"));
    }

    [Fact]
    public async Task Connection_close_on_100_calls_counts_100()
    {
        await using AccountingServer server = await AccountingServer.StartAsync(new ConnectionLedger());
        using HttpClient client = new() { BaseAddress = server.Endpoint };
        for (int i = 0; i < 100; i++)
        {
            using HttpRequestMessage request = Signed(HttpMethod.Post, "CLOSER");
            request.Headers.ConnectionClose = true;
            using HttpResponseMessage response = await client.SendAsync(request).WaitAsync(Timeout);
            Assert.Equal("{}", await response.Content.ReadAsStringAsync().WaitAsync(Timeout));
        }

        Assert.Equal(100, server.Ledger.TotalOpened);
        Assert.Equal(100, server.Ledger.NewConnections("CLOSER"));
        ClientConnections outside = Assert.Single(server.Ledger.Snapshot().Clients);
        Assert.Equal("CLOSER", outside.AccessKeyId);
        Assert.Equal(100, outside.Totals.Opened);
    }

    [Fact]
    public async Task Connections_are_attributed_to_the_environment_that_holds_the_access_key()
    {
        ConnectionLedger ledger = new(new ConnectionLedgerOptions
        {
            Resolver = accessKeyId => accessKeyId switch
            {
                "ENV1KEY" => ("put-record", "env-1"),
                "ENV2KEY" => ("put-record", "env-2"),
                _ => null,
            },
        });
        await using AccountingServer server = await AccountingServer.StartAsync(ledger);

        // Two environments of one function, and one client outside the host, each on its own connections.
        await CallAsync(server, "ENV1KEY", calls: 3, connections: 2);
        await CallAsync(server, "ENV2KEY", calls: 1, connections: 1);
        await CallAsync(server, "OUTSIDE", calls: 2, connections: 1);

        ConnectionReport report = ledger.Snapshot();
        FunctionConnections function = Assert.Single(report.Functions);
        Assert.Equal("put-record", function.FunctionName);
        Assert.Equal(3, function.Totals.Opened);
        Assert.Equal(7, function.Totals.Requests);
        Assert.Collection(function.Environments,
            env1 =>
            {
                Assert.Equal(("env-1", "ENV1KEY", 2L, 6L), (env1.EnvironmentId, env1.AccessKeyId, env1.Totals.Opened, env1.Totals.Requests));
            },
            env2 =>
            {
                Assert.Equal(("env-2", "ENV2KEY", 1L, 1L), (env2.EnvironmentId, env2.AccessKeyId, env2.Totals.Opened, env2.Totals.Requests));
            });
        ClientConnections outside = Assert.Single(report.Clients);
        Assert.Equal(("OUTSIDE", 1L, 2L), (outside.AccessKeyId, outside.Totals.Opened, outside.Totals.Requests));
        Assert.Equal(2, ledger.NewConnections("ENV1KEY"));
        Assert.Equal(0, ledger.NewConnections("NEVERSEEN"));
        Assert.Equal(4, report.Totals.Opened);
    }

    [Fact]
    public async Task A_connection_is_attributed_by_its_first_signed_request_and_unsigned_ones_count_apart()
    {
        await using AccountingServer server = await AccountingServer.StartAsync(new ConnectionLedger());
        using (HttpClient client = new() { BaseAddress = server.Endpoint })
        {
            // An unsigned health check first, then signed calls on the same connection.
            using HttpResponseMessage health = await client.GetAsync("/").WaitAsync(Timeout);
            using HttpRequestMessage request = Signed(HttpMethod.Post, "LATE");
            using HttpResponseMessage signed = await client.SendAsync(request).WaitAsync(Timeout);
        }

        using (HttpClient unsignedClient = new() { BaseAddress = server.Endpoint })
        {
            using HttpRequestMessage close = new(HttpMethod.Get, "/");
            close.Headers.ConnectionClose = true;
            using HttpResponseMessage response = await unsignedClient.SendAsync(close).WaitAsync(Timeout);
        }

        ConnectionReport report = server.Ledger.Snapshot();
        Assert.Equal(2, report.Totals.Opened);
        ClientConnections late = Assert.Single(report.Clients);
        Assert.Equal(("LATE", 1L, 2L), (late.AccessKeyId, late.Totals.Opened, late.Totals.Requests));
        Assert.Equal(1, report.Unsigned.Opened);
    }

    [Fact]
    public async Task Tls_connections_are_flagged_and_their_bytes_counted()
    {
        using System.Security.Cryptography.X509Certificates.X509Certificate2 certificate = SelfSignedCertificate.Create(TimeProvider.System);
        await using AccountingServer server = await AccountingServer.StartAsync(new ConnectionLedger(), certificate);
        using HttpClientHandler handler = new() { ServerCertificateCustomValidationCallback = static (_, _, _, _) => true };
        using HttpClient client = new(handler) { BaseAddress = server.Endpoint };
        Assert.Equal("https", server.Endpoint.Scheme);
        for (int i = 0; i < 3; i++)
        {
            using HttpRequestMessage request = Signed(HttpMethod.Post, "TLSCLIENT");
            using HttpResponseMessage response = await client.SendAsync(request).WaitAsync(Timeout);
            Assert.Equal("{}", await response.Content.ReadAsStringAsync().WaitAsync(Timeout));
        }

        ConnectionReport report = server.Ledger.Snapshot();
        ConnectionRecord record = Assert.Single(report.Open);
        Assert.True(record.IsTls);
        Assert.Equal(3, record.Requests);
        Assert.Equal(1, report.Totals.Tls);

        // The TLS handshake alone is hundreds of bytes each way: counted below TLS, these are the bytes on the wire.
        Assert.True(record.BytesIn > 300, $"bytes in: {record.BytesIn}");
        Assert.True(record.BytesOut > 300, $"bytes out: {record.BytesOut}");
    }

    [Fact]
    public async Task Bytes_in_and_out_are_counted_on_plain_connections()
    {
        await using AccountingServer server = await AccountingServer.StartAsync(new ConnectionLedger());
        using HttpClient client = new() { BaseAddress = server.Endpoint };
        using HttpRequestMessage request = Signed(HttpMethod.Post, "BYTES");
        request.Content = new StringContent(new string('x', 1000));
        using HttpResponseMessage response = await client.SendAsync(request).WaitAsync(Timeout);
        await response.Content.ReadAsStringAsync().WaitAsync(Timeout);

        ConnectionRecord record = Assert.Single(server.Ledger.Snapshot().Open);
        Assert.InRange(record.BytesIn, 1000 + 100, 1000 + 1000);
        Assert.InRange(record.BytesOut, 2 + 50, 2 + 500);
    }

    private static async Task CallAsync(AccountingServer server, string accessKeyId, int calls, int connections)
    {
        for (int c = 0; c < connections; c++)
        {
            using HttpClient client = new() { BaseAddress = server.Endpoint };
            for (int i = 0; i < calls; i++)
            {
                using HttpRequestMessage request = Signed(HttpMethod.Post, accessKeyId);
                using HttpResponseMessage response = await client.SendAsync(request).WaitAsync(Timeout);
                response.EnsureSuccessStatusCode();
            }
        }
    }

    private static HttpRequestMessage Signed(HttpMethod method, string accessKeyId)
    {
        HttpRequestMessage request = new(method, "/");
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKeyId}/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123abcd");
        request.Content = new StringContent("{}", new MediaTypeHeaderValue("application/x-amz-json-1.0"));
        return request;
    }
}
