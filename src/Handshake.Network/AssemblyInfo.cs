namespace Handshake.Network;
