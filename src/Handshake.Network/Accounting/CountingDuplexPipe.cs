using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Handshake.Network.Accounting;

/// <summary>
/// The connection's transport with its bytes counted: bytes in are what the server consumed from the socket, bytes
/// out what it wrote. Sits outside TLS, so on an HTTPS connection these are the bytes on the wire.
/// </summary>
internal sealed class CountingDuplexPipe(IDuplexPipe transport, ConnectionRecord record) : IDuplexPipe
{
    public PipeReader Input { get; } = new CountingPipeReader(transport.Input, record);

    public PipeWriter Output { get; } = new CountingPipeWriter(transport.Output, record);

    private sealed class CountingPipeReader(PipeReader inner, ConnectionRecord record) : PipeReader
    {
        // The buffer of the last read, to measure how far AdvanceTo's position moved.
        private ReadOnlySequence<byte> _buffer;

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            ReadResult result = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
            _buffer = result.Buffer;
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }

            _buffer = result.Buffer;
            return true;
        }

        public override void AdvanceTo(SequencePosition consumed)
        {
            Count(consumed);
            inner.AdvanceTo(consumed);
        }

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            Count(consumed);
            inner.AdvanceTo(consumed, examined);
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        private void Count(SequencePosition consumed)
        {
            if (!_buffer.IsEmpty)
            {
                record.AddBytesIn(_buffer.Slice(_buffer.Start, consumed).Length);
                _buffer = default;
            }
        }
    }

    private sealed class CountingPipeWriter(PipeWriter inner, ConnectionRecord record) : PipeWriter
    {
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            record.AddBytesOut(bytes);
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) =>
            inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            record.AddBytesOut(source.Length);
            return inner.WriteAsync(source, cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
