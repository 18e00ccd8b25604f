using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;

namespace Handshake.Dynamo.Tests;

/// <summary>Mangled versions of valid requests: every answer is a DynamoDB-shaped 4xx or a success, never a 5xx.</summary>
[Collection(ServerCollection.Name)]
public sealed class BadInputTests(ServerFixture fixture)
{
    private static readonly string[] Templates =
    [
        """{"TableName":"TABLE","Item":{"pk":{"S":"a"},"n":{"N":"12.5"},"l":{"L":[{"S":"x"},{"M":{"k":{"BOOL":true}}}]},"s":{"SS":["a","b"]}},"ConditionExpression":"attribute_not_exists(pk) AND n > :v","ExpressionAttributeValues":{":v":{"N":"1"}},"ReturnValues":"ALL_OLD"}""",
        """{"TableName":"TABLE","Key":{"pk":{"S":"a"}},"ProjectionExpression":"#n, l[1].k","ExpressionAttributeNames":{"#n":"n"},"ConsistentRead":true}""",
        """{"TableName":"TABLE","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET n = n + :one REMOVE s","ExpressionAttributeValues":{":one":{"N":"1"}}}""",
        """{"TableName":"TABLE","Key":{"pk":{"S":"a"}},"ConditionExpression":"size(l) < :v","ExpressionAttributeValues":{":v":{"N":"3"}}}""",
        """{"RequestItems":{"TABLE":[{"PutRequest":{"Item":{"pk":{"S":"b"},"b":{"B":"AAEC"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"c"}}}}]},"ReturnConsumedCapacity":"TOTAL"}""",
        """{"RequestItems":{"TABLE":{"Keys":[{"pk":{"S":"a"}},{"pk":{"S":"b"}}],"ProjectionExpression":"pk"}}}""",
        """{"TableName":"TABLE","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}""",
        """{"ExclusiveStartTableName":"TABLE","Limit":5}""",
    ];

    private static readonly string[] Operations = ["PutItem", "GetItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "BatchGetItem", "UpdateTable", "ListTables"];

    private static readonly string[] Replacements = ["", "null", "1", "-1e999", "true", "[]", "{}", "\"\"", "\"x\"", "{\"S\":1}", "{\"N\":\"1e200\"}", "[{}]", "\"\\ud800\"", "{{", "]", "\"#\"", "\":x\""];

    [Fact]
    public async Task MangledRequestsNeverGetAServerError()
    {
        var table = fixture.NewTableName();
        var create = await fixture.PostAsync("CreateTable",
            $$$"""{"TableName":"{{{table}}}","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}""");
        Assert.Equal(HttpStatusCode.OK, create.StatusCode);

        // Each case: a template, a position in it, how many characters to cut there, and what to put instead.
        var cases = Gen.Select(Gen.Int[0, Templates.Length - 1], Gen.Double[0, 1], Gen.Int[0, 12], Gen.Int[0, Replacements.Length - 1]).Array[300].Single();
        var failures = new List<string>();
        int answered = 0;
        foreach (var (template, at, cut, replacement) in cases)
        {
            var text = Templates[template].Replace("TABLE", table);
            int position = (int)(at * text.Length);
            int length = Math.Min(cut, text.Length - position);
            var mangled = text.Remove(position, length).Insert(position, Replacements[replacement]);
            var operation = Operations[template];
            var response = await fixture.PostAsync(operation, mangled);
            answered++;
            var body = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode >= 500) failures.Add($"{operation} {mangled} -> {(int)response.StatusCode} {body}");
            else if (response.StatusCode != HttpStatusCode.OK)
            {
                using var doc = JsonDocument.Parse(body);
                if (!doc.RootElement.GetProperty("__type").GetString()!.Contains('#')) failures.Add($"{operation} {mangled} -> {body}");
            }
        }
        Assert.Equal(300, answered);
        Assert.Empty(failures);
    }

    [Fact]
    public async Task InvalidUtf8IsASerializationException()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "DynamoDB_20120810.DescribeTable");
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=0");
        var bytes = Encoding.UTF8.GetBytes("{\"TableName\":\"abc\"}");
        bytes[15] = 0xFF;
        request.Content = new ByteArrayContent(bytes);
        var response = await fixture.Http.SendAsync(request).WaitAsync(ServerFixture.Timeout);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("SerializationException", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DeeplyNestedJsonIsRejectedNotCrashed()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"M\":{\"a\":", 200)) + "{\"S\":\"x\"}" + new string('}', 400);
        var response = await fixture.PostAsync("PutItem", "{\"TableName\":\"abc\",\"Item\":{\"pk\":" + deep + "}}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
