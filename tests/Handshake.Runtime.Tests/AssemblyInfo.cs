namespace Handshake.Runtime.Tests;
