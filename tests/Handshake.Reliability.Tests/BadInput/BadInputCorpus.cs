using System.Text;

namespace Handshake.Reliability.Tests.BadInput;

/// <summary>
/// Generates the bad-input corpus: for every operation, JSON that does not parse or has the wrong shape, unknown
/// members next to invalid ones, invalid attribute values and numbers, invalid UTF-8, nesting deeper than 32, names
/// and keys beyond their limits, items over 400 KB, bodies over 16 MB, wrong content types, missing or garbled
/// Authorization, and garbage expressions. Every request is invalid, so none may change data: the table
/// <see cref="SeededTable"/> must read the same before and after.
/// </summary>
public static class BadInputCorpus
{
    public const string SeededTable = "seeded";

    /// <summary>Every operation the store knows, plus ones it does not (they must still get a 4xx).</summary>
    public static readonly string[] Operations =
    [
        "PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
        "CreateTable", "DescribeTable", "ListTables", "DeleteTable", "UpdateTable", "DescribeLimits", "DescribeEndpoints",
        "TagResource", "UntagResource", "ListTagsOfResource", "UpdateTimeToLive", "DescribeTimeToLive",
        "TransactWriteItems", "TransactGetItems", "ExecuteStatement",
    ];

    // Operations that take nothing: any JSON object, even with unknown members, is a valid request for them.
    private static readonly HashSet<string> NoInput = ["DescribeLimits", "DescribeEndpoints", "ListTables"];

    private static readonly string[] SyntaxErrors =
    [
        "{", "}", "[", "nul", "{\"TableName\":}", "{\"TableName\":\"seeded\",}", "{\"a\" \"b\"}", "{'TableName':'seeded'}",
        "{} x", "{\"TableName\":\"seeded\"", "{\"TableName\":\"\\u12\"}", "{\"TableName\":\"\\x\"}", "{\"TableName\":\"a\nb\"}",
        "{\"TableName\":01}", "{\"TableName\":\"seeded\"}}", "\u00ef\u00bb\u00bf{", " ", "{\"Limit\":1e}",
    ];

    private static readonly string[] WrongTypes =
    [
        "[]", "\"text\"", "1", "true", "{\"TableName\":1}", "{\"TableName\":[]}", "{\"TableName\":{}}", "{\"TableName\":true}",
        "{\"TableName\":\"seeded\",\"Key\":5}", "{\"TableName\":\"seeded\",\"Item\":[]}", "{\"TableName\":\"seeded\",\"Limit\":\"ten\"}",
        "{\"TableName\":\"seeded\",\"ExpressionAttributeValues\":[]}", "{\"TableName\":\"seeded\",\"ConsistentRead\":\"yes\"}",
        "{\"TableName\":\"seeded\",\"RequestItems\":\"x\"}", "{\"TableName\":\"seeded\",\"KeySchema\":{}}",
    ];

    private static readonly string[] InvalidNumbers =
    [
        "abc", "1e126", "-1e126", "1e-131", "123456789012345678901234567890123456789", " 1", "1 ", "NaN", "Infinity",
        "-Infinity", "", "1..2", "--1", "0x10", "1e", "e5", "+-1", ".", "1,5", "\u0661", "1e99999999999", "- 1",
    ];

    private static readonly string[] InvalidValues =
    [
        "{\"S\":1}", "{\"N\":5}", "{}", "{\"S\":\"a\",\"N\":\"1\"}", "{\"SS\":[]}", "{\"SS\":[\"a\",\"a\"]}", "{\"NS\":[\"1\",\"x\"]}",
        "{\"NS\":[\"1\",\"1.0\"]}", "{\"B\":\"!!notbase64\"}", "{\"BOOL\":\"HELLO\"}", "{\"BOOL\":1}", "{\"NULL\":false}", "{\"L\":{}}", "{\"M\":[]}",
        "{\"X\":\"y\"}", "{\"S\":null}", "\"bare\"", "[]", "{\"BS\":[\"AA==\",\"AA==\"]}", "{\"M\":{\"a\":{}}}", "{\"L\":[{\"Q\":1}]}",
    ];

    private static readonly string[] GarbageExpressions =
    [
        "", "SET", "a = = b", "((((", ":undefined = a", "#undefined = a", "size(", "a BETWEEN 1", "\u0000", "a = :v AND", "REMOVE REMOVE",
        "SET a = :v, a = :v", "attribute_exists()", "a IN ()", "NOT", "a.b[x] = :v", "a = :v)", "[0] = :v", "\uD800", "a <> <> b",
    ];

    public static IReadOnlyList<BadRequest> Generate()
    {
        List<BadRequest> corpus = [];
        foreach (string operation in Operations)
        {
            AddEnvelope(corpus, operation);
            AddShapes(corpus, operation);
            AddLimits(corpus, operation);
        }

        AddValues(corpus);
        AddExpressions(corpus);
        AddSizes(corpus);
        return corpus;
    }

    private static BadRequest Json(string category, string name, string operation, string body) =>
        new(category, name, operation, Encoding.UTF8.GetBytes(body), BadRequest.JsonContentType, BadRequest.DummyAuthorization);

    private static void AddEnvelope(List<BadRequest> corpus, string operation)
    {
        // A body that would be valid for the operation (or harmless), sent with everything around it wrong.
        byte[] body = Encoding.UTF8.GetBytes(ValidLookingBody(operation));
        foreach (string contentType in new[] { "text/plain", "application/xml", "multipart/form-data", "application/x-www-form-urlencoded", "application/x-amz-json-1.1" })
        {
            corpus.Add(new("content-type", contentType, operation, body, contentType, BadRequest.DummyAuthorization));
        }

        foreach (string? authorization in new[] { null, "", "Bearer token", "AWS3 Credential=x", "aws4-hmac-sha256 Credential=x", "Basic dXNlcjpwYXNz", "AWS4" })
        {
            corpus.Add(new("authorization", authorization is null ? "missing" : "garbled:" + authorization, operation, body, BadRequest.JsonContentType, authorization));
        }

        corpus.Add(new("target", "no-target", null, body, BadRequest.JsonContentType, BadRequest.DummyAuthorization));
        corpus.Add(new("target", "wrong-version", "DynamoDB_20111205." + operation, body, BadRequest.JsonContentType, BadRequest.DummyAuthorization));
        corpus.Add(new("target", "lowercase", operation.ToLowerInvariant(), body, BadRequest.JsonContentType, BadRequest.DummyAuthorization));
        corpus.Add(new("empty-body", "empty", operation, [], BadRequest.JsonContentType, BadRequest.DummyAuthorization));
    }

    private static void AddShapes(List<BadRequest> corpus, string operation)
    {
        for (int i = 0; i < SyntaxErrors.Length; i++)
        {
            corpus.Add(Json("json-syntax", i.ToString(System.Globalization.CultureInfo.InvariantCulture), operation, SyntaxErrors[i]));
        }

        foreach (string wrong in WrongTypes)
        {
            if (NoInput.Contains(operation) && wrong.StartsWith('{') && !(operation == "ListTables" && wrong.Contains("\"Limit\"", StringComparison.Ordinal)))
            {
                continue; // an object with members such a request ignores is valid.
            }

            // Members an operation does not have are ignored (as AWS does), so the table named must not exist: a
            // request that turns out valid then still fails, and never touches the seeded table.
            corpus.Add(Json("json-type", wrong, operation, wrong.Replace("\"seeded\",", "\"no-such-table\",", StringComparison.Ordinal)));
        }

        if (operation is "DescribeLimits" or "DescribeEndpoints")
        {
            AddUtf8(corpus, operation);
            corpus.Add(Json("nesting", "brackets-100000", operation, new string('[', 100_000)));
            return;
        }

        // Unknown members next to an invalid request: they must not turn the error into anything but a 4xx.
        corpus.Add(Json("unknown-field", "with-bad-table", operation, "{\"TableName\":\"no such table!\",\"Bogus\":{\"nested\":[1,2,3]},\"Limit\":-1}"));
        corpus.Add(Json("unknown-field", "only", operation, "{\"Bogus\":1,\"Limit\":0}"));
        corpus.Add(Json("unknown-field", "typed", operation, "{\"TableName\":5,\"__type\":\"x\",\"Limit\":-5}"));

        AddUtf8(corpus, operation);

        // Nesting: arrays deeper than any JSON reader's default, and a bomb of 100,000 brackets.
        corpus.Add(Json("nesting", "arrays-70", operation, "{\"Limit\":0,\"X\":" + new string('[', 70) + new string(']', 70) + "}"));
        corpus.Add(Json("nesting", "brackets-100000", operation, new string('[', 100_000)));
        corpus.Add(Json("nesting", "objects-200", operation, string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200)));
    }

    // Invalid UTF-8 inside a string value and in a member name.
    private static void AddUtf8(List<BadRequest> corpus, string operation)
    {
        foreach ((string name, byte[] bytes) in InvalidUtf8)
        {
            byte[] prefix = "{\"TableName\":\"se"u8.ToArray();
            byte[] suffix = "ed\",\"Limit\":1}"u8.ToArray();
            corpus.Add(new("utf8", "value-" + name, operation, [.. prefix, .. bytes, .. suffix], BadRequest.JsonContentType, BadRequest.DummyAuthorization));
            corpus.Add(new("utf8", "member-" + name, operation, [.. "{\""u8.ToArray(), .. bytes, .. "\":1, \"Limit\":0}"u8.ToArray()], BadRequest.JsonContentType, BadRequest.DummyAuthorization));
        }
    }

    private static readonly (string Name, byte[] Bytes)[] InvalidUtf8 =
    [
        ("ff", [0xFF]), ("lone-continuation", [0x80]), ("c3-28", [0xC3, 0x28]), ("overlong-slash", [0xC0, 0xAF]),
        ("surrogate", [0xED, 0xA0, 0x80]), ("truncated", [0xE2, 0x82]), ("above-max", [0xF4, 0x90, 0x80, 0x80]), ("nul", [0x00]),
    ];

    private static void AddLimits(List<BadRequest> corpus, string operation)
    {
        if (NoInput.Contains(operation) && operation != "ListTables")
        {
            return;
        }

        string member = operation switch
        {
            "ListTables" => "ExclusiveStartTableName",
            "TagResource" or "UntagResource" or "ListTagsOfResource" => "ResourceArn",
            _ => "TableName",
        };
        foreach (string bad in new[] { new string('t', 256), "ab", "bad name!", "\u00e9t\u00e9s", "seeded/x", "arn:aws:dynamodb:us-east-1:000000000000:table/", new string('x', 70_000) })
        {
            string body = $"{{\"{member}\":\"{bad}\",\"Limit\":0}}";
            corpus.Add(Json("limits", member + ":" + (bad.Length > 20 ? bad.Length + " chars" : bad), operation, body));
        }
    }

    private static void AddValues(List<BadRequest> corpus)
    {
        foreach ((string operation, Func<string, string> template) in ValueSlots)
        {
            foreach (string number in InvalidNumbers)
            {
                corpus.Add(Json("number", number, operation, template($"{{\"N\":\"{number}\"}}")));
            }

            foreach (string value in InvalidValues)
            {
                corpus.Add(Json("attribute-value", value, operation, template(value)));
            }

            string deepMap = string.Concat(Enumerable.Repeat("{\"M\":{\"a\":", 40)) + "{\"S\":\"x\"}" + string.Concat(Enumerable.Repeat("}}", 40));
            string deepList = string.Concat(Enumerable.Repeat("{\"L\":[", 40)) + "{\"S\":\"x\"}" + string.Concat(Enumerable.Repeat("]}", 40));
            corpus.Add(Json("nesting", "map-40", operation, template(deepMap)));
            corpus.Add(Json("nesting", "list-40", operation, template(deepList)));
        }

        // Keys beyond their limits on the seeded table: hash key over 2048 bytes, empty key, wrong key type, extra key.
        foreach (string key in new[] { $"{{\"pk\":{{\"S\":\"{new string('k', 2049)}\"}}}}", "{\"pk\":{\"S\":\"\"}}", "{\"pk\":{\"N\":\"1\"}}", "{\"sk\":{\"S\":\"a\"}}", "{}" })
        {
            corpus.Add(Json("key", key.Length > 40 ? "long" : key, "PutItem", $"{{\"TableName\":\"seeded\",\"Item\":{key}}}"));
            corpus.Add(Json("key", key.Length > 40 ? "long" : key, "GetItem", $"{{\"TableName\":\"seeded\",\"Key\":{key}}}"));
            corpus.Add(Json("key", key.Length > 40 ? "long" : key, "DeleteItem", $"{{\"TableName\":\"seeded\",\"Key\":{key}}}"));
        }

    }

    // Where an attribute value goes in each item operation; every other part of the request is valid.
    private static readonly (string Operation, Func<string, string> Template)[] ValueSlots =
    [
        ("PutItem", v => $"{{\"TableName\":\"seeded\",\"Item\":{{\"pk\":{{\"S\":\"new\"}},\"v\":{v}}}}}"),
        ("GetItem", v => $"{{\"TableName\":\"seeded\",\"Key\":{{\"pk\":{v}}}}}"),
        ("DeleteItem", v => $"{{\"TableName\":\"seeded\",\"Key\":{{\"pk\":{v}}}}}"),
        ("UpdateItem", v => $"{{\"TableName\":\"seeded\",\"Key\":{{\"pk\":{{\"S\":\"item-1\"}}}},\"UpdateExpression\":\"SET v = :v\",\"ExpressionAttributeValues\":{{\":v\":{v}}}}}"),
        ("Query", v => $"{{\"TableName\":\"seeded\",\"KeyConditionExpression\":\"pk = :v\",\"ExpressionAttributeValues\":{{\":v\":{v}}}}}"),
        ("Scan", v => $"{{\"TableName\":\"seeded\",\"FilterExpression\":\"v = :v\",\"ExpressionAttributeValues\":{{\":v\":{v}}}}}"),
        ("BatchGetItem", v => $"{{\"RequestItems\":{{\"seeded\":{{\"Keys\":[{{\"pk\":{v}}}]}}}}}}"),
        ("BatchWriteItem", v => $"{{\"RequestItems\":{{\"seeded\":[{{\"PutRequest\":{{\"Item\":{{\"pk\":{{\"S\":\"new\"}},\"v\":{v}}}}}}}]}}}}"),
        ("BatchWriteItem", v => $"{{\"RequestItems\":{{\"seeded\":[{{\"DeleteRequest\":{{\"Key\":{{\"pk\":{v}}}}}}}]}}}}"),
    ];

    private static void AddExpressions(List<BadRequest> corpus)
    {
        (string Operation, string Member, Func<string, string> Template)[] slots =
        [
            ("PutItem", "ConditionExpression", e => $"{{\"TableName\":\"seeded\",\"Item\":{{\"pk\":{{\"S\":\"item-1\"}},\"v\":{{\"S\":\"changed\"}}}},\"ConditionExpression\":{e},\"ExpressionAttributeValues\":{{\":v\":{{\"S\":\"x\"}}}}}}"),
            ("DeleteItem", "ConditionExpression", e => $"{{\"TableName\":\"seeded\",\"Key\":{{\"pk\":{{\"S\":\"item-1\"}}}},\"ConditionExpression\":{e},\"ExpressionAttributeValues\":{{\":v\":{{\"S\":\"x\"}}}}}}"),
            ("UpdateItem", "UpdateExpression", e => $"{{\"TableName\":\"seeded\",\"Key\":{{\"pk\":{{\"S\":\"item-1\"}}}},\"UpdateExpression\":{e},\"ExpressionAttributeValues\":{{\":v\":{{\"S\":\"x\"}}}}}}"),
            ("UpdateItem", "ConditionExpression", e => $"{{\"TableName\":\"seeded\",\"Key\":{{\"pk\":{{\"S\":\"item-1\"}}}},\"UpdateExpression\":\"SET v = :v\",\"ConditionExpression\":{e},\"ExpressionAttributeValues\":{{\":v\":{{\"S\":\"x\"}}}}}}"),
            ("GetItem", "ProjectionExpression", e => $"{{\"TableName\":\"seeded\",\"Key\":{{\"pk\":{{\"S\":\"item-1\"}}}},\"ProjectionExpression\":{e}}}"),
            ("Query", "KeyConditionExpression", e => $"{{\"TableName\":\"seeded\",\"KeyConditionExpression\":{e},\"ExpressionAttributeValues\":{{\":v\":{{\"S\":\"x\"}}}}}}"),
            ("Query", "FilterExpression", e => $"{{\"TableName\":\"seeded\",\"KeyConditionExpression\":\"pk = :v\",\"FilterExpression\":{e},\"ExpressionAttributeValues\":{{\":v\":{{\"S\":\"x\"}}}}}}"),
            ("Scan", "FilterExpression", e => $"{{\"TableName\":\"seeded\",\"FilterExpression\":{e},\"ExpressionAttributeValues\":{{\":v\":{{\"S\":\"x\"}}}}}}"),
            ("Scan", "ProjectionExpression", e => $"{{\"TableName\":\"seeded\",\"ProjectionExpression\":{e}}}"),
        ];
        string tooLong = "a = :v OR " + string.Concat(Enumerable.Repeat("a = :v OR ", 420)) + "a = :v";
        foreach ((string operation, string member, Func<string, string> template) in slots)
        {
            foreach (string expression in GarbageExpressions.Append(tooLong))
            {
                string literal = System.Text.Json.JsonSerializer.Serialize(expression);
                corpus.Add(Json("expression", member + ":" + (expression.Length > 30 ? expression.Length + " chars" : expression), operation, template(literal)));
            }
        }
    }

    private static void AddSizes(List<BadRequest> corpus)
    {
        string big = new('x', 410_000);
        corpus.Add(Json("item-size", "put-410KB", "PutItem", $"{{\"TableName\":\"seeded\",\"Item\":{{\"pk\":{{\"S\":\"big\"}},\"v\":{{\"S\":\"{big}\"}}}}}}"));
        corpus.Add(Json("item-size", "update-410KB", "UpdateItem",
            $"{{\"TableName\":\"seeded\",\"Key\":{{\"pk\":{{\"S\":\"item-1\"}}}},\"UpdateExpression\":\"SET v = :v\",\"ExpressionAttributeValues\":{{\":v\":{{\"S\":\"{big}\"}}}}}}"));
        corpus.Add(Json("item-size", "batch-410KB", "BatchWriteItem",
            $"{{\"RequestItems\":{{\"seeded\":[{{\"PutRequest\":{{\"Item\":{{\"pk\":{{\"S\":\"big\"}},\"v\":{{\"S\":\"{big}\"}}}}}}}}]}}}}"));
        string half = new('y', 205_000);
        corpus.Add(Json("item-size", "two-attributes-410KB", "PutItem",
            $"{{\"TableName\":\"seeded\",\"Item\":{{\"pk\":{{\"S\":\"big\"}},\"a\":{{\"S\":\"{half}\"}},\"b\":{{\"S\":\"{half}\"}}}}}}"));

        // 16 MB + 1: sent in full, and declared in Content-Length.
        byte[] huge = Encoding.UTF8.GetBytes("{\"TableName\":\"seeded\",\"Item\":{\"pk\":{\"S\":\"huge\"},\"v\":{\"S\":\"" + new string('z', 16 * 1024 * 1024) + "\"}}}");
        corpus.Add(new("body-size", "16MB-sent", "PutItem", huge, BadRequest.JsonContentType, BadRequest.DummyAuthorization) { DeclaredLength = huge.Length });
        corpus.Add(new("body-size", "16MB-declared", "PutItem", "{}"u8.ToArray(), BadRequest.JsonContentType, BadRequest.DummyAuthorization)
        {
            DeclaredLength = 16L * 1024 * 1024 + 1,
        });
    }

    private static string ValidLookingBody(string operation) => operation switch
    {
        "PutItem" => "{\"TableName\":\"seeded\",\"Item\":{\"pk\":{\"S\":\"envelope\"}}}",
        "DeleteItem" => "{\"TableName\":\"seeded\",\"Key\":{\"pk\":{\"S\":\"item-1\"}}}",
        "UpdateItem" => "{\"TableName\":\"seeded\",\"Key\":{\"pk\":{\"S\":\"item-1\"}},\"UpdateExpression\":\"SET v = :v\",\"ExpressionAttributeValues\":{\":v\":{\"S\":\"changed\"}}}",
        "DeleteTable" => "{\"TableName\":\"seeded\"}",
        "CreateTable" => "{\"TableName\":\"created\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
        "BatchWriteItem" => "{\"RequestItems\":{\"seeded\":[{\"DeleteRequest\":{\"Key\":{\"pk\":{\"S\":\"item-1\"}}}}]}}",
        _ => "{\"TableName\":\"seeded\"}",
    };
}
