using Handshake.Commands;
using Handshake.Experiment;
using Handshake.Network.SigV4;

namespace Handshake.EndToEnd.Tests.Experiment;

/// <summary>
/// The bench's log tail against a scripted server: the REPORT lines it counts, and the connection it keeps. A run
/// without reuse can use up every ephemeral port before its counts are read, so the tail must not lose its connection
/// when the load stops while one of its long polls is waiting.
/// </summary>
public sealed class ReportLogTailTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly ClientCredentials Credentials = new("AKIDEXAMPLE", new SigV4Credentials("secret", null), "us-east-1");

    [Fact]
    public async Task Stopping_during_a_long_poll_keeps_the_connection_for_the_drain()
    {
        await using ScriptedHttpServer server = new();
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Enqueue(Page("""[{"sequence":0,"message":"REPORT RequestId: a\tDuration: 1.00 ms\tNew Connections: 1"}]""", next: 1));
        server.Enqueue(Page("[]", next: 1), release: release.Task); // the long poll the stop lands in
        server.Enqueue(Page("""[{"sequence":1,"message":"REPORT RequestId: b\tDuration: 1.00 ms\tNew Connections: 1"}]""", next: 2));
        server.Enqueue(Page("[]", next: 2)); // the drain's last, empty page
        using BenchEndpoint endpoint = new(server.Endpoint, Credentials);
        ReportLogTail tail = new(endpoint, "put-record");
        using CancellationTokenSource stop = new();

        Task running = tail.RunAsync(stop.Token);
        await WaitForRequestsAsync(server, 2);
        await stop.CancelAsync();
        release.SetResult();
        await running.WaitAsync(Timeout);
        await tail.DrainAsync(CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(2, tail.ReportLines);
        Assert.Equal(2, tail.NewConnectionsTotal);
        Assert.Equal(0, tail.Missed);
        Assert.Equal(4, server.Requests.Count);
        Assert.Equal(1, server.Connections);
    }

    private static string Page(string events, long next)
    {
        string body = $$"""{"events":{{events}},"nextSequence":{{next}}}""";
        return $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {System.Text.Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
    }

    private static async Task WaitForRequestsAsync(ScriptedHttpServer server, int count)
    {
        using CancellationTokenSource deadline = new(Timeout);
        while (server.Requests.Count < count)
        {
            await Task.Delay(10, deadline.Token);
        }
    }
}
