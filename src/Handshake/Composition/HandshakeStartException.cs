namespace Handshake.Composition;

/// <summary>The server could not start for a reason the user can fix; the message is one line, shown as is.</summary>
public sealed class HandshakeStartException(string message, Exception? innerException = null) : Exception(message, innerException);
