namespace Handshake.Lambda.Tests;
