namespace Handshake.Bench.Servers;

/// <summary>
/// The contract of the bench's own server children: print "port N" once listening, then serve until stdin closes
/// (the bench exited, however it exited) or the process is told to stop.
/// </summary>
public static class ChildServer
{
    public const string PortLinePrefix = "port ";

    public static async Task ServeUntilStdinClosesAsync(int port, CancellationToken ct)
    {
        Console.Out.WriteLine(PortLinePrefix + port);
        Console.Out.Flush();
        try
        {
            await using var stdin = Console.OpenStandardInput();
            await stdin.CopyToAsync(Stream.Null, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
