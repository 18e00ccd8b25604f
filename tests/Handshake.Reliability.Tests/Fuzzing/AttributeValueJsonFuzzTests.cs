using System.Text;
using System.Text.Json;
using CsCheck;
using Handshake.Dynamo;
using Handshake.Dynamo.Protocol;
using Handshake.Reliability.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// The JSON decoding of attribute values: random byte-level mutations of valid item requests go through the whole
/// endpoint in-process (no sockets: tens of thousands of cases in seconds). Every answer is a 200 or a DynamoDB-shaped
/// 4xx; the reader alone raises nothing but DynamoException or JsonException.
/// </summary>
public sealed class AttributeValueJsonFuzzTests
{
    private static readonly string[] Seeds =
    [
        """{"TableName":"fuzz","Item":{"pk":{"S":"a"},"n":{"N":"-1.5e10"},"b":{"B":"AAEC"},"l":{"L":[{"BOOL":true},{"NULL":true},{"M":{"x":{"SS":["p","q"]}}}]},"ns":{"NS":["1","2"]},"bs":{"BS":["AA=="]}}}""",
        """{"TableName":"fuzz","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET #x = :v ADD c :one","ExpressionAttributeNames":{"#x":"x"},"ExpressionAttributeValues":{":v":{"M":{"k":{"N":"7"}}},":one":{"N":"1"}}}""",
        """{"TableName":"fuzz","KeyConditionExpression":"pk = :p","FilterExpression":"size(l) > :n","ExpressionAttributeValues":{":p":{"S":"a"},":n":{"N":"0"}},"Limit":5}""",
    ];

    private static readonly string[] Operations = ["PutItem", "UpdateItem", "Query"];

    // A mutation: flip a byte, delete a span, duplicate a span, or insert a structural character.
    private static readonly Gen<(int Seed, int Kind, double Position, int Length, byte Value)> Mutation =
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Int[0, 3], Gen.Double[0, 1], Gen.Int[1, 12], Gen.Byte);

    private static readonly byte[] Structural = "{}[]\":,0-e\\"u8.ToArray();

    private static byte[] Mutate(byte[] body, int kind, double position, int length, byte value)
    {
        int at = Math.Min(body.Length - 1, (int)(position * body.Length));
        length = Math.Min(length, body.Length - at);
        List<byte> bytes = [.. body];
        switch (kind)
        {
            case 0: bytes[at] = value; break;
            case 1: bytes.RemoveRange(at, length); break;
            case 2: bytes.InsertRange(at, bytes.GetRange(at, length)); break;
            default: bytes.Insert(at, Structural[value % Structural.Length]); break;
        }

        return [.. bytes];
    }

    [Fact]
    public async Task MutatedItemRequestsGetA200OrADynamoDbShaped4xx()
    {
        await using DynamoStore store = DynamoStore.Open(new DynamoStoreOptions { InMemory = true });
        DynamoHttpEndpoint endpoint = new(store);
        (int status, _) = await SendAsync(endpoint, "CreateTable",
            """{"TableName":"fuzz","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}"""u8.ToArray());
        Assert.Equal(200, status);

        List<string> failures = [];
        int cases = 0;
        await Gen.Select(Mutation, Mutation).SampleAsync(async (first, second) =>
        {
            byte[] body = Encoding.UTF8.GetBytes(Seeds[first.Seed]);
            body = Mutate(body, first.Kind, first.Position, first.Length, first.Value);
            body = Mutate(body, second.Kind, second.Position, second.Length, second.Value);
            (int code, string answer) = await SendAsync(endpoint, Operations[first.Seed], body);
            Interlocked.Increment(ref cases);
            if (code != 200 && Problem(code, answer) is { } problem)
            {
                lock (failures)
                {
                    failures.Add($"{problem}: HTTP {code} {answer} for {Encoding.UTF8.GetString(body)}");
                }
            }

            return true;
        }, iter: 5_000, threads: 1).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(10)));
        Assert.Equal(5_000, cases);
    }

    [Fact]
    public void TheReaderRaisesOnlyDynamoOrJsonErrors()
    {
        Gen.Select(Mutation, Mutation).Sample((first, second) =>
        {
            byte[] body = Mutate(Encoding.UTF8.GetBytes(Seeds[0]), first.Kind, first.Position, first.Length, first.Value);
            body = Mutate(body, second.Kind, second.Position, second.Length, second.Value);
            OnlyDynamoErrors.Run(() =>
            {
                Utf8JsonReader reader = new(body);
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool isItem = reader.ValueTextEquals("Item"u8);
                    reader.Read();
                    if (!isItem)
                    {
                        reader.Skip();
                        continue;
                    }

                    string? error = null;
                    AttributeValueJson.ReadMap(ref reader, ref error);
                }
            }, jsonLayer: true);
        }, iter: 20_000);
    }

    private static string? Problem(int status, string body)
    {
        if (status is < 400 or >= 500) return "not a 4xx";
        return DynamoErrorShape.Problem(body);
    }

    private static async Task<(int Status, string Body)> SendAsync(DynamoHttpEndpoint endpoint, string operation, byte[] body)
    {
        DefaultHttpContext context = new();
        context.Request.Method = "POST";
        context.Request.Path = "/";
        context.Request.ContentType = "application/x-amz-json-1.0";
        context.Request.Headers["X-Amz-Target"] = "DynamoDB_20120810." + operation;
        context.Request.Headers.Authorization = "AWS4-HMAC-SHA256 Credential=fuzz/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0";
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        MemoryStream response = new();
        context.Response.Body = response;
        await endpoint.HandleAsync(context).WaitAsync(Timeouts.Default);
        return (context.Response.StatusCode, Encoding.UTF8.GetString(response.ToArray()));
    }
}
