namespace Handshake.Runtime.AwsSdk;
