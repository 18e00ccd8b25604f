using System.Threading.Channels;

namespace Handshake.Lambda;

/// <summary>
/// Where a streamed answer goes while it arrives: set on an <see cref="Invocation"/> by a caller that can pass chunks on
/// as they come (InvokeWithResponseStream). The Runtime API handler announces the stream (with the function's content
/// type) when the runtime posts its response in streaming mode, then writes each piece of the body here; the caller
/// reads them in order. Without one (Invoke), a streamed body is buffered to 6 MB and answered whole, as Lambda does.
/// </summary>
public sealed class ResponseStream(long limit)
{
    // Bounded: a caller that reads slowly holds the runtime back (its POST waits on the socket), instead of the host
    // buffering up to the limit in memory.
    private readonly Channel<ReadOnlyMemory<byte>> _chunks = Channel.CreateBounded<ReadOnlyMemory<byte>>(
        new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly TaskCompletionSource<string> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The most bytes the function may stream (200 MB by default, FunctionHostOptions.MaxStreamedResponseBytes).</summary>
    public long Limit { get; } = limit;

    /// <summary>Completes with the content type the runtime declared once it starts a streamed response.</summary>
    public Task<string> Started => _started.Task;

    /// <summary>The body's pieces, in order; completes when the stream ends, or the invocation does (timeout, crash).</summary>
    public ChannelReader<ReadOnlyMemory<byte>> Chunks => _chunks.Reader;

    internal void Start(string contentType) => _started.TrySetResult(contentType);

    /// <summary>Waits while the caller is behind; a piece written after the end (or after the caller left) is dropped.</summary>
    internal async ValueTask WriteAsync(ReadOnlyMemory<byte> piece)
    {
        try
        {
            await _chunks.Writer.WriteAsync(piece).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
        }
    }

    /// <summary>No more pieces: the stream ended, the invocation ended, or the caller went away.</summary>
    public void Complete() => _chunks.Writer.TryComplete();
}
