using System.Diagnostics;
using Handshake.Sockets;

namespace Handshake.Dynamo.Protocol;

/// <summary>The loop's answers on the wire, and the end of a connection: closed, or handed over to Kestrel.</summary>
internal sealed partial class DynamoEventLoop
{
    private void Flush()
    {
        foreach (LoopConnection connection in _answered)
        {
            connection.Answered = false;
            if (!connection.Closed)
            {
                Send(connection);
            }
        }

        _answered.Clear();
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
        if (connection.WaitsToSend)
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

        LinuxSockets.CloseFd(connection.Fd);
        Release(connection);
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
