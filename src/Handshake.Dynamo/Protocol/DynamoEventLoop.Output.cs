using System.Diagnostics;
using Handshake.Sockets;

namespace Handshake.Dynamo.Protocol;

/// <summary>The loop's answers on the wire, and the end of a connection: closed, or handed over to Kestrel.</summary>
internal sealed partial class DynamoEventLoop
{
    private void Flush()
    {
        _busy = _answered.Count > 0;
        // By index: a connection whose backlog drains goes on with its next requests (see Send), and answers them.
        for (int i = 0; i < _answered.Count; i++)
        {
            LoopConnection connection = _answered[i];
            connection.Answered = false;
            if (!connection.Closed)
            {
                Send(connection);
            }
        }

        _answered.Clear();
        foreach (IPlainExchange exchange in _sentExchanges)
        {
            try
            {
                exchange.Sent();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // What follows an answer (a function's END/REPORT lines) must not stop the loop.
            }
        }

        _sentExchanges.Clear();
    }

    private void Send(LoopConnection connection)
    {
        while (connection.Unsent > 0)
        {
            int sent = LinuxSockets.Send(connection.Fd, connection.Output.WrittenSpan[connection.Sent..]);
            if (sent == -LinuxSockets.WouldBlock)
            {
                if (!connection.WaitsToSend)
                {
                    connection.WaitsToSend = true;
                    Register(connection, LinuxSockets.EpollModify, LinuxSockets.EpollOut | (connection.InputClosed || connection.ReadPaused ? 0 : LinuxSockets.EpollIn));
                }

                return;
            }

            if (sent < 0)
            {
                Close(connection);
                return;
            }

            connection.Sent += sent;
            _observer?.Transferred(connection.Features, 0, sent);
        }

        connection.Output.ResetWrittenCount();
        connection.Sent = 0;
        connection.LastActive = Stopwatch.GetTimestamp();
        // Reading stopped for a backlog of answers (see Receive) resumes once they are sent; reading stopped behind a
        // running request resumes when it completes (Settle).
        bool resume = connection.ReadPaused && !connection.Executing;
        if (resume)
        {
            connection.ReadPaused = false;
        }

        if (connection.WaitsToSend || resume)
        {
            connection.WaitsToSend = false;
            Register(connection, LinuxSockets.EpollModify, connection.InputClosed || connection.ReadPaused ? 0 : LinuxSockets.EpollIn);
        }

        if (connection.CloseWhenSent || (_stopping && !connection.Executing && connection.End == connection.Start))
        {
            Close(connection);
        }
        else if (connection.HandOverWhenSent)
        {
            HandOver(connection);
        }
        else if (!connection.Executing && connection.End > connection.Start)
        {
            // Requests left waiting behind the backlog (ProcessInput stops at MaxUnsentBytes).
            ProcessInput(connection);
        }
    }

    private void CloseWhenSent(LoopConnection connection)
    {
        connection.CloseWhenSent = true;
        if (connection.Unsent == 0 && !connection.Answered)
        {
            Close(connection);
        }
    }

    private void HandOverWhenSent(LoopConnection connection)
    {
        connection.HandOverWhenSent = true;
        if (connection.Unsent == 0 && !connection.Answered)
        {
            HandOver(connection);
        }
    }

    /// <summary>Gives the socket, and the bytes read but not answered, to Kestrel's HTTP layer.</summary>
    private void HandOver(LoopConnection connection)
    {
        LinuxSockets.Control(_epoll, LinuxSockets.EpollDelete, connection.Fd, 0, 0);
        Release(connection);
        byte[] unread = connection.Input.AsSpan(connection.Start, connection.End - connection.Start).ToArray();
        connection.ReturnBuffers();
        _handOver(connection, unread);
    }

    private void Close(LoopConnection connection)
    {
        if (connection.Closed)
        {
            return;
        }

        lock (connection.FdLock)
        {
            LinuxSockets.CloseFd(connection.Fd);
            Release(connection);
        }

        if (!connection.Executing)
        {
            connection.ReturnBuffers();
        }

        _observer?.Closed(connection.Features);
    }

    private void Release(LoopConnection connection)
    {
        connection.Closed = true;
        _slots[connection.Slot] = null;
        _freeSlots.Push(connection.Slot);
    }
}
