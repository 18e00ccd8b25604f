namespace Handshake.Dynamo;
