using System.Net;

namespace Handshake.Bench.Peers;

/// <summary>A target server that is up and has answered its first request.</summary>
public sealed class RunningTarget(string name, string description, PeerProcess process, int port, bool speaksDynamo, string? dataDirectory)
    : IAsyncDisposable
{
    public string Name { get; } = name;

    public string Description { get; } = description;

    public PeerProcess Process { get; } = process;

    public IPEndPoint Endpoint { get; } = new(IPAddress.Loopback, port);

    /// <summary>False for the bare endpoint, which answers {} to anything.</summary>
    public bool SpeaksDynamo { get; } = speaksDynamo;

    /// <summary>From just before the process started to the first complete 200 answer.</summary>
    public TimeSpan FirstAnswer { get; set; }

    /// <summary>CPU time the process used up to its first answer.</summary>
    public TimeSpan FirstAnswerCpu { get; set; }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        if (dataDirectory is not null && Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
