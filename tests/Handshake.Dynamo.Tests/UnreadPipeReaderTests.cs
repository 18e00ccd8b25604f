using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Tests;

/// <summary>
/// The input Kestrel reads from a connection the event loop handed over: the bytes the loop had read come first, then
/// the socket's, whether Kestrel consumes them at once, in parts, or needs more before it can consume any.
/// </summary>
public sealed class UnreadPipeReaderTests
{
    [Fact]
    public async Task TheBytesAlreadyReadComeFirstThenTheSocketsOwn()
    {
        var socket = new Pipe();
        var reader = new UnreadPipeReader(socket.Reader, "GET / HTTP/1.1\r\n"u8.ToArray());
        await socket.Writer.WriteAsync("Host: x\r\n\r\n"u8.ToArray());

        var first = await reader.ReadAsync();
        Assert.Equal("GET / HTTP/1.1\r\n", Text(first.Buffer));
        reader.AdvanceTo(first.Buffer.End);

        var second = await reader.ReadAsync();
        Assert.Equal("Host: x\r\n\r\n", Text(second.Buffer));
        reader.AdvanceTo(second.Buffer.End);
    }

    [Fact]
    public async Task BytesExaminedButNotConsumedAreReadAgainWithWhatArrivesNext()
    {
        var socket = new Pipe();
        var reader = new UnreadPipeReader(socket.Reader, "POST / HT"u8.ToArray());

        var partial = await reader.ReadAsync();
        Assert.Equal("POST / HT", Text(partial.Buffer));
        // A parser that needs the whole line consumes nothing and has examined everything.
        reader.AdvanceTo(partial.Buffer.Start, partial.Buffer.End);
        var pending = reader.ReadAsync();
        Assert.False(pending.IsCompleted);

        await socket.Writer.WriteAsync("TP/1.1\r\n"u8.ToArray());
        var whole = await pending;
        Assert.Equal("POST / HTTP/1.1\r\n", Text(whole.Buffer));

        // Consuming part of it leaves the rest for the next read, without waiting for the socket.
        reader.AdvanceTo(whole.Buffer.GetPosition(5));
        var rest = await reader.ReadAsync();
        Assert.Equal("/ HTTP/1.1\r\n", Text(rest.Buffer));
        reader.AdvanceTo(rest.Buffer.End);

        await socket.Writer.WriteAsync("next"u8.ToArray());
        var next = await reader.ReadAsync();
        Assert.Equal("next", Text(next.Buffer));
    }

    [Fact]
    public async Task TheEndOfTheSocketIsReportedAfterTheBytesAlreadyRead()
    {
        var socket = new Pipe();
        var reader = new UnreadPipeReader(socket.Reader, "abc"u8.ToArray());
        await socket.Writer.CompleteAsync();

        var first = await reader.ReadAsync();
        Assert.Equal("abc", Text(first.Buffer));
        reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);

        var last = await reader.ReadAsync();
        Assert.True(last.IsCompleted);
        Assert.Equal("abc", Text(last.Buffer));
    }

    [Fact]
    public async Task ACancelledReadIsReportedAsCancelled()
    {
        var socket = new Pipe();
        var reader = new UnreadPipeReader(socket.Reader, "abc"u8.ToArray());
        var first = await reader.ReadAsync();
        reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);

        var waiting = reader.ReadAsync();
        reader.CancelPendingRead();
        var cancelled = await waiting.AsTask().WaitAsync(ServerFixture.Timeout);

        Assert.True(cancelled.IsCanceled);
        Assert.Equal("abc", Text(cancelled.Buffer));
    }

    private static string Text(ReadOnlySequence<byte> buffer) => Encoding.ASCII.GetString(buffer.ToArray());
}
