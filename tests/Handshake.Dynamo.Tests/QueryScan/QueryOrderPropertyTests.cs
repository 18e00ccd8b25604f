using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CsCheck;

namespace Handshake.Dynamo.Tests.QueryScan;

/// <summary>
/// Key order end to end: random numeric and string sort keys are stored, then random sort-key conditions, in both
/// directions and paged with random limits, must return exactly what a reference sort and filter gives.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class QueryOrderPropertyTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;

    private async Task<string> TableAsync(ScalarAttributeType sortType)
    {
        var table = fixture.NewTableName();
        await Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = table,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("pk", ScalarAttributeType.S), new("sk", sortType)],
            KeySchema = [new("pk", KeyType.HASH), new("sk", KeyType.RANGE)],
        }).WaitAsync(ServerFixture.Timeout);
        return table;
    }

    private async Task PutAllAsync(string table, IEnumerable<AttributeValue> keys)
    {
        foreach (var chunk in keys.Chunk(25))
            await Client.BatchWriteItemAsync(new BatchWriteItemRequest
            {
                RequestItems = new() { [table] = [.. chunk.Select(k => new WriteRequest(new PutRequest(new() { ["pk"] = new AttributeValue { S = "p" }, ["sk"] = k })))] },
            }).WaitAsync(ServerFixture.Timeout);
    }

    private async Task<List<AttributeValue>> QueryAllAsync(string table, string condition, Dictionary<string, AttributeValue> values, bool forward, int limit)
    {
        var result = new List<AttributeValue>();
        Dictionary<string, AttributeValue>? start = null;
        values[":p"] = new AttributeValue { S = "p" };
        do
        {
            var page = await Client.QueryAsync(new QueryRequest
            {
                TableName = table, KeyConditionExpression = "pk = :p" + condition, ExpressionAttributeValues = values,
                ScanIndexForward = forward, Limit = limit, ExclusiveStartKey = start,
            }).WaitAsync(ServerFixture.Timeout);
            result.AddRange(page.Items.Select(i => i["sk"]));
            start = page.LastEvaluatedKey is { Count: > 0 } lek ? lek : null;
        } while (start is not null);
        return result;
    }

    private static readonly string[] Operators = ["<", "<=", ">", ">=", "=", "BETWEEN"];

    [Fact]
    public async Task NumericSortKeysSeekInNumericOrder()
    {
        var table = await TableAsync(ScalarAttributeType.N);
        var random = new Random(1);
        var keys = Enumerable.Range(0, 120)
            .Select(_ => decimal.Parse(random.Next(-999_999, 999_999) + "E" + random.Next(-8, 9), NumberStyles.Float, CultureInfo.InvariantCulture))
            .Distinct().ToList();
        await PutAllAsync(table, keys.Select(k => new AttributeValue { N = k.ToString(CultureInfo.InvariantCulture) }));
        var queries = Gen.Select(Gen.Int[0, Operators.Length - 1], Gen.Int[0, keys.Count - 1], Gen.Int[0, keys.Count - 1], Gen.Bool, Gen.Int[1, 40]);
        await queries.SampleAsync(async query =>
        {
            var (op, i, j, forward, limit) = query;
            decimal a = Math.Min(keys[i], keys[j]), b = Math.Max(keys[i], keys[j]);
            Func<decimal, bool> matches = Operators[op] switch
            {
                "<" => k => k < a, "<=" => k => k <= a, ">" => k => k > a, ">=" => k => k >= a, "=" => k => k == a, _ => k => k >= a && k <= b,
            };
            var expected = keys.Where(matches).Order().ToList();
            if (!forward) expected.Reverse();
            string condition = Operators[op] == "BETWEEN" ? " AND sk BETWEEN :a AND :b" : " AND sk " + Operators[op] + " :a";
            var values = new Dictionary<string, AttributeValue> { [":a"] = new() { N = a.ToString(CultureInfo.InvariantCulture) } };
            if (Operators[op] == "BETWEEN") values[":b"] = new() { N = b.ToString(CultureInfo.InvariantCulture) };
            var actual = await QueryAllAsync(table, condition, values, forward, limit);
            Assert.Equal(expected, actual.Select(v => decimal.Parse(v.N, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }, iter: 25, threads: 1);
    }

    private static int Utf8Compare(string x, string y) => Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));

    [Fact]
    public async Task StringSortKeysSeekInUtf8OrderWithPrefixes()
    {
        var table = await TableAsync(ScalarAttributeType.S);
        // A small alphabet (including characters whose UTF-16 and UTF-8 orders differ) makes shared prefixes common.
        var alphabet = new[] { "a", "b", "ab", "\u00e9", "\uFFFD", "\uD83D\uDE00", "z" };
        var random = new Random(2);
        var keys = Enumerable.Range(0, 120)
            .Select(_ => string.Concat(Enumerable.Range(0, random.Next(1, 5)).Select(_ => alphabet[random.Next(alphabet.Length)])))
            .Distinct().ToList();
        await PutAllAsync(table, keys.Select(k => new AttributeValue { S = k }));
        var queries = Gen.Select(Gen.Int[0, Operators.Length], Gen.Int[0, keys.Count - 1], Gen.Int[0, keys.Count - 1], Gen.Bool, Gen.Int[1, 40]);
        await queries.SampleAsync(async query =>
        {
            var (op, i, j, forward, limit) = query;
            string a = Utf8Compare(keys[i], keys[j]) <= 0 ? keys[i] : keys[j], b = Utf8Compare(keys[i], keys[j]) <= 0 ? keys[j] : keys[i];
            string prefix = a[..Math.Min(a.Length, char.IsHighSurrogate(a[0]) ? 2 : 1)];
            string name = op == Operators.Length ? "begins_with" : Operators[op];
            Func<string, bool> matches = name switch
            {
                "<" => k => Utf8Compare(k, a) < 0, "<=" => k => Utf8Compare(k, a) <= 0, ">" => k => Utf8Compare(k, a) > 0,
                ">=" => k => Utf8Compare(k, a) >= 0, "=" => k => k == a, "BETWEEN" => k => Utf8Compare(k, a) >= 0 && Utf8Compare(k, b) <= 0,
                _ => k => k.StartsWith(prefix, StringComparison.Ordinal),
            };
            var expected = keys.Where(matches).ToList();
            expected.Sort(Utf8Compare);
            if (!forward) expected.Reverse();
            string condition = name switch
            {
                "BETWEEN" => " AND sk BETWEEN :a AND :b",
                "begins_with" => " AND begins_with(sk, :a)",
                _ => " AND sk " + name + " :a",
            };
            var values = new Dictionary<string, AttributeValue> { [":a"] = new() { S = name == "begins_with" ? prefix : a } };
            if (name == "BETWEEN") values[":b"] = new() { S = b };
            var actual = await QueryAllAsync(table, condition, values, forward, limit);
            Assert.Equal(expected, actual.Select(v => v.S));
        }, iter: 25, threads: 1);
    }
}
