namespace Handshake.Dynamo;

/// <summary>The store could not be opened: a damaged or unreadable database. The message is one line, for humans.</summary>
public sealed class DynamoStoreOpenException : Exception
{
    public DynamoStoreOpenException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
