namespace Handshake.Dynamo.Tests;
