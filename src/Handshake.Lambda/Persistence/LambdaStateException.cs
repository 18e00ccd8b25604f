namespace Handshake.Lambda.Persistence;

/// <summary>The saved Lambda state cannot be read: the host does not start (the message names the file and the document).</summary>
public sealed class LambdaStateException(string message, Exception? innerException = null) : Exception(message, innerException);
