namespace Handshake.Network.Tests;
