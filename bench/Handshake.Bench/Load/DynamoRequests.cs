using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Handshake.Bench.Load;

/// <summary>
/// Builds DynamoDB wire requests as raw HTTP/1.1 bytes, each signed with SigV4 exactly as an SDK would sign it (dummy
/// credentials): no server in the run verifies signatures, but every one gets the same realistic bytes.
/// </summary>
public sealed class DynamoRequests(string host)
{
    public const string TableName = "bench";
    private const string AccessKeyId = "AKIDHANDSHAKEBENCH";
    private const string SecretAccessKey = "bench-secret";
    private const string Region = "us-east-1";

    // Pads each item to about 100 bytes by DynamoDB's size rules: "pk" + 12-char key + "payload" + 79 characters.
    // Two versions of the same size, which the PutItem set alternates per item, so that every put changes the item.
    private static readonly string Payload = new('p', 79);
    private static readonly string AlternatePayload = new('q', 79);

    public static string Key(int index) => $"item-{index:D7}";

    public RequestSet PutItems(int count) => new("PutItem", Build("PutItem", count, i => PutItemBody(i, Payload)),
        Build("PutItem", count, i => PutItemBody(i, AlternatePayload)));

    private static string PutItemBody(int index, string payload) =>
        "{\"TableName\":\"" + TableName + "\",\"Item\":{\"pk\":{\"S\":\"" + Key(index) + "\"},\"payload\":{\"S\":\"" + payload + "\"}}}";

    public RequestSet GetItems(int count) => new("GetItem", Build("GetItem", count,
        i => "{\"TableName\":\"" + TableName + "\",\"Key\":{\"pk\":{\"S\":\"" + Key(i) + "\"}}}"));

    public ReadOnlyMemory<byte> CreateTable() => Request("CreateTable",
        $$"""{"TableName":"{{TableName}}","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}""");

    public ReadOnlyMemory<byte> DescribeTable() => Request("DescribeTable", $$"""{"TableName":"{{TableName}}"}""");

    public ReadOnlyMemory<byte> ListTables() => Request("ListTables", "{}");

    private ReadOnlyMemory<byte>[] Build(string operation, int count, Func<int, string> body)
    {
        var requests = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            requests[i] = Request(operation, body(i));
        }

        return requests;
    }

    public ReadOnlyMemory<byte> Request(string operation, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var now = DateTime.UtcNow;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var day = now.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var target = "DynamoDB_20120810." + operation;
        const string contentType = "application/x-amz-json-1.0";
        const string signedHeaders = "content-type;host;x-amz-date;x-amz-target";
        var canonical = $"POST\n/\n\ncontent-type:{contentType}\nhost:{host}\nx-amz-date:{amzDate}\nx-amz-target:{target}\n\n{signedHeaders}\n{Hex(SHA256.HashData(body))}";
        var scope = $"{day}/{Region}/dynamodb/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + SecretAccessKey), day);
        key = Hmac(key, Region);
        key = Hmac(key, "dynamodb");
        key = Hmac(key, "aws4_request");
        var signature = Hex(Hmac(key, toSign));
        var head =
            $"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: {contentType}\r\nX-Amz-Target: {target}\r\nX-Amz-Date: {amzDate}\r\n" +
            $"Authorization: AWS4-HMAC-SHA256 Credential={AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}\r\n" +
            $"Content-Length: {body.Length}\r\n\r\n";
        var bytes = new byte[Encoding.ASCII.GetByteCount(head) + body.Length];
        var written = Encoding.ASCII.GetBytes(head, bytes);
        body.CopyTo(bytes, written);
        return bytes;
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
