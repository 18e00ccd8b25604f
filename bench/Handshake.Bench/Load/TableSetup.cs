using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Handshake.Bench.Load;

/// <summary>
/// One-off requests before a measurement: creating the benchmark's table on a target and waiting until it is ACTIVE,
/// each on its own connection and bounded in time, so every scenario (store, query) prepares its targets the same way.
/// </summary>
public static class TableSetup
{
    public static async Task CreateTableAsync(IPEndPoint endpoint, ReadOnlyMemory<byte> createTable, ReadOnlyMemory<byte> describeTable, CancellationToken ct)
    {
        var (status, body) = await OneRequestAsync(endpoint, createTable, ct);
        if (status != 200)
        {
            throw new InvalidOperationException($"CreateTable answered {status}: {body}");
        }

        // Peers that model CREATING need a moment; every poll is bounded and so is their number.
        for (var attempt = 0; attempt < 200; attempt++)
        {
            (status, body) = await OneRequestAsync(endpoint, describeTable, ct);
            if (status == 200 && IsActive(body))
            {
                return;
            }

            await Task.Delay(50, ct);
        }

        throw new TimeoutException($"the table did not become ACTIVE: {body}");
    }

    public static async Task<(int Status, string Body)> OneRequestAsync(IPEndPoint endpoint, ReadOnlyMemory<byte> request, CancellationToken ct)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint, bound.Token);
        await socket.SendAsync(request, SocketFlags.None, bound.Token);
        var reader = new HttpResponseReader(socket);
        var head = await reader.ReadAsync(bound.Token);
        return (head.Status, Encoding.UTF8.GetString(reader.Body(head)));
    }

    /// <summary>A first error line short enough for a report.</summary>
    public static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + "...";

    private static bool IsActive(string describeTable)
    {
        using var document = System.Text.Json.JsonDocument.Parse(describeTable);
        return document.RootElement.TryGetProperty("Table", out var table)
            && table.TryGetProperty("TableStatus", out var status) && status.GetString() == "ACTIVE";
    }
}
