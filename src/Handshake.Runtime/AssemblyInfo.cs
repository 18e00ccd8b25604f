namespace Handshake.Runtime;
