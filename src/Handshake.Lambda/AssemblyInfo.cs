namespace Handshake.Lambda;
