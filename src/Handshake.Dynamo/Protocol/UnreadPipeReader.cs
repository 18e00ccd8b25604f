using System.Buffers;
using System.IO.Pipelines;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// A connection's input with bytes already read from its socket put back in front: what <see cref="DynamoEventLoop"/>
/// read of a request it leaves to Kestrel. Once those bytes are consumed it is the socket's input itself.
/// </summary>
internal sealed class UnreadPipeReader(PipeReader inner, byte[] unread) : PipeReader
{
    private byte[]? _buffer = unread;
    private int _start;
    private int _end = unread.Length;
    // The reader examined every byte of the last read: the next read must wait for more from the socket.
    private bool _examinedAll;
    private bool _innerCompleted;
    private bool _cancelled;
    private bool _readingInner;

    private ReadOnlySequence<byte> Current => new(_buffer!, _start, _end - _start);

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_buffer is null)
        {
            return inner.ReadAsync(cancellationToken);
        }

        if (_cancelled)
        {
            _cancelled = false;
            return new ValueTask<ReadResult>(new ReadResult(Current, isCanceled: true, isCompleted: false));
        }

        if (!_examinedAll || _innerCompleted)
        {
            return new ValueTask<ReadResult>(new ReadResult(Current, isCanceled: false, isCompleted: _innerCompleted));
        }

        return ReadMoreAsync(cancellationToken);
    }

    private async ValueTask<ReadResult> ReadMoreAsync(CancellationToken cancellationToken)
    {
        _readingInner = true;
        ReadResult more;
        try
        {
            more = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _readingInner = false;
        }

        Append(more.Buffer);
        inner.AdvanceTo(more.Buffer.End);
        _innerCompleted = more.IsCompleted;
        _examinedAll = false;
        _cancelled = false;
        return new ReadResult(Current, more.IsCanceled, _innerCompleted);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (_buffer is null)
        {
            return inner.TryRead(out result);
        }

        if (_cancelled)
        {
            _cancelled = false;
            result = new ReadResult(Current, isCanceled: true, isCompleted: false);
            return true;
        }

        if (_examinedAll && !_innerCompleted)
        {
            if (!inner.TryRead(out ReadResult more))
            {
                result = default;
                return false;
            }

            Append(more.Buffer);
            inner.AdvanceTo(more.Buffer.End);
            _innerCompleted = more.IsCompleted;
            _examinedAll = false;
        }

        result = new ReadResult(Current, isCanceled: false, isCompleted: _innerCompleted);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_buffer is null)
        {
            inner.AdvanceTo(consumed, examined);
            return;
        }

        _start = consumed.GetInteger();
        _examinedAll = examined.GetInteger() >= _end;
        if (_start >= _end)
        {
            // All put-back bytes consumed: from here on, the socket's own input.
            _buffer = null;
        }
    }

    public override void CancelPendingRead()
    {
        if (_buffer is null || _readingInner)
        {
            inner.CancelPendingRead();
            return;
        }

        _cancelled = true;
    }

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    private void Append(ReadOnlySequence<byte> more)
    {
        int held = _end - _start;
        byte[] joined = new byte[held + (int)more.Length];
        _buffer.AsSpan(_start, held).CopyTo(joined);
        more.CopyTo(joined.AsSpan(held));
        _buffer = joined;
        _start = 0;
        _end = joined.Length;
    }
}
