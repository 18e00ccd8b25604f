using System.Buffers.Text;
using System.Text;

namespace Handshake.Runtime.Client;

/// <summary>
/// One kept-alive HTTP/1.1 connection to the Runtime API, driven by blocking reads and writes on the caller's thread.
/// Calls are sequential (request, then its whole answer) on one connection. One request may be sent ahead with another
/// (<c>then</c>): the loop's <c>GET next</c> goes out in the same write as the answer it follows, and its own answer is
/// read by the next call. A kept-alive connection the server closed between calls is reopened once, when no byte of the
/// answer arrived.
/// </summary>
internal sealed class RuntimeApiConnection : IDisposable
{
    /// <summary>Headers larger than this are not a Runtime API answer (Lambda's largest header, Client-Context, is ~3.5 KiB).</summary>
    private const int MaxHeaderBytes = 1024 * 1024;

    /// <summary>Head and body up to this size go out in one write: one segment on the wire, one syscall.</summary>
    private const int CoalesceBytes = 64 * 1024;

    private readonly Func<Stream> _connect;
    private Stream? _stream;
    private byte[] _buffer = new byte[8 * 1024];
    private int _start;
    private int _end;
    private bool _received;

    // The request the next call asks for already went out behind the previous one; only its answer is left to read.
    private bool _sentAhead;

    public RuntimeApiConnection(Func<Stream> connect)
    {
        _connect = connect;
    }

    /// <summary>TCP connections opened so far (1 for the life of a healthy environment).</summary>
    public int Connections { get; private set; }

    /// <summary>
    /// Writes <paramref name="head"/> and <paramref name="body"/> and reads the whole answer; the body of a 2xx answer is
    /// kept only when <paramref name="keepBody"/> says so. Connection failures become
    /// <see cref="HttpRequestException"/>; cancellation closes the connection (which wakes a blocked read) and throws
    /// <see cref="OperationCanceledException"/>. <paramref name="then"/>, when given, is a whole request written right
    /// behind this one (HTTP/1.1 pipelining); the caller's next call must be that request, and only reads its answer.
    /// </summary>
    public RuntimeApiResponse Send(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, bool keepBody, CancellationToken cancellationToken, ReadOnlySpan<byte> then = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((RuntimeApiConnection)state!).Abort(), this)
            : default;
        for (var attempt = 0; ; attempt++)
        {
            var reused = _stream is not null;
            _received = false;
            try
            {
                if (_stream is null)
                {
                    _stream = _connect();
                    Connections++;
                }

                if (_sentAhead)
                {
                    _sentAhead = false;
                }
                else
                {
                    Write(_stream, head, body, then);
                }

                var response = ReadResponse(_stream, keepBody);
                _sentAhead = !then.IsEmpty;
                if (response.ConnectionClose)
                {
                    Close();
                }

                return response;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                Close();
                cancellationToken.ThrowIfCancellationRequested();
                // The server closed the kept-alive connection between calls: no byte of an answer came back, so the
                // request was not processed, and it is safe to send it once more on a new connection.
                if (reused && attempt == 0 && !_received)
                {
                    continue;
                }

                throw new HttpRequestException(HttpRequestError.ConnectionError, $"Runtime API connection failed: {e.Message}", e);
            }
            catch (HttpRequestException)
            {
                // A malformed answer leaves the connection at an unknown position: never reuse it.
                Close();
                throw;
            }
        }
    }

    /// <summary>
    /// Writes part of a request whose body is streamed (the head, then each chunk as the handler writes it), connecting
    /// first if needed. Nothing is read until <see cref="FinishStreaming"/>. A failure closes the connection: a request
    /// partly sent cannot be sent again.
    /// </summary>
    public void WriteStreaming(ReadOnlySpan<byte> bytes)
    {
        try
        {
            if (_stream is null)
            {
                _stream = _connect();
                Connections++;
            }

            _stream.Write(bytes);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            Close();
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"Runtime API connection failed: {e.Message}", e);
        }
    }

    /// <summary>Writes the end of a streamed request (last chunk, trailers) and reads its whole answer.</summary>
    public RuntimeApiResponse FinishStreaming(ReadOnlySpan<byte> last)
    {
        WriteStreaming(last);
        try
        {
            var response = ReadResponse(_stream!, keepBody: false);
            if (response.ConnectionClose)
            {
                Close();
            }

            return response;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            Close();
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"Runtime API connection failed: {e.Message}", e);
        }
        catch (HttpRequestException)
        {
            Close();
            throw;
        }
    }

    public void Dispose() => Close();

    private void Abort()
    {
        // Shutting the connection down from another thread wakes the read blocked in recv() (disposing a Socket does
        // that too; closing a bare descriptor would not).
        if (_stream is LinuxSocketStream socket)
        {
            socket.Abort();
        }
        else
        {
            _stream?.Dispose();
        }
    }

    private void Close()
    {
        _stream?.Dispose();
        _stream = null;
        _start = 0;
        _end = 0;
        // A request sent ahead on a closed connection is lost with it: the next call writes it again.
        _sentAhead = false;
    }

    private static void Write(Stream stream, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, ReadOnlySpan<byte> then)
    {
        if (body.IsEmpty && then.IsEmpty)
        {
            stream.Write(head);
            return;
        }

        var total = head.Length + body.Length + then.Length;
        if (total > CoalesceBytes)
        {
            stream.Write(head);
            stream.Write(body);
            stream.Write(then);
            return;
        }

        Span<byte> one = total <= 1024 ? stackalloc byte[total] : new byte[total];
        head.CopyTo(one);
        body.CopyTo(one[head.Length..]);
        then.CopyTo(one[(head.Length + body.Length)..]);
        stream.Write(one);
    }

    private RuntimeApiResponse ReadResponse(Stream stream, bool keepBody)
    {
        while (true)
        {
            var headEnd = ReadHead(stream);
            var response = RuntimeApiResponseHead.Parse(_buffer.AsSpan(_start, headEnd - _start));
            _start = headEnd;
            if (response.StatusCode is >= 100 and < 200)
            {
                // An interim answer (100 Continue): the real one follows on the same connection.
                continue;
            }

            if (response.StatusCode is 204 or 304)
            {
                return response;
            }

            // A failure's body is the error's text; a success's body is kept only when the caller wants it.
            keepBody |= response.StatusCode >= 300;

            if (response.Chunked)
            {
                ReadChunkedBody(stream, response, keepBody);
            }
            else if (response.ContentLength >= 0)
            {
                if (response.ContentLength > Array.MaxLength)
                {
                    throw RuntimeApiResponseHead.Malformed($"Content-Length {response.ContentLength} is too large");
                }

                var body = keepBody ? new byte[response.ContentLength] : null;
                ReadExactly(stream, body, (int)response.ContentLength);
                response.Body = body ?? [];
            }
            else
            {
                // No framing: the body ends when the server closes the connection (HTTP/1.0 style).
                ReadToEnd(stream, response, keepBody);
                response.ConnectionClose = true;
            }

            return response;
        }
    }

    /// <summary>Reads until the buffer holds the whole head; returns the index just past its blank line.</summary>
    private int ReadHead(Stream stream)
    {
        var scanned = 0;
        while (true)
        {
            var at = _buffer.AsSpan(_start + scanned, _end - _start - scanned).IndexOf("\r\n\r\n"u8);
            if (at >= 0)
            {
                return _start + scanned + at + 4;
            }

            scanned = Math.Max(0, _end - _start - 3);
            if (_end - _start >= MaxHeaderBytes)
            {
                throw RuntimeApiResponseHead.Malformed($"response headers exceed {MaxHeaderBytes} bytes");
            }

            Fill(stream);
        }
    }

    /// <summary>Reads one CRLF-terminated line and consumes it; the span is valid until the next read.</summary>
    private ReadOnlySpan<byte> ReadLine(Stream stream)
    {
        var scanned = 0;
        while (true)
        {
            var at = _buffer.AsSpan(_start + scanned, _end - _start - scanned).IndexOf("\r\n"u8);
            if (at >= 0)
            {
                var line = _buffer.AsSpan(_start, scanned + at);
                _start += scanned + at + 2;
                return line;
            }

            scanned = Math.Max(0, _end - _start - 1);
            if (_end - _start >= MaxHeaderBytes)
            {
                throw RuntimeApiResponseHead.Malformed("chunk line too long");
            }

            Fill(stream);
        }
    }

    private void ReadChunkedBody(Stream stream, RuntimeApiResponse response, bool keepBody)
    {
        var body = keepBody ? new MemoryStream() : null;
        while (true)
        {
            var line = ReadLine(stream);
            var extension = line.IndexOf((byte)';');
            var sizeText = (extension >= 0 ? line[..extension] : line).Trim(" \t"u8);
            if (sizeText.IsEmpty || !Utf8Parser.TryParse(sizeText, out long size, out var consumed, 'x') || consumed != sizeText.Length
                || size < 0 || size > Array.MaxLength - (body?.Length ?? 0))
            {
                throw RuntimeApiResponseHead.Malformed($"bad chunk size '{Encoding.ASCII.GetString(sizeText)}'");
            }

            if (size == 0)
            {
                // Trailers, if any, end with an empty line.
                while (!ReadLine(stream).IsEmpty)
                {
                }

                break;
            }

            var remaining = (int)size;
            while (remaining > 0)
            {
                if (_start == _end)
                {
                    Fill(stream);
                }

                var take = Math.Min(remaining, _end - _start);
                body?.Write(_buffer, _start, take);
                _start += take;
                remaining -= take;
            }

            if (!ReadLine(stream).IsEmpty)
            {
                throw RuntimeApiResponseHead.Malformed("chunk data not followed by CRLF");
            }
        }

        response.Body = body?.ToArray() ?? [];
    }

    private void ReadExactly(Stream stream, byte[]? target, int length)
    {
        var copied = Math.Min(length, _end - _start);
        if (target is not null)
        {
            _buffer.AsSpan(_start, copied).CopyTo(target);
        }

        _start += copied;
        while (copied < length)
        {
            int read;
            if (target is not null)
            {
                // Straight into the payload's array: a large event is copied once, not through the buffer.
                read = stream.Read(target, copied, length - copied);
                if (read == 0)
                {
                    throw new EndOfStreamException("the Runtime API closed the connection in the middle of a body");
                }
            }
            else
            {
                _start = _end = 0;
                Fill(stream);
                read = Math.Min(length - copied, _end);
                _start = read;
            }

            copied += read;
        }
    }

    private void ReadToEnd(Stream stream, RuntimeApiResponse response, bool keepBody)
    {
        var body = keepBody ? new MemoryStream() : null;
        while (true)
        {
            body?.Write(_buffer, _start, _end - _start);
            _start = _end = 0;
            var read = stream.Read(_buffer, 0, _buffer.Length);
            if (read == 0)
            {
                break;
            }

            _end = read;
        }

        response.Body = body?.ToArray() ?? [];
    }

    /// <summary>Reads more bytes into the buffer, compacting or growing it; the end of the stream here is a lost connection.</summary>
    private void Fill(Stream stream)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }

        var read = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            throw new EndOfStreamException("the Runtime API closed the connection");
        }

        _received = true;
        _end += read;
    }
}
