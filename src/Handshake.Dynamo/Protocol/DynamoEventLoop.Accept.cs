using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Handshake.Sockets;

namespace Handshake.Dynamo.Protocol;

/// <summary>The loop's new connections: accepted by the first loop and dealt out to every loop in turn.</summary>
internal sealed partial class DynamoEventLoop
{
    private void AcceptAll()
    {
        int listener = (int)_listener!.Handle;
        while (_accepting)
        {
            int fd = LinuxSockets.Accept(listener, _address, out int addressLength);
            if (fd < 0)
            {
                return;
            }

            LoopConnection connection = new(fd, ReadPeer(_address.AsSpan(0, addressLength)));
            connection.LastActive = Stopwatch.GetTimestamp();
            _observer?.Opened(connection.Features, connection.RemoteEndPoint);
            DynamoHttpEndpoint? endpoint = _endpoint();
            if ((endpoint is null && _route is null) || endpoint is { VerifiesSignatures: true })
            {
                // Nothing to answer yet, or --auth strict (signatures are checked on Kestrel's request objects): Kestrel's.
                _handOver(connection, []);
                continue;
            }

            DynamoEventLoop loop = _loops[(int)((uint)_nextLoop++ % (uint)_loops.Length)];
            if (loop == this)
            {
                Adopt(connection);
            }
            else
            {
                loop._incoming.Enqueue(connection);
                loop.Wake();
            }
        }
    }

    private void Adopt(LoopConnection connection)
    {
        int slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : AddSlot();
        _slots[slot] = connection;
        connection.Slot = slot;
        Register(connection, LinuxSockets.EpollAdd, LinuxSockets.EpollIn);
    }

    private void AdoptIncoming()
    {
        while (_incoming.TryDequeue(out LoopConnection? connection))
        {
            if (_stopping)
            {
                LinuxSockets.CloseFd(connection.Fd);
                _observer?.Closed(connection.Features);
                continue;
            }

            Adopt(connection);
        }
    }

    private int AddSlot()
    {
        _slots.Add(null);
        return _slots.Count - 1;
    }

    private static IPEndPoint? ReadPeer(ReadOnlySpan<byte> address)
    {
        if (address.Length < 2)
        {
            return null;
        }

        try
        {
            AddressFamily family = BitConverter.ToUInt16(address) == 10 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
            SocketAddress socketAddress = new(family, address.Length);
            address.CopyTo(socketAddress.Buffer.Span);
            return (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(socketAddress);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
