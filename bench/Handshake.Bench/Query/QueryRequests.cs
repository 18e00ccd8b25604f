using System.Globalization;
using System.Text;
using Handshake.Bench.Load;

namespace Handshake.Bench.Query;

/// <summary>
/// The wire requests of the `query` scenario, prebuilt and signed like <see cref="DynamoRequests"/>'s: a table with a
/// hash key pk (S) and a range key sk (N), ~100-byte items grouped into partitions of a fixed size, and the Query,
/// Scan, UpdateItem and BatchWriteItem requests over them.
/// </summary>
public sealed class QueryRequests(string host, int partitionSize)
{
    public const string TableName = "bench_query";
    public const int BatchSize = 25;

    // "pk" + 10-char key + "sk" + up to 4 digits + "payload" + 75 characters: about 100 bytes by DynamoDB's size rules.
    private static readonly string Payload = new('q', 75);
    private readonly DynamoRequests signer = new(host);

    public int PartitionSize => partitionSize;

    public static string Partition(int partition) => $"part-{partition:D5}";

    public ReadOnlyMemory<byte> CreateTable() => signer.Request("CreateTable",
        $$"""{"TableName":"{{TableName}}","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST"}""");

    public ReadOnlyMemory<byte> DescribeTable() => signer.Request("DescribeTable", $$"""{"TableName":"{{TableName}}"}""");

    /// <summary>BatchWriteItem requests of 25 puts each for items [from, to): item i is in partition i / size at sk i % size.</summary>
    public RequestSet BatchWrites(int from, int to)
    {
        var requests = new List<ReadOnlyMemory<byte>>((to - from + BatchSize - 1) / BatchSize);
        var body = new StringBuilder();
        for (var start = from; start < to; start += BatchSize)
        {
            body.Clear().Append("{\"RequestItems\":{\"").Append(TableName).Append("\":[");
            for (var i = start; i < Math.Min(to, start + BatchSize); i++)
            {
                if (i > start)
                {
                    body.Append(',');
                }

                body.Append("{\"PutRequest\":{\"Item\":{").Append(Key(i)).Append(",\"payload\":{\"S\":\"").Append(Payload).Append("\"}}}}");
            }

            requests.Add(signer.Request("BatchWriteItem", body.Append("]}}").ToString()));
        }

        return new RequestSet("BatchWriteItem", requests);
    }

    /// <summary>One Query per partition for its first <paramref name="limit"/> items: an index seek in any store.</summary>
    public RequestSet FirstItems(int partitions, int limit) => Build("Query", partitions, p =>
        "{\"TableName\":\"" + TableName + "\",\"KeyConditionExpression\":\"#pk = :p\",\"ExpressionAttributeNames\":{\"#pk\":\"pk\"}," +
        "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"" + Partition(p) + "\"}},\"Limit\":" + Num(limit) + "}");

    /// <summary>Queries with a range condition: 100 consecutive items of a partition from a varying sort key.</summary>
    public RequestSet Ranges(int items, int count)
    {
        var partitions = Math.Max(1, items / partitionSize);
        var span = Math.Max(1, partitionSize - 100);
        return Build("Query", count, i =>
        {
            var from = (i * 37) % span;
            return "{\"TableName\":\"" + TableName + "\",\"KeyConditionExpression\":\"#pk = :p AND #sk BETWEEN :a AND :b\"," +
                "\"ExpressionAttributeNames\":{\"#pk\":\"pk\",\"#sk\":\"sk\"},\"ExpressionAttributeValues\":{\":p\":{\"S\":\"" +
                Partition(i % partitions) + "\"},\":a\":{\"N\":\"" + Num(from) + "\"},\":b\":{\"N\":\"" + Num(from + 99) + "\"}}}";
        });
    }

    /// <summary>Scan pages of 100 items, each starting after a different existing item.</summary>
    public RequestSet ScanPages(int items, int count) => Build("Scan", count, i =>
        "{\"TableName\":\"" + TableName + "\",\"Limit\":100" +
        (i == 0 ? "" : ",\"ExclusiveStartKey\":{" + Key((int)((long)i * 7919 % items)) + "}") + "}");

    /// <summary>UpdateItem ADD #c :one on every item in turn: an atomic counter.</summary>
    public RequestSet Counters(int items) => Build("UpdateItem", items, i =>
        "{\"TableName\":\"" + TableName + "\",\"Key\":{" + Key(i) + "},\"UpdateExpression\":\"ADD #c :one\"," +
        "\"ExpressionAttributeNames\":{\"#c\":\"c\"},\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}}}");

    private string Key(int item) =>
        "\"pk\":{\"S\":\"" + Partition(item / partitionSize) + "\"},\"sk\":{\"N\":\"" + Num(item % partitionSize) + "\"}";

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    private RequestSet Build(string operation, int count, Func<int, string> body)
    {
        var requests = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            requests[i] = signer.Request(operation, body(i));
        }

        return new RequestSet(operation, requests);
    }
}
