namespace Handshake.Clients.Tests;
