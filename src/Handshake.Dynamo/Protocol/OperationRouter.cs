using Handshake.Dynamo.Operations;

namespace Handshake.Dynamo.Protocol;

/// <summary>
/// Maps an X-Amz-Target operation name to its handler. A switch rather than a dictionary of delegates: no
/// allocation, and the list of supported operations reads in one place. DynamoDB Streams' operations are known by
/// their whole target (<see cref="DynamoHttpEndpoint.OperationOf"/>). Operations DynamoDB has but this store does not
/// (on-demand backups and restores, import and export) answer UnknownOperationException.
/// </summary>
internal static class OperationRouter
{
    public static bool IsKnown(string operation) => operation switch
    {
        "PutItem" or "GetItem" or "UpdateItem" or "DeleteItem" or "Query" or "Scan" or "BatchGetItem" or "BatchWriteItem"
            or "TransactWriteItems" or "TransactGetItems"
            or "ExecuteStatement" or "BatchExecuteStatement" or "ExecuteTransaction"
            or "CreateTable" or "DescribeTable" or "ListTables" or "DeleteTable" or "UpdateTable"
            or "DescribeLimits" or "DescribeEndpoints" or "TagResource" or "UntagResource" or "ListTagsOfResource"
            or "UpdateTimeToLive" or "DescribeTimeToLive"
            or "DescribeContinuousBackups" or "UpdateContinuousBackups" or "DescribeKinesisStreamingDestination"
            or "DynamoDBStreams_20120810.ListStreams" or "DynamoDBStreams_20120810.DescribeStream"
            or "DynamoDBStreams_20120810.GetShardIterator" or "DynamoDBStreams_20120810.GetRecords" => true,
        _ => false,
    };

    public static Task ExecuteAsync(string operation, DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response) => operation switch
    {
        "PutItem" => PutItem.ExecuteAsync(store, body, response),
        "GetItem" => GetItem.ExecuteAsync(store, body, response),
        "UpdateItem" => UpdateItem.ExecuteAsync(store, body, response),
        "DeleteItem" => DeleteItem.ExecuteAsync(store, body, response),
        "Query" => Query.ExecuteAsync(store, body, response),
        "TransactWriteItems" => TransactWriteItems.ExecuteAsync(store, body, response),
        "TransactGetItems" => TransactGetItems.ExecuteAsync(store, body, response),
        "ExecuteStatement" => ExecuteStatement.ExecuteAsync(store, body, response),
        "BatchExecuteStatement" => BatchExecuteStatement.ExecuteAsync(store, body, response),
        "ExecuteTransaction" => ExecuteTransaction.ExecuteAsync(store, body, response),
        "Scan" => Scan.ExecuteAsync(store, body, response),
        "BatchGetItem" => BatchGetItem.ExecuteAsync(store, body, response),
        "BatchWriteItem" => BatchWriteItem.ExecuteAsync(store, body, response),
        "CreateTable" => CreateTable.ExecuteAsync(store, body, response),
        "DescribeTable" => DescribeTable.ExecuteAsync(store, body, response),
        "ListTables" => ListTables.ExecuteAsync(store, body, response),
        "DeleteTable" => DeleteTable.ExecuteAsync(store, body, response),
        "UpdateTable" => UpdateTable.ExecuteAsync(store, body, response),
        "DescribeLimits" => DescribeLimits.ExecuteAsync(store, body, response),
        "DescribeEndpoints" => DescribeEndpoints.ExecuteAsync(store, body, response),
        "TagResource" => TagResource.ExecuteAsync(store, body, response),
        "UntagResource" => UntagResource.ExecuteAsync(store, body, response),
        "ListTagsOfResource" => ListTagsOfResource.ExecuteAsync(store, body, response),
        "UpdateTimeToLive" => UpdateTimeToLive.ExecuteAsync(store, body, response),
        "DescribeTimeToLive" => DescribeTimeToLive.ExecuteAsync(store, body, response),
        "DescribeContinuousBackups" => DescribeContinuousBackups.ExecuteAsync(store, body, response),
        "UpdateContinuousBackups" => UpdateContinuousBackups.ExecuteAsync(store, body, response),
        "DescribeKinesisStreamingDestination" => DescribeKinesisStreamingDestination.ExecuteAsync(store, body, response),
        "DynamoDBStreams_20120810.ListStreams" => ListStreams.ExecuteAsync(store, body, response),
        "DynamoDBStreams_20120810.DescribeStream" => DescribeStream.ExecuteAsync(store, body, response),
        "DynamoDBStreams_20120810.GetShardIterator" => GetShardIterator.ExecuteAsync(store, body, response),
        "DynamoDBStreams_20120810.GetRecords" => GetRecords.ExecuteAsync(store, body, response),
        _ => throw new DynamoException(DynamoErrorCode.UnknownOperationException, null),
    };
}
