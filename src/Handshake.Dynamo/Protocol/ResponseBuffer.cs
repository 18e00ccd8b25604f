using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// A pooled response body: operations write JSON into it, the endpoint hashes the exact bytes (x-amz-crc32) and
/// sends them. Pooling keeps the buffer and the Utf8JsonWriter off the per-request allocation path.
/// </summary>
internal sealed class ResponseBuffer
{
    private const int MaxPooled = 64;
    private const int MaxRetainedBytes = 64 * 1024;
    private static readonly ConcurrentBag<ResponseBuffer> Pool = [];
    private static int _pooled;

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    private ResponseBuffer()
    {
        Writer = new Utf8JsonWriter(_buffer, Protocol.AttributeValueJson.WriterOptions);
    }

    public Utf8JsonWriter Writer { get; }

    public ReadOnlyMemory<byte> Written
    {
        get
        {
            Writer.Flush();
            return _buffer.WrittenMemory;
        }
    }

    /// <summary>Appends raw bytes already known to be valid JSON (e.g. a stored item) at the writer's position.</summary>
    public void WriteRawValue(ReadOnlySpan<byte> json) => Writer.WriteRawValue(json, skipInputValidation: true);

    public static ResponseBuffer Rent()
    {
        if (Pool.TryTake(out var buffer))
        {
            Interlocked.Decrement(ref _pooled);
            return buffer;
        }
        return new ResponseBuffer();
    }

    public static void Return(ResponseBuffer buffer)
    {
        // Drop buffers grown by a large response rather than pinning their memory forever.
        if (buffer._buffer.Capacity > MaxRetainedBytes || Interlocked.Increment(ref _pooled) > MaxPooled)
        {
            if (buffer._buffer.Capacity <= MaxRetainedBytes) Interlocked.Decrement(ref _pooled);
            return;
        }
        buffer.Reset();
        Pool.Add(buffer);
    }

    public void Reset()
    {
        Writer.Reset(_buffer);
        _buffer.ResetWrittenCount();
    }
}
