using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace Handshake.Lambda.RuntimeApi;

/// <summary>
/// One runtime's HTTP/1.1 connection to its Runtime API, over Kestrel's socket transport. The requests are read and
/// answered here rather than by Kestrel's HTTP layer because a runtime pipelines `next` behind each answer, and only
/// code that sees both in the buffer can order what follows the way Lambda's timeline needs it: the answer completes
/// the invocation, the `next` behind it freezes the idle environment, and only then are the answer's 202 and anything
/// else written, in one send that wakes nobody (a stopped process is not woken by data). Through Kestrel's HTTP layer
/// the 202 left first, waking the runtime once more only to be stopped, and each exchange cost two requests' worth of
/// feature collections and header dictionaries. Responses are buffered and flushed only before the connection waits.
/// </summary>
internal sealed class RuntimeApiConnection(ConnectionContext connection, RuntimeApiHandler handler)
{
    private readonly PipeReader _input = connection.Transport.Input;
    private readonly PipeWriter _output = connection.Transport.Output;
    private bool _unflushed;

    // The request being served asked to close the connection after its response (Connection: close, HTTP/1.0).
    private bool _closing;

    public async Task RunAsync()
    {
        try
        {
            while (await ServeOneAsync().ConfigureAwait(false))
            {
            }

            await FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or OperationCanceledException or ObjectDisposedException)
        {
            // The runtime went away (or the environment is shutting down and aborted the connection).
        }
        finally
        {
            await _input.CompleteAsync().ConfigureAwait(false);
            await _output.CompleteAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Serves one request; false once the connection is to be closed.</summary>
    private async ValueTask<bool> ServeOneAsync()
    {
        ReadResult result = await ReadAsync(waitForMore: false).ConfigureAwait(false);
        CancellationTokenSource? headTimer = null;
        try
        {
            while (true)
            {
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (RuntimeApiRequest.TryParse(buffer, out RuntimeApiRequest? request, out (int Status, string Message)? failure, out SequencePosition end))
                {
                    headTimer?.Dispose();
                    headTimer = null;
                    if (failure is { } bad)
                    {
                        _input.AdvanceTo(buffer.End);
                        Respond(bad.Status, InvocationResult.ErrorPayload("BadRequest", bad.Message), close: true);
                        return false;
                    }

                    _input.AdvanceTo(end);
                    _closing = request!.Close;
                    return await handler.HandleAsync(request!, this).ConfigureAwait(false) && !request!.Close;
                }

                if (result.IsCompleted)
                {
                    // Closed between requests (or in the middle of a head, which nothing can answer).
                    _input.AdvanceTo(buffer.End);
                    return false;
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                // Between requests a connection may wait as long as it likes (a runtime's keep-alive connection waits
                // out an invocation of up to 900 s); once a head has started, all of it must come within the head
                // timeout (see StallTimeout).
                headTimer ??= buffer.IsEmpty ? null : StallTimeout();
                result = await ReadAsync(waitForMore: true, headTimer?.Token ?? default).ConfigureAwait(false);
            }
        }
        finally
        {
            headTimer?.Dispose();
        }
    }

    /// <summary>
    /// The time a client has to send something nobody waits on once it has begun (a request's head, a body being
    /// skipped): the host's RuntimeApiHeadTimeout (Kestrel's RequestHeadersTimeout, 30 s), for all of it, not per
    /// read. When it runs out the read throws <see cref="OperationCanceledException"/>, and <see cref="RunAsync"/>
    /// closes the connection without an answer (as Go's net/http does on a ReadHeaderTimeout), so that a client that
    /// stalls or trickles does not keep its socket and buffer until the environment ends. The runtime's own requests
    /// are not cut by it: a runtime is frozen only once its `next` head has arrived whole. Not on the warm path: a
    /// runtime's head arrives in one piece and is parsed before anything waits, so no timer is made for it.
    /// </summary>
    private CancellationTokenSource StallTimeout() => new(handler.HeadTimeout);

    /// <summary>Queues a response; it leaves with the next flush (before the connection waits for anything).</summary>
    public void Respond(int status, ReadOnlySpan<byte> body, bool close = false, IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        RuntimeApiResponse.Write(_output, status, body, close || _closing, headers);
        _unflushed = true;
    }

    /// <summary>
    /// Waits for <paramref name="task"/> (the event for a parked `next`) while watching the connection: Closed when the
    /// runtime closed it first. What was written so far is flushed before the wait.
    /// </summary>
    public async Task<(bool Closed, T? Value)> WaitAsync<T>(Task<T> task)
    {
        if (!task.IsCompleted)
        {
            await FlushAsync().ConfigureAwait(false);
            // Completing the task ends the pending read, so the response is written on the completing thread.
            _ = task.ContinueWith(static (_, state) => ((PipeReader)state!).CancelPendingRead(), _input, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            while (!task.IsCompleted)
            {
                ReadResult result = await _input.ReadAsync().ConfigureAwait(false);
                if (task.IsCompleted)
                {
                    // Unexamined: whatever came in is read again after the answer.
                    _input.AdvanceTo(result.Buffer.Start);
                    break;
                }

                _input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                if (result.IsCompleted)
                {
                    return (true, default);
                }
            }
        }

        return (false, await task.ConfigureAwait(false));
    }

    /// <summary>
    /// Reads a body of at most <paramref name="limit"/> bytes: null when it is larger (nothing more is read; the
    /// connection must close), or throws <see cref="InvalidDataException"/> when the runtime sent it truncated or with
    /// broken chunk framing.
    /// </summary>
    public async ValueTask<byte[]?> ReadBodyAsync(RuntimeApiRequest request, int limit)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        ArrayBufferWriter<byte>? chunks = request.Chunked ? new() : null;
        byte[] body = request.Chunked ? [] : new byte[request.ContentLength ?? 0];
        if (!request.HasBody)
        {
            return body;
        }

        InviteBody(request);
        if (chunks is null)
        {
            await CopyAsync(body).ConfigureAwait(false);
            return body;
        }

        return await ReadChunkedAsync(chunks, limit).ConfigureAwait(false) ? chunks.WrittenSpan.ToArray() : null;
    }

    private void InviteBody(RuntimeApiRequest request)
    {
        if (request.ExpectContinue)
        {
            // Only when the body has not started to arrive: a client that did not wait needs no invitation.
            bool arriving = false;
            if (_input.TryRead(out ReadResult peek))
            {
                arriving = !peek.Buffer.IsEmpty;
                _input.AdvanceTo(peek.Buffer.Start);
            }

            if (!arriving)
            {
                RuntimeApiResponse.WriteContinue(_output);
                _unflushed = true;
            }
        }
    }

    /// <summary>The most a streamed body's piece holds: a chunk up to this size is passed on whole, a larger one in pieces.</summary>
    public const int MaxPieceBytes = 64 * 1024;

    /// <summary>
    /// The most a trailer line may hold: an error body in base64, with its stack trace. The C# client caps the error
    /// document at 256 KB, which base64 makes about 342 KB.
    /// </summary>
    private const int MaxTrailerLineBytes = 512 * 1024;

    /// <summary>
    /// Reads a streamed response body as it arrives, handing each piece (a copy) to <paramref name="onPiece"/> before
    /// reading on: a chunk of at most <see cref="MaxPieceBytes"/> as one piece, so that what the function wrote in one
    /// go reaches the caller in one go. Returns the error the runtime reported in the trailers, if any, or TooLarge
    /// once the body passes <paramref name="limit"/> (nothing more is read; the connection must close). Throws
    /// <see cref="InvalidDataException"/> when the body is truncated or its chunk framing broken.
    /// </summary>
    public async ValueTask<StreamedBody> ReadStreamingBodyAsync(RuntimeApiRequest request, long limit, Func<ReadOnlyMemory<byte>, ValueTask> onPiece)
    {
        if (request.ContentLength > limit)
        {
            return new StreamedBody(TooLarge: true, null, null);
        }

        if (!request.HasBody)
        {
            return default;
        }

        InviteBody(request);
        if (!request.Chunked)
        {
            await ForwardAsync(request.ContentLength!.Value, onPiece).ConfigureAwait(false);
            return default;
        }

        long total = 0;
        while (true)
        {
            long size = await ReadChunkSizeAsync().ConfigureAwait(false);
            if (size == 0)
            {
                return await ReadTrailersAsync().ConfigureAwait(false);
            }

            total += size;
            if (total > limit)
            {
                return new StreamedBody(TooLarge: true, null, null);
            }

            await ForwardAsync(size, onPiece).ConfigureAwait(false);
            if (!(await ReadLineAsync().ConfigureAwait(false)).IsEmpty)
            {
                throw new InvalidDataException("Chunk data not followed by CRLF");
            }
        }
    }

    private async ValueTask ForwardAsync(long length, Func<ReadOnlyMemory<byte>, ValueTask> onPiece)
    {
        while (length > 0)
        {
            byte[] piece = new byte[(int)Math.Min(length, MaxPieceBytes)];
            await CopyAsync(piece).ConfigureAwait(false);
            length -= piece.Length;
            await onPiece(piece).ConfigureAwait(false);
        }
    }

    // The trailer section after the last chunk: the runtime reports an error that happened mid-stream here, since the
    // status line and headers have long left (Lambda-Runtime-Function-Error-Type, and -Error-Body in base64).
    private async ValueTask<StreamedBody> ReadTrailersAsync()
    {
        string? errorType = null;
        string? errorBody = null;
        while (true)
        {
            ReadOnlyMemory<byte> line = await ReadLineAsync(MaxTrailerLineBytes).ConfigureAwait(false);
            if (line.IsEmpty)
            {
                return new StreamedBody(TooLarge: false, errorType, errorBody);
            }

            ReadOnlySpan<byte> field = line.Span;
            int colon = field.IndexOf((byte)':');
            if (colon <= 0)
            {
                throw new InvalidDataException("Malformed trailer");
            }

            ReadOnlySpan<byte> name = field[..colon].Trim(" \t"u8);
            ReadOnlySpan<byte> value = field[(colon + 1)..].Trim(" \t"u8);
            if (value.IsEmpty)
            {
                continue;
            }

            if (Ascii.EqualsIgnoreCase(name, "Lambda-Runtime-Function-Error-Type"u8))
            {
                errorType = Encoding.UTF8.GetString(value);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Lambda-Runtime-Function-Error-Body"u8))
            {
                errorBody = Encoding.UTF8.GetString(value);
            }
        }
    }

    /// <summary>Reads and drops a body nobody asked for, so that the next request can be found. False: too large to skip.</summary>
    public async ValueTask<bool> DiscardBodyAsync(RuntimeApiRequest request)
    {
        if (request.Chunked || !request.HasBody)
        {
            byte[]? body = await ReadBodyAsync(request, RuntimeApiHandler.MaxResponseBytes).ConfigureAwait(false);
            return body is not null;
        }

        long left = request.ContentLength!.Value;
        if (left > RuntimeApiHandler.MaxResponseBytes)
        {
            return false;
        }

        // Skipped as it arrives, not read into an array of the declared length: a client that declares 6 MB and sends
        // nothing must not hold 6 MB, nor hold the connection past the head timeout.
        InviteBody(request);
        using CancellationTokenSource timer = StallTimeout();
        while (left > 0)
        {
            ReadResult result = await ReadAsync(waitForMore: false, timer.Token).ConfigureAwait(false);
            long take = Math.Min(result.Buffer.Length, left);
            _input.AdvanceTo(result.Buffer.GetPosition(take));
            left -= take;
            if (left > 0 && result.IsCompleted)
            {
                throw new InvalidDataException("Truncated body");
            }
        }

        return true;
    }

    private async ValueTask CopyAsync(Memory<byte> body)
    {
        int filled = 0;
        while (filled < body.Length)
        {
            ReadResult result = await ReadAsync(waitForMore: false).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            long take = Math.Min(buffer.Length, body.Length - filled);
            buffer.Slice(0, take).CopyTo(body.Span[filled..]);
            filled += (int)take;
            _input.AdvanceTo(buffer.GetPosition(take));
            if (filled < body.Length && result.IsCompleted)
            {
                throw new InvalidDataException("Truncated body");
            }
        }
    }

    // Chunked framing (RFC 9112 7.1): size in hex, optional extensions, CRLF, data, CRLF; a zero size, trailers, CRLF.
    private async ValueTask<bool> ReadChunkedAsync(ArrayBufferWriter<byte> body, int limit)
    {
        while (true)
        {
            long size = await ReadChunkSizeAsync().ConfigureAwait(false);
            if (size == 0)
            {
                // Trailer fields, ignored, up to the empty line.
                while (!(await ReadLineAsync().ConfigureAwait(false)).IsEmpty)
                {
                }

                return true;
            }

            if (body.WrittenCount + size > limit)
            {
                return false;
            }

            // Straight into the body: no array per chunk.
            await CopyAsync(body.GetMemory((int)size)[..(int)size]).ConfigureAwait(false);
            body.Advance((int)size);
            if (!(await ReadLineAsync().ConfigureAwait(false)).IsEmpty)
            {
                throw new InvalidDataException("Chunk data not followed by CRLF");
            }
        }
    }

    private async ValueTask<long> ReadChunkSizeAsync()
    {
        ReadOnlyMemory<byte> line = await ReadLineAsync().ConfigureAwait(false);
        ReadOnlySpan<byte> digits = line.Span;
        int extension = digits.IndexOf((byte)';');
        digits = (extension >= 0 ? digits[..extension] : digits).Trim(" \t"u8);
        if (digits.IsEmpty || digits.Length > 8 || !Utf8Parser.TryParse(digits, out uint size, out int used, 'x') || used != digits.Length)
        {
            throw new InvalidDataException("Bad chunk size");
        }

        return size;
    }

    /// <summary>One CRLF-terminated line of chunk framing (at most 4 KB unless told), without the CRLF.</summary>
    private async ValueTask<ReadOnlyMemory<byte>> ReadLineAsync(int maxBytes = 4096)
    {
        bool waitForMore = false;
        while (true)
        {
            ReadResult result = await ReadAsync(waitForMore).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            SequenceReader<byte> reader = new(buffer);
            if (reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
            {
                byte[] copy = line.ToArray();
                _input.AdvanceTo(reader.Position);
                return copy;
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || buffer.Length > maxBytes)
            {
                throw new InvalidDataException("Truncated or oversized chunk line");
            }

            waitForMore = true;
        }
    }

    /// <summary>
    /// Bytes from the connection. With <paramref name="waitForMore"/> false, what is already buffered comes back at
    /// once (a pipelined request); otherwise, and when nothing is buffered, the pending responses leave first.
    /// </summary>
    private async ValueTask<ReadResult> ReadAsync(bool waitForMore, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ReadResult result;
            if (waitForMore || !_input.TryRead(out result))
            {
                await FlushAsync().ConfigureAwait(false);
                result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!result.IsCanceled)
            {
                return result;
            }

            // A cancellation left over from a `next` wait (see WaitAsync): not data.
            _input.AdvanceTo(result.Buffer.Start);
            waitForMore = false;
        }
    }

    /// <summary>Sends what was written so far now, not when the connection next waits for the runtime.</summary>
    public async ValueTask FlushAsync()
    {
        if (_unflushed)
        {
            _unflushed = false;
            await _output.FlushAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>How a streamed response body ended: over the limit, or complete with the error its trailers reported (if any).</summary>
internal readonly record struct StreamedBody(bool TooLarge, string? ErrorType, string? ErrorBody);
