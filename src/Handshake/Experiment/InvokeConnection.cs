using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Handshake.Commands;

namespace Handshake.Experiment;

/// <summary>
/// One kept-alive HTTP/1.1 connection to the Invoke API, owned by one load worker on its own thread and driven with
/// blocking socket calls: a lean load generator in the spirit of wrk. An invocation costs one send and usually one receive,
/// with no HttpClient pipeline, no thread-pool hop and no epoll round; on 2 cores that CPU goes to the host, the store
/// and the functions instead. Answers like BenchEndpoint.InvokeAsync: null on success, else the error's type. A failed
/// exchange throws IOException and closes the connection; the next call opens a new one (never retried: an invocation
/// is not idempotent).
/// </summary>
internal sealed class InvokeConnection : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly EndPoint _server;
    private readonly byte[] _head;
    private readonly Uri _uri;
    private readonly ClientCredentials? _signer;
    private byte[] _buffer = new byte[8 * 1024];
    private Socket? _socket;
    private volatile bool _disposed;

    /// <param name="signer">
    /// Signs each request (SigV4, service lambda) when given: a running `up` may be --auth strict. Null sends it
    /// unsigned, for the bench's own in-process store, which never is, so that no HMAC adds to the client's cost.
    /// </param>
    public InvokeConnection(Uri endpoint, string functionName, ClientCredentials? signer = null)
    {
        _server = IPAddress.TryParse(endpoint.Host, out IPAddress? address)
            ? new IPEndPoint(address, endpoint.Port)
            : new DnsEndPoint(endpoint.Host, endpoint.Port);
        string path = $"/2015-03-31/functions/{Uri.EscapeDataString(functionName)}/invocations";
        _uri = new Uri(endpoint, path);
        _signer = signer;
        _head = Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: {endpoint.Authority}\r\nContent-Type: application/json\r\n");
    }

    /// <summary>TCP connections this client opened (1 unless the server closed one).</summary>
    public int Opened { get; private set; }

    /// <summary>One synchronous RequestResponse invocation. Throws IOException when the exchange fails.</summary>
    public string? Invoke(ReadOnlySpan<byte> payload)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            Socket socket = _socket ??= Connect();
            Send(socket, payload);
            return ReadResponse(socket);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            Close();
            throw e as IOException ?? new IOException(e.Message, e);
        }
    }

    private Socket Connect()
    {
        Socket socket = new(SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = (int)Timeout.TotalMilliseconds,
            SendTimeout = (int)Timeout.TotalMilliseconds,
        };
        try
        {
            socket.Connect(_server);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Opened++;
        return socket;
    }

    /// <summary>The head, the payload's length and the payload in one write.</summary>
    private void Send(Socket socket, ReadOnlySpan<byte> payload)
    {
        string? signed = _signer?.HeaderLines("POST", _uri, payload, "lambda");
        int size = _head.Length + (signed?.Length ?? 0) + 40 + payload.Length;
        if (_buffer.Length < size)
        {
            _buffer = new byte[size];
        }

        Span<byte> request = _buffer;
        _head.CopyTo(request);
        int length = _head.Length;
        if (signed is not null)
        {
            length += Encoding.ASCII.GetBytes(signed, request[length..]);
        }

        "Content-Length: "u8.CopyTo(request[length..]);
        length += "Content-Length: "u8.Length;
        Utf8Formatter.TryFormat(payload.Length, request[length..], out int digits);
        length += digits;
        "\r\n\r\n"u8.CopyTo(request[length..]);
        length += 4;
        payload.CopyTo(request[length..]);
        length += payload.Length;
        for (int sent = 0; sent < length;)
        {
            sent += socket.Send(request[sent..length]);
        }
    }

    private string? ReadResponse(Socket socket)
    {
        int filled = 0;
        int headEnd;
        while ((headEnd = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            filled += Receive(socket, filled);
        }

        ReadOnlySpan<byte> head = _buffer.AsSpan(0, headEnd);
        if (head.Length < 12 || !head.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
        {
            throw new IOException("the Invoke API answered something that is not HTTP/1.x");
        }

        long contentLength = -1;
        bool chunked = false;
        bool functionError = false;
        bool close = head[7] == (byte)'0';
        int lineEnd = head.IndexOf("\r\n"u8);
        while (lineEnd >= 0)
        {
            head = head[(lineEnd + 2)..];
            lineEnd = head.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> line = lineEnd < 0 ? head : head[..lineEnd];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            ReadOnlySpan<byte> name = line[..colon];
            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                Utf8Parser.TryParse(value, out contentLength, out _);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                chunked = Ascii.EqualsIgnoreCase(value, "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "X-Amz-Function-Error"u8))
            {
                functionError = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                close = Ascii.EqualsIgnoreCase(value, "close"u8);
            }
        }

        int bodyStart = headEnd + 4;
        ReadOnlySpan<byte> body = chunked
            ? ReadChunked(socket, bodyStart, ref filled)
            : ReadFixed(socket, bodyStart, contentLength, ref filled, ref close);
        string? error = status != 200 ? $"HTTP {status}" : functionError ? BenchEndpoint.ClassifyError(body) : null;
        if (close)
        {
            Close();
        }

        return error;
    }

    /// <summary>A Content-Length body (or, without one, everything up to the close).</summary>
    private ReadOnlySpan<byte> ReadFixed(Socket socket, int start, long contentLength, ref int filled, ref bool close)
    {
        if (contentLength < 0)
        {
            close = true;
            while (true)
            {
                int read = Receive(socket, filled, allowEnd: true);
                if (read == 0)
                {
                    return _buffer.AsSpan(start, filled - start);
                }

                filled += read;
            }
        }

        long end = start + contentLength;
        while (filled < end)
        {
            filled += Receive(socket, filled);
        }

        return _buffer.AsSpan(start, (int)contentLength);
    }

    /// <summary>A chunked body, decoded in place (the chunks' data moved together behind the head).</summary>
    private ReadOnlySpan<byte> ReadChunked(Socket socket, int start, ref int filled)
    {
        int write = start;
        int read = start;
        while (true)
        {
            int lineEnd;
            while ((lineEnd = _buffer.AsSpan(read, filled - read).IndexOf("\r\n"u8)) < 0)
            {
                filled += Receive(socket, filled);
            }

            ReadOnlySpan<byte> sizeText = _buffer.AsSpan(read, lineEnd);
            int extension = sizeText.IndexOf((byte)';');
            if (!Utf8Parser.TryParse(extension < 0 ? sizeText : sizeText[..extension], out int size, out _, 'x'))
            {
                throw new IOException("bad chunk size in the Invoke API's answer");
            }

            read += lineEnd + 2;
            // The chunk's data and its CRLF; the last chunk (size 0) ends with the trailer's empty line.
            while (filled < read + size + 2)
            {
                filled += Receive(socket, filled);
            }

            if (size == 0)
            {
                return _buffer.AsSpan(start, write - start);
            }

            _buffer.AsSpan(read, size).CopyTo(_buffer.AsSpan(write));
            write += size;
            read += size + 2;
        }
    }

    /// <summary>Receives into the buffer after <paramref name="filled"/>, growing it when full. 0 only at the end with allowEnd.</summary>
    private int Receive(Socket socket, int filled, bool allowEnd = false)
    {
        if (filled == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        int read = socket.Receive(_buffer, filled, _buffer.Length - filled, SocketFlags.None);
        if (read == 0 && !allowEnd)
        {
            throw new IOException("the Invoke API closed the connection before its answer was complete");
        }

        return read;
    }

    private void Close() => Interlocked.Exchange(ref _socket, null)?.Dispose();

    /// <summary>
    /// Closes the connection; a worker blocked in Receive on it gets an exception at once (Ctrl-C). Called twice on
    /// Ctrl-C (by the cancellation and by the worker's <c>using</c>), possibly while the worker closes the socket
    /// itself, so whoever takes the socket first closes it and the others find nothing.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        Socket? socket = Interlocked.Exchange(ref _socket, null);
        if (socket is not null)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }

            socket.Dispose();
        }
    }
}
