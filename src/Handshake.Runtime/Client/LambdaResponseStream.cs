using System.Globalization;
using System.Text;

namespace Handshake.Runtime.Client;

/// <summary>
/// A streamed response to the Runtime API: one <c>POST invocation/{id}/response</c> with
/// <c>Lambda-Runtime-Function-Response-Mode: streaming</c> and chunked encoding, each <see cref="Write(ReadOnlySpan{byte})"/>
/// one chunk sent at once (the caller of InvokeWithResponseStream gets it as one PayloadChunk). An error after the
/// stream started goes in the trailers (<c>Lambda-Runtime-Function-Error-Type</c>, and <c>-Error-Body</c> as base64 of
/// the error's JSON), as AWS's runtimes send it. Blocking, like the rest of this client; the async methods complete
/// before they return.
/// </summary>
public sealed class LambdaResponseStream : Stream
{
    /// <summary>What AWS's runtimes send when the function names no content type.</summary>
    public const string DefaultContentType = "application/octet-stream";

    private readonly RuntimeApiClient _client;
    private readonly string _awsRequestId;
    private string _contentType = DefaultContentType;
    private bool _started;
    private bool _ended;

    internal LambdaResponseStream(RuntimeApiClient client, string awsRequestId)
    {
        _client = client;
        _awsRequestId = awsRequestId;
    }

    /// <summary>The response's content type, passed to the caller; settable until the first write.</summary>
    public string ContentType
    {
        get => _contentType;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            if (_started)
            {
                throw new InvalidOperationException("Cannot set the content type after the stream has started.");
            }

            if (value.AsSpan().ContainsAnyExceptInRange(' ', '~'))
            {
                throw new ArgumentException("A content type is printable ASCII.", nameof(value));
            }

            _contentType = value;
        }
    }

    /// <summary>True once the stream has ended (completed or failed).</summary>
    public bool IsEnded => _ended;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_ended;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_ended, this);
        if (buffer.IsEmpty)
        {
            // A zero-size chunk would end the body.
            return;
        }

        Start();
        var size = buffer.Length.ToString("x", CultureInfo.InvariantCulture);
        var chunk = new byte[size.Length + 2 + buffer.Length + 2];
        Encoding.ASCII.GetBytes(size, chunk);
        "\r\n"u8.CopyTo(chunk.AsSpan(size.Length));
        buffer.CopyTo(chunk.AsSpan(size.Length + 2));
        "\r\n"u8.CopyTo(chunk.AsSpan(chunk.Length - 2));
        _client.WriteStreaming(chunk);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        catch (Exception exception)
        {
            return ValueTask.FromException(exception);
        }
    }

    /// <summary>Each write is sent as it is made: nothing to flush.</summary>
    public override void Flush()
    {
    }

    /// <summary>Ends the body and reads the Runtime API's answer (202). Idempotent.</summary>
    /// <exception cref="RuntimeApiException">The Runtime API refused the response (400, 413, 500).</exception>
    public void Complete() => End("0\r\n\r\n"u8);

    /// <summary>Ends the body with <paramref name="error"/> in the trailers and reads the answer. No-op once ended.</summary>
    public void Fail(LambdaError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var type = error.ErrorType.AsSpan().ContainsAnyExceptInRange(' ', '~') ? null : error.ErrorType;
        var trailers = "0\r\n" +
            (type is null ? "" : $"{RuntimeApiHeaders.FunctionErrorType}: {type}\r\n") +
            $"{RuntimeApiHeaders.FunctionErrorBody}: {Convert.ToBase64String(error.ToUtf8Json())}\r\n\r\n";
        End(Encoding.ASCII.GetBytes(trailers));
    }

    private void End(ReadOnlySpan<byte> last)
    {
        if (_ended)
        {
            return;
        }

        Start();
        _ended = true;
        _client.FinishStreaming(_awsRequestId, last);
    }

    private void Start()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        _client.WriteStreaming(Encoding.ASCII.GetBytes(
            $"POST /2018-06-01/runtime/invocation/{Uri.EscapeDataString(_awsRequestId)}/response HTTP/1.1\r\nHost: {_client.Host}\r\n" +
            $"{RuntimeApiHeaders.FunctionResponseMode}: streaming\r\nTransfer-Encoding: chunked\r\n" +
            $"Trailer: {RuntimeApiHeaders.FunctionErrorType}, {RuntimeApiHeaders.FunctionErrorBody}\r\nContent-Type: {_contentType}\r\n\r\n"));
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
