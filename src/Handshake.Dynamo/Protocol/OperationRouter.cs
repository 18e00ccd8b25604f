using Handshake.Dynamo.Operations;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// Maps an X-Amz-Target operation name to its handler. A switch rather than a dictionary of delegates: no
/// allocation, and the list of supported operations reads in one place.
/// </summary>
internal static class OperationRouter
{
    public static bool IsKnown(string operation) => operation switch
    {
        "CreateTable" or "DescribeTable" or "ListTables" or "DeleteTable"
            or "PutItem" or "GetItem" or "DeleteItem" => true,
        _ => false,
    };

    public static Task ExecuteAsync(string operation, DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response) => operation switch
    {
        "PutItem" => PutItem.ExecuteAsync(store, body, response),
        "GetItem" => GetItem.ExecuteAsync(store, body, response),
        "DeleteItem" => DeleteItem.ExecuteAsync(store, body, response),
        "CreateTable" => CreateTable.ExecuteAsync(store, body, response),
        "DescribeTable" => DescribeTable.ExecuteAsync(store, body, response),
        "ListTables" => ListTables.ExecuteAsync(store, body, response),
        "DeleteTable" => DeleteTable.ExecuteAsync(store, body, response),
        _ => throw new DynamoException(DynamoErrorCode.UnknownOperationException, null),
    };
}
