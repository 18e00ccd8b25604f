namespace Handshake.EndToEnd.Tests;
