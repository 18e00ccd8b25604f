using System.IO.Hashing;
using System.Net;
using System.Text.Json;

namespace Handshake.Dynamo.Tests;

/// <summary>Wire-level behaviour the SDKs hide: error envelopes, headers, CRC32, validation messages.</summary>
[Collection(ServerCollection.Name)]
public sealed class RawHttpTests(ServerFixture fixture)
{
    private static async Task<(HttpStatusCode Status, string Type, string? Message, HttpResponseMessage Response)> ReadErrorAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync().WaitAsync(ServerFixture.Timeout);
        using var doc = JsonDocument.Parse(body);
        string? message = doc.RootElement.TryGetProperty("message", out var m) ? m.GetString()
            : doc.RootElement.TryGetProperty("Message", out var m2) ? m2.GetString() : null;
        return (response.StatusCode, doc.RootElement.GetProperty("__type").GetString()!, message, response);
    }

    [Fact]
    public async Task EveryResponseCarriesARequestIdAndTheCrc32OfTheExactBody()
    {
        var responses = new[]
        {
            await fixture.PostAsync("ListTables", "{}"),
            await fixture.PostAsync("ListTables", "{not json"),
            await fixture.PostAsync("NoSuchOperation", "{}"),
            await fixture.Http.GetAsync("/").WaitAsync(ServerFixture.Timeout),
        };
        foreach (var response in responses)
        {
            var body = await response.Content.ReadAsByteArrayAsync().WaitAsync(ServerFixture.Timeout);
            Assert.Equal(52, Assert.Single(response.Headers.GetValues("x-amzn-RequestId")).Length);
            Assert.Equal(Crc32.HashToUInt32(body).ToString(), Assert.Single(response.Headers.GetValues("x-amz-crc32")));
        }
    }

    [Fact]
    public async Task HealthCheckAnswersLikeDynamoDb()
    {
        var response = await fixture.Http.GetAsync("/").WaitAsync(ServerFixture.Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy: dynamodb.us-east-1.amazonaws.com", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MalformedJsonIsASerializationException()
    {
        var (status, type, _, _) = await ReadErrorAsync(await fixture.PostAsync("ListTables", "{\"Limit\": 1"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazon.coral.service#SerializationException", type);
    }

    [Fact]
    public async Task TrailingGarbageIsASerializationException()
    {
        var (_, type, _, _) = await ReadErrorAsync(await fixture.PostAsync("ListTables", "{} x"));
        Assert.Equal("com.amazon.coral.service#SerializationException", type);
    }

    [Fact]
    public async Task EmptyBodyIsASerializationException()
    {
        var (status, type, _, _) = await ReadErrorAsync(await fixture.PostAsync("ListTables", ""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazon.coral.service#SerializationException", type);
    }

    [Theory]
    [InlineData("""{"TableName": 5}""", "class java.lang.Short can not be converted to an String")]
    [InlineData("""{"TableName": 100000}""", "class java.lang.Integer can not be converted to an String")]
    [InlineData("""{"TableName": true}""", "class java.lang.Boolean can not be converted to an String")]
    [InlineData("""{"TableName": []}""", "Start of list found where not expected")]
    [InlineData("""{"TableName": {}}""", "Start of structure or map found where not expected.")]
    public async Task WrongJsonTypesGiveCoralMessages(string body, string message)
    {
        var (_, type, actual, _) = await ReadErrorAsync(await fixture.PostAsync("DescribeTable", body));
        Assert.Equal("com.amazon.coral.service#SerializationException", type);
        Assert.Equal(message, actual);
    }

    [Fact]
    public async Task NumberAsJsonNumberIsASerializationException()
    {
        var table = await fixture.CreateHashTableAsync();
        var (_, type, _, _) = await ReadErrorAsync(await fixture.PostAsync("PutItem", $$$$$"""{"TableName":"{{{{{table}}}}}","Item":{"pk":{"S":"a"},"n":{"N":5}}}"""));
        Assert.Equal("com.amazon.coral.service#SerializationException", type);
    }

    [Fact]
    public async Task UnknownOperationAndMissingTarget()
    {
        var (status, type, _, _) = await ReadErrorAsync(await fixture.PostAsync("Frobnicate", "{}"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazon.coral.service#UnknownOperationException", type);
        (_, type, _, _) = await ReadErrorAsync(await fixture.PostAsync(null, "{}"));
        Assert.Equal("com.amazon.coral.service#UnknownOperationException", type);
    }

    [Fact]
    public async Task MissingAuthorizationIsMissingAuthenticationToken()
    {
        var (status, type, message, _) = await ReadErrorAsync(await fixture.PostAsync("ListTables", "{}", authorize: false));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazon.coral.service#MissingAuthenticationTokenException", type);
        Assert.Equal("Request is missing Authentication Token", message);
    }

    [Theory]
    [InlineData("""{"TableName":"ab"}""", "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3")]
    [InlineData("""{"TableName":"a b!"}""", "1 validation error detected: Value 'a b!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")]
    [InlineData("""{}""", "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")]
    [InlineData("""{"TableName":"a;"}""", "2 validation errors detected: Value 'a;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3")]
    public async Task TableNameValidationMessages(string body, string message)
    {
        var (_, type, actual, _) = await ReadErrorAsync(await fixture.PostAsync("DescribeTable", body));
        Assert.Equal("com.amazon.coral.validate#ValidationException", type);
        Assert.Equal(message, actual);
    }

    [Fact]
    public async Task DescribeOfAMissingTableNamesIt()
    {
        var (_, type, message, _) = await ReadErrorAsync(await fixture.PostAsync("DescribeTable", """{"TableName":"missing-table"}"""));
        Assert.Equal("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", type);
        Assert.Equal("Requested resource not found: Table: missing-table not found", message);
    }

    [Fact]
    public async Task DuplicateCreateIsResourceInUse()
    {
        var table = await fixture.CreateHashTableAsync();
        var (_, type, message, _) = await ReadErrorAsync(await fixture.PostAsync("CreateTable",
            $$$$$"""{"TableName":"{{{{{table}}}}}","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}"""));
        Assert.Equal("com.amazonaws.dynamodb.v20120810#ResourceInUseException", type);
        Assert.Equal("Table already exists: " + table, message);
    }

    [Theory]
    [InlineData("""{"pk":{"S":"a"},"n":{"N":"1e126"}}""", "Number overflow. Attempting to store a number with magnitude larger than supported range")]
    [InlineData("""{"pk":{"S":"a"},"n":{"N":"1e-131"}}""", "Number underflow. Attempting to store a number with magnitude smaller than supported range")]
    [InlineData("""{"pk":{"S":"a"},"n":{"N":"123456789012345678901234567890123456789"}}""", "Attempting to store more than 38 significant digits in a Number")]
    [InlineData("""{"pk":{"S":"a"},"n":{"N":"12a"}}""", "The parameter cannot be converted to a numeric value: 12a")]
    [InlineData("""{"pk":{"S":"a"},"n":{"N":" 1"}}""", "The parameter cannot be converted to a numeric value:  1")]
    [InlineData("""{"pk":{"S":"a"},"s":{"SS":[]}}""", "One or more parameter values were invalid: An string set  may not be empty")]
    [InlineData("""{"pk":{"S":"a"},"s":{"SS":["x","x"]}}""", "One or more parameter values were invalid: Input collection [x, x] contains duplicates.")]
    [InlineData("""{"pk":{"S":"a"},"s":{"NULL":false}}""", "One or more parameter values were invalid: Null attribute value types must have the value of true")]
    [InlineData("""{"pk":{"S":"a"},"s":{}}""", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")]
    [InlineData("""{"pk":{"S":"a"},"s":{"S":"x","N":"1"}}""", "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")]
    [InlineData("""{"pk":{"S":""}}""", "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk")]
    [InlineData("""{"pk":{"N":"1"}}""", "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N")]
    [InlineData("""{"other":{"S":"x"}}""", "One or more parameter values were invalid: Missing the key pk in the item")]
    public async Task BadItemsAreRejectedWithAwsMessagesAndNothingIsWritten(string item, string message)
    {
        var table = await fixture.CreateHashTableAsync();
        var (status, type, actual, _) = await ReadErrorAsync(await fixture.PostAsync("PutItem", $$$$$"""{"TableName":"{{{{{table}}}}}","Item":{{{{{item}}}}}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazon.coral.validate#ValidationException", type);
        Assert.Equal(message, actual);
        var describe = await fixture.PostAsync("DescribeTable", $$$$$"""{"TableName":"{{{{{table}}}}}"}""");
        using var doc = JsonDocument.Parse(await describe.Content.ReadAsStringAsync());
        Assert.Equal(0, doc.RootElement.GetProperty("Table").GetProperty("ItemCount").GetInt64());
    }

    [Fact]
    public async Task KeysOverTheSizeLimitsAreRejected()
    {
        var table = await fixture.CreateHashTableAsync();
        var (_, _, message, _) = await ReadErrorAsync(await fixture.PostAsync("PutItem",
            $$$$$"""{"TableName":"{{{{{table}}}}}","Item":{"pk":{"S":"{{{{{new string('k', 2049)}}}}}"}}}"""));
        Assert.Equal("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes", message);
    }

    [Fact]
    public async Task ItemsOverFourHundredKilobytesAreRejected()
    {
        var table = await fixture.CreateHashTableAsync();
        var (_, type, message, _) = await ReadErrorAsync(await fixture.PostAsync("PutItem",
            $$$$$"""{"TableName":"{{{{{table}}}}}","Item":{"pk":{"S":"a"},"big":{"S":"{{{{{new string('x', 400 * 1024)}}}}}"}}}"""));
        Assert.Equal("com.amazon.coral.validate#ValidationException", type);
        Assert.Equal("Item size has exceeded the maximum allowed size", message);
    }

    [Fact]
    public async Task ConditionFailureUsesTheServiceNamespace()
    {
        var table = await fixture.CreateHashTableAsync();
        var put = $$$$$"""{"TableName":"{{{{{table}}}}}","Item":{"pk":{"S":"a"}},"ConditionExpression":"attribute_not_exists(pk)"}""";
        Assert.Equal(HttpStatusCode.OK, (await fixture.PostAsync("PutItem", put)).StatusCode);
        var (status, type, message, _) = await ReadErrorAsync(await fixture.PostAsync("PutItem", put));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", type);
        Assert.Equal("The conditional request failed", message);
    }

    [Theory]
    [InlineData("""attribute_not_exists(pk""", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"pk\"")]
    [InlineData("""nope(pk)""", "Invalid ConditionExpression: Invalid function name; function: nope")]
    [InlineData("""attribute_exists(#x)""", "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x")]
    [InlineData("""  """, "Invalid ConditionExpression: The expression can not be empty;")]
    public async Task ConditionExpressionErrors(string condition, string message)
    {
        var table = await fixture.CreateHashTableAsync();
        var (_, type, actual, _) = await ReadErrorAsync(await fixture.PostAsync("PutItem",
            $$$$$"""{"TableName":"{{{{{table}}}}}","Item":{"pk":{"S":"a"}},"ConditionExpression":"{{{{{condition}}}}}"}"""));
        Assert.Equal("com.amazon.coral.validate#ValidationException", type);
        Assert.Equal(message, actual);
    }

    [Fact]
    public async Task UnusedExpressionAttributeNamesAreRejected()
    {
        var table = await fixture.CreateHashTableAsync();
        var (_, _, message, _) = await ReadErrorAsync(await fixture.PostAsync("PutItem",
            $$$$$"""{"TableName":"{{{{{table}}}}}","Item":{"pk":{"S":"a"}},"ConditionExpression":"attribute_not_exists(pk)","ExpressionAttributeNames":{"#u":"x"}}"""));
        Assert.Equal("Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}", message);
    }

    [Fact]
    public async Task BatchWriteValidation()
    {
        var table = await fixture.CreateHashTableAsync();
        var (_, _, message, _) = await ReadErrorAsync(await fixture.PostAsync("BatchWriteItem", """{"RequestItems":{}}"""));
        Assert.Equal("The requestItems parameter is required for BatchWriteItem", message);

        var duplicate = $$$$$"""{"PutRequest":{"Item":{"pk":{"S":"same"}}}}""";
        (_, _, message, _) = await ReadErrorAsync(await fixture.PostAsync("BatchWriteItem",
            $$$$$"""{"RequestItems":{"{{{{{table}}}}}":[{{{{{duplicate}}}}},{{{{{duplicate}}}}}]}}"""));
        Assert.Equal("Provided list of item keys contains duplicates", message);

        var many = string.Join(",", Enumerable.Range(0, 26).Select(i => $$$$$"""{"PutRequest":{"Item":{"pk":{"S":"k{{{{{i}}}}}"}}}}"""));
        (_, _, message, _) = await ReadErrorAsync(await fixture.PostAsync("BatchWriteItem", $$$$$"""{"RequestItems":{"{{{{{table}}}}}":[{{{{{many}}}}}]}}"""));
        Assert.StartsWith("1 validation error detected: Value '{" + table + "=[WriteRequest", message);
        Assert.EndsWith("failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]", message);
    }

    [Fact]
    public async Task ABatchWithOneBadItemWritesNothing()
    {
        var table = await fixture.CreateHashTableAsync();
        var good = $$$$$"""{"PutRequest":{"Item":{"pk":{"S":"good"}}}}""";
        var bad = $$$$$"""{"PutRequest":{"Item":{"pk":{"N":"1"}}}}""";
        var response = await fixture.PostAsync("BatchWriteItem", $$$$$"""{"RequestItems":{"{{{{{table}}}}}":[{{{{{good}}}}},{{{{{bad}}}}}]}}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var get = await fixture.PostAsync("GetItem", $$$$$"""{"TableName":"{{{{{table}}}}}","Key":{"pk":{"S":"good"}}}""");
        Assert.Equal("{}", await get.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ConsumedCapacityFollowsDynamoDbRules()
    {
        var table = await fixture.CreateHashTableAsync();
        var put = await fixture.PostAsync("PutItem",
            $$$$$"""{"TableName":"{{{{{table}}}}}","Item":{"pk":{"S":"a"},"v":{"S":"{{{{{new string('x', 5000)}}}}}"}},"ReturnConsumedCapacity":"TOTAL"}""");
        using (var doc = JsonDocument.Parse(await put.Content.ReadAsStringAsync()))
            Assert.Equal(5, doc.RootElement.GetProperty("ConsumedCapacity").GetProperty("CapacityUnits").GetDouble());

        var get = await fixture.PostAsync("GetItem", $$$$$"""{"TableName":"{{{{{table}}}}}","Key":{"pk":{"S":"a"}},"ReturnConsumedCapacity":"INDEXES"}""");
        using (var doc = JsonDocument.Parse(await get.Content.ReadAsStringAsync()))
        {
            var capacity = doc.RootElement.GetProperty("ConsumedCapacity");
            Assert.Equal(1, capacity.GetProperty("CapacityUnits").GetDouble()); // 5 KB: 2 units, halved
            Assert.Equal(1, capacity.GetProperty("Table").GetProperty("CapacityUnits").GetDouble());
        }

        var missing = await fixture.PostAsync("GetItem", $$$$$"""{"TableName":"{{{{{table}}}}}","Key":{"pk":{"S":"zz"}},"ConsistentRead":true,"ReturnConsumedCapacity":"TOTAL"}""");
        using (var doc = JsonDocument.Parse(await missing.Content.ReadAsStringAsync()))
            Assert.Equal(1, doc.RootElement.GetProperty("ConsumedCapacity").GetProperty("CapacityUnits").GetDouble());
    }

    [Fact]
    public async Task TableArnIsAcceptedAsTableName()
    {
        var table = await fixture.CreateHashTableAsync();
        var arn = "arn:aws:dynamodb:us-east-1:000000000000:table/" + table;
        Assert.Equal(HttpStatusCode.OK, (await fixture.PostAsync("PutItem", $$$$$"""{"TableName":"{{{{{arn}}}}}","Item":{"pk":{"S":"a"}}}""")).StatusCode);
        var get = await fixture.PostAsync("GetItem", $$$$$"""{"TableName":"{{{{{table}}}}}","Key":{"pk":{"S":"a"}}}""");
        Assert.Equal("""{"Item":{"pk":{"S":"a"}}}""", await get.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnicodeSurvivesUnescaped()
    {
        var table = await fixture.CreateHashTableAsync();
        await fixture.PostAsync("PutItem", $$$$$"""{"TableName":"{{{{{table}}}}}","Item":{"pk":{"S":"ключ"},"v":{"S":"😀 \u00e9"}}}""");
        var get = await fixture.PostAsync("GetItem", $$$$$"""{"TableName":"{{{{{table}}}}}","Key":{"pk":{"S":"ключ"}}}""");
        using var doc = JsonDocument.Parse(await get.Content.ReadAsStringAsync());
        Assert.Equal("😀 é", doc.RootElement.GetProperty("Item").GetProperty("v").GetProperty("S").GetString());
    }
}
