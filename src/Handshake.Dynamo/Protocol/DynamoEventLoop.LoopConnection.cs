using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Http.Features;

namespace Handshake.Dynamo.Protocol;

internal sealed partial class DynamoEventLoop
{
    /// <summary>One connection the loop serves: its socket, its buffers and the request in progress.</summary>
    internal sealed class LoopConnection(int fd, IPEndPoint? remoteEndPoint)
    {
        private static uint _generations;

        public readonly int Fd = fd;
        public readonly uint Generation = Interlocked.Increment(ref _generations);
        public readonly IPEndPoint? RemoteEndPoint = remoteEndPoint;
        public readonly IFeatureCollection Features = new FeatureCollection();
        public byte[] Input = [];
        public readonly ArrayBufferWriter<byte> Output = new(1024);
        public int Slot;
        public int Start;
        public int End;
        public int Sent;
        public long LastActive;
        public bool Partial;
        public bool InputClosed;
        public bool ReadPaused;
        // EPOLLOUT is registered exactly while this is set (a send would block): level-triggered, EPOLLOUT on a writable
        // socket would fire on every wait, so no registration may add it otherwise.
        public bool WaitsToSend;
        public bool Answered;
        public bool CloseWhenSent;
        public bool HandOverWhenSent;
        public bool Closed;
        public bool Executing;
        public ValueTask<int> Execution;
        public Action? OnCompleted;
        public ResponseBuffer? Response;
        public IPlainExchange? Exchange;
        // A route's answer may be sent by the thread that completed it (see DynamoEventLoop.SendDirectly): set while the
        // loop leaves the connection's output alone (nothing unsent, not among the turn's answers, request running).
        public bool MaySendDirectly;
        public bool SentDirectly;
        public int DirectBytes;
        // Held by that thread while it sends, and by the loop while it closes the socket: the number is not reused under it.
        public readonly Lock FdLock = new();
        public byte[]? Body;
        public string MetricOperation = "";
        public long Started;

        public int Unsent => Output.WrittenCount - Sent;

        /// <summary>Frees space at the end of the input buffer: moves the unread bytes down, or grows up to a whole request.</summary>
        public bool MakeRoom()
        {
            if (Start > 0)
            {
                Input.AsSpan(Start, End - Start).CopyTo(Input);
                End -= Start;
                Start = 0;
                return true;
            }

            if (Input.Length >= PlainRequest.MaxRequestBytes)
            {
                return false;
            }

            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(Input.Length * 2, PlainRequest.MaxRequestBytes));
            Input.AsSpan(0, End).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(Input);
            Input = larger;
            return true;
        }

        public void ReleaseRequest()
        {
            if (Body is not null)
            {
                ArrayPool<byte>.Shared.Return(Body);
                Body = null;
            }

            if (Response is not null)
            {
                ResponseBuffer.Return(Response);
                Response = null;
            }
        }

        public void ReleaseInput()
        {
            Start = End = 0;
            if (Input.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(Input);
                Input = [];
            }
        }

        public void ReturnBuffers()
        {
            ReleaseRequest();
            ReleaseInput();
        }
    }
}
