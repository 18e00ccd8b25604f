using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static Handshake.Dynamo.Tests.Indexes.IndexTables;

namespace Handshake.Dynamo.Tests.PartiQL;

/// <summary>ExecuteStatement through the .NET SDK: each statement kind, parameters, literals, pagination, indexes, errors.</summary>
[Collection(ServerCollection.Name)]
public sealed class PartiQLStatementTests(ServerFixture fixture)
{
    private AmazonDynamoDBClient Client => fixture.Client;

    private Task<ExecuteStatementResponse> RunAsync(string statement, List<AttributeValue>? parameters = null, int? limit = null, string? nextToken = null,
        bool consistent = false, string? capacity = null) =>
        Client.ExecuteStatementAsync(new ExecuteStatementRequest
        {
            Statement = statement, Parameters = parameters, Limit = limit, NextToken = nextToken, ConsistentRead = consistent,
            ReturnConsumedCapacity = capacity,
        }).WaitAsync(ServerFixture.Timeout);

    private async Task<AmazonDynamoDBException> FailAsync(string statement, List<AttributeValue>? parameters = null) =>
        await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => RunAsync(statement, parameters));

    private async Task<Dictionary<string, AttributeValue>?> GetAsync(string table, string pk, int? sk = null)
    {
        var key = new Dictionary<string, AttributeValue> { ["pk"] = S(pk) };
        if (sk is not null) key["sk"] = N(sk.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var r = await Client.GetItemAsync(new GetItemRequest { TableName = table, Key = key, ConsistentRead = true }).WaitAsync(ServerFixture.Timeout);
        return r.Item is { Count: > 0 } ? r.Item : null;
    }

    private async Task<string> RangeTableAsync(int items)
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName(), withRange: true);
        for (int i = 0; i < items; i++)
            await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'p', 'sk': {i}, 'even': {(i % 2 == 0 ? "TRUE" : "FALSE")}, 'tag': 't{i}'}}");
        return table;
    }

    [Fact]
    public async Task InsertWritesEveryLiteralKindAndSelectReadsItBack()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var inserted = await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 's': 'it''s', 'n': -1.5e2, 'b': TRUE, 'z': NULL, "
            + "'ss': <<'x','y'>>, 'ns': <<1, 2>>, 'l': [1, 'two', [3]], 'm': {'k': {'deep': 'v'}}}");
        Assert.Empty(inserted.Items ?? []);

        var item = await GetAsync(table, "a");
        Assert.NotNull(item);
        Assert.Equal("it's", item["s"].S);
        Assert.Equal("-150", item["n"].N);
        Assert.True(item["b"].BOOL);
        Assert.True(item["z"].NULL);
        Assert.Equal(["x", "y"], item["ss"].SS.Order());
        Assert.Equal(["1", "2"], item["ns"].NS.Order());
        Assert.Equal("two", item["l"].L[1].S);
        Assert.Equal("3", item["l"].L[2].L[0].N);
        Assert.Equal("v", item["m"].M["k"].M["deep"].S);

        var selected = await RunAsync($"SELECT * FROM \"{table}\" WHERE pk = 'a'");
        Assert.Single(selected.Items);
        Assert.Equal("it's", selected.Items[0]["s"].S);
        Assert.Null(selected.NextToken);
    }

    [Fact]
    public async Task ParametersBindInOrderAndTheirCountMustMatch()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'v': ?, 'bin': ?}}", [S("p1"), N("7"), new AttributeValue { B = new MemoryStream([1, 2]) }]);
        var r = await RunAsync($"SELECT v, bin FROM \"{table}\" WHERE pk = ? AND v = ?", [S("p1"), N("7")]);
        Assert.Single(r.Items);
        Assert.Equal(["bin", "v"], r.Items[0].Keys.Order());
        Assert.Equal(new byte[] { 1, 2 }, r.Items[0]["bin"].B.ToArray());

        var tooFew = await FailAsync($"SELECT * FROM \"{table}\" WHERE pk = ? AND v = ?", [S("p1")]);
        Assert.Equal("ValidationException", tooFew.ErrorCode);
        Assert.Equal("Number of parameters in request and statement don't match.", tooFew.Message);
        var tooMany = await FailAsync($"SELECT * FROM \"{table}\" WHERE pk = ?", [S("p1"), S("p2")]);
        Assert.Equal("Number of parameters in request and statement don't match.", tooMany.Message);
    }

    [Fact]
    public async Task InsertOverAnExistingItemIsDuplicateItemAndLeavesItAlone()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'v': 1}}");
        var e = await FailAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'v': 2}}");
        Assert.Equal("DuplicateItemException", e.ErrorCode);
        Assert.IsType<DuplicateItemException>(e);
        Assert.Equal("Duplicate primary key exists in table", e.Message);
        Assert.Equal("1", (await GetAsync(table, "a"))!["v"].N);
    }

    [Fact]
    public async Task UpdateSetsRemovesAndComputesAndFailsOnAMissingItem()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'n': 5, 'gone': 'x', 'l': [1], 'tags': <<'a','b'>>, 'm': {{'in': 1}}}}");
        var r = await RunAsync($"UPDATE \"{table}\" SET n = n + 2 SET l = list_append(l, [2, 3]), m.\"in\" = 'deep' REMOVE gone "
            + "SET tags = set_add(tags, <<'c'>>) WHERE pk = 'a'");
        Assert.Empty(r.Items ?? []);
        var item = (await GetAsync(table, "a"))!;
        Assert.Equal("7", item["n"].N);
        Assert.False(item.ContainsKey("gone"));
        Assert.Equal(["1", "2", "3"], item["l"].L.Select(v => v.N));
        Assert.Equal("deep", item["m"].M["in"].S);
        Assert.Equal(["a", "b", "c"], item["tags"].SS.Order());

        await RunAsync($"UPDATE \"{table}\" SET tags = set_delete(tags, <<'a'>>) WHERE pk = 'a'");
        Assert.Equal(["b", "c"], (await GetAsync(table, "a"))!["tags"].SS.Order());

        var missing = await FailAsync($"UPDATE \"{table}\" SET n = 1 WHERE pk = 'nope'");
        Assert.Equal("ConditionalCheckFailedException", missing.ErrorCode);
        Assert.Equal("The conditional request failed", missing.Message);
        Assert.Null(await GetAsync(table, "nope"));
    }

    [Fact]
    public async Task UpdateWithAConditionInTheWhereClauseAppliesOnlyWhenItHolds()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'v': 1}}");
        var e = await Assert.ThrowsAsync<ConditionalCheckFailedException>(() => Client.ExecuteStatementAsync(new ExecuteStatementRequest
        {
            Statement = $"UPDATE \"{table}\" SET v = 3 WHERE pk = 'a' AND v = 2",
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        }).WaitAsync(ServerFixture.Timeout));
        Assert.Equal("1", e.Item["v"].N);
        await RunAsync($"UPDATE \"{table}\" SET v = 3 WHERE pk = 'a' AND v = 1");
        Assert.Equal("3", (await GetAsync(table, "a"))!["v"].N);
    }

    [Fact]
    public async Task ReturningGivesTheOldOrNewItemOrTheModifiedAttributes()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'v': 'old', 'keep': 'k'}}");
        var allOld = await RunAsync($"UPDATE \"{table}\" SET v = 'new' WHERE pk = 'a' RETURNING ALL OLD *");
        Assert.Equal("old", Assert.Single(allOld.Items)["v"].S);
        Assert.Equal("k", allOld.Items[0]["keep"].S);
        var modifiedNew = await RunAsync($"UPDATE \"{table}\" SET v = 'newer' WHERE pk = 'a' RETURNING MODIFIED NEW *");
        Assert.Equal(["v"], Assert.Single(modifiedNew.Items).Keys);
        Assert.Equal("newer", modifiedNew.Items[0]["v"].S);
        var allNew = await RunAsync($"UPDATE \"{table}\" REMOVE keep WHERE pk = 'a' RETURNING ALL NEW *");
        Assert.Equal(["pk", "v"], Assert.Single(allNew.Items).Keys.Order());

        var deleted = await RunAsync($"DELETE FROM \"{table}\" WHERE pk = 'a' RETURNING ALL OLD *");
        Assert.Equal("newer", Assert.Single(deleted.Items)["v"].S);
        var again = await RunAsync($"DELETE FROM \"{table}\" WHERE pk = 'a' RETURNING ALL OLD *");
        Assert.Empty(again.Items ?? []);

        var e = await FailAsync($"DELETE FROM \"{table}\" WHERE pk = 'a' RETURNING ALL NEW *");
        Assert.Equal("ValidationException", e.ErrorCode);
        Assert.Equal("Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements.", e.Message);
    }

    [Fact]
    public async Task DeleteRemovesTheItemAndIsANoOpForAMissingOne()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName(), withRange: true);
        await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1, 'v': 'x'}}");
        var held = await FailAsync($"DELETE FROM \"{table}\" WHERE pk = 'a' AND sk = 1 AND v = 'y'");
        Assert.Equal("ConditionalCheckFailedException", held.ErrorCode);
        Assert.NotNull(await GetAsync(table, "a", 1));
        await RunAsync($"DELETE FROM \"{table}\" WHERE pk = 'a' AND sk = 1 AND v = 'x'");
        Assert.Null(await GetAsync(table, "a", 1));
        await RunAsync($"DELETE FROM \"{table}\" WHERE pk = 'a' AND sk = 1 AND v = 'x'"); // missing: succeeds, deletes nothing

        var partial = await FailAsync($"DELETE FROM \"{table}\" WHERE pk = 'a'");
        Assert.Equal("ValidationException", partial.ErrorCode);
        Assert.Equal("Where clause does not contain a mandatory equality on all key attributes", partial.Message);
        var noWhere = await FailAsync($"UPDATE \"{table}\" SET v = 1");
        Assert.Equal("Where clause does not contain a mandatory equality on all key attributes", noWhere.Message);
        var orKey = await FailAsync($"UPDATE \"{table}\" SET v = 1 WHERE pk = 'a' OR sk = 1");
        Assert.Equal("Where clause does not contain a mandatory equality on all key attributes", orKey.Message);
    }

    [Fact]
    public async Task WhereSupportsComparisonsFunctionsAndMissing()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'n': 1, 's': 'apple', 'l': ['x', 'y'], 'm': {{'k': 'v'}}}}");
        await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'n': 5, 's': 'banana'}}");
        await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'c', 'n': 9, 'nul': NULL}}");

        async Task<string[]> Keys(string where)
        {
            var r = await RunAsync($"SELECT pk FROM \"{table}\" WHERE {where}");
            return [.. r.Items.Select(i => i["pk"].S).Order()];
        }

        Assert.Equal(["b", "c"], await Keys("n > 1"));
        Assert.Equal(["a", "b"], await Keys("n <= 5"));
        Assert.Equal(["a", "c"], await Keys("n <> 5"));
        Assert.Equal(["b"], await Keys("n BETWEEN 2 AND 6"));
        Assert.Equal(["a", "c"], await Keys("n IN [1, 9]"));
        Assert.Equal(["a", "c"], await Keys("NOT n = 5"));
        Assert.Equal(["a", "c"], await Keys("n = 1 OR (n > 8 AND pk = 'c')"));
        Assert.Equal(["c"], await Keys("s IS MISSING"));
        Assert.Equal(["a", "b"], await Keys("s IS NOT MISSING"));
        Assert.Equal(["c"], await Keys("nul IS NULL"));
        Assert.Equal(["b"], await Keys("begins_with(s, 'ban')"));
        Assert.Equal(["a"], await Keys("contains(l, 'y')"));
        Assert.Equal(["a"], await Keys("attribute_type(m, 'M')"));
        Assert.Equal(["a"], await Keys("size(l) = 2"));
        Assert.Equal(["a"], await Keys("m.k = 'v' AND l[1] = 'y'"));

        var nested = await RunAsync($"SELECT m.k, l[0] FROM \"{table}\" WHERE pk = 'a'");
        var item = Assert.Single(nested.Items);
        Assert.Equal("v", item["m"].M["k"].S);
        Assert.Equal("x", Assert.Single(item["l"].L).S);
    }

    [Fact]
    public async Task ASelectOnThePartitionKeyQueriesInOrderAndPagesWithNextToken()
    {
        var table = await RangeTableAsync(7);
        await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'other', 'sk': 1}}");
        var seen = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            var page = await RunAsync($"SELECT * FROM \"{table}\" WHERE pk = 'p' AND sk >= 1", limit: 2, nextToken: token);
            Assert.True(page.Items.Count <= 2, $"page {pages + 1} has {page.Items.Count} items");
            seen.AddRange(page.Items.Select(i => i["sk"].N));
            token = page.NextToken;
            if (token is not null) Assert.Equal(page.Items[^1]["sk"].N, page.LastEvaluatedKey["sk"].N);
            pages++;
        }
        while (token is not null && pages < 20);
        Assert.Equal(["1", "2", "3", "4", "5", "6"], seen);
        // Paged by the NextToken (one page of all six would also read them in order): two at a time, three pages at least.
        Assert.True(pages >= 3, $"{pages} pages");

        var descending = await RunAsync($"SELECT sk FROM \"{table}\" WHERE pk = 'p' AND sk BETWEEN 2 AND 4 ORDER BY sk DESC");
        Assert.Equal(["4", "3", "2"], descending.Items.Select(i => i["sk"].N));
        var prefix = await RunAsync($"SELECT sk FROM \"{table}\" WHERE pk = 'p' AND even = TRUE");
        Assert.Equal(["0", "2", "4", "6"], prefix.Items.Select(i => i["sk"].N));
    }

    [Fact]
    public async Task AnInOnThePartitionKeyReadsEachPartitionAndPagesAcrossThem()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName(), withRange: true);
        foreach (var pk in new[] { "a", "b", "c" })
            for (int i = 0; i < 3; i++)
                await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': '{pk}', 'sk': {i}}}");
        var seen = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            var page = await RunAsync($"SELECT * FROM \"{table}\" WHERE pk IN ['c', 'a', 'zz', 'a'] AND sk >= 1", limit: 3, nextToken: token);
            Assert.True(page.Items.Count <= 3, $"page {pages + 1} has {page.Items.Count} items");
            seen.AddRange(page.Items.Select(i => i["pk"].S + i["sk"].N));
            token = page.NextToken;
            pages++;
        }
        while (token is not null && pages < 20);
        Assert.Equal(["c1", "c2", "a1", "a2"], seen);
        // Four items at most three a page: the read went on across a NextToken.
        Assert.True(pages >= 2, $"{pages} pages");

        var capacity = await RunAsync($"SELECT * FROM \"{table}\" WHERE pk IN ['a'] AND sk = 1", consistent: true, capacity: "TOTAL");
        Assert.Equal("a1", Assert.Single(capacity.Items)["pk"].S + capacity.Items[0]["sk"].N);
        Assert.Equal(1, capacity.ConsumedCapacity.CapacityUnits); // one partition's one item, not the table's nine

        var ordered = await RunAsync($"SELECT pk FROM \"{table}\" WHERE pk IN ['b', 'c', 'a'] AND sk = 0 ORDER BY pk DESC");
        Assert.Equal(["c", "b", "a"], ordered.Items.Select(i => i["pk"].S));
        var bySortKey = await FailAsync($"SELECT pk FROM \"{table}\" WHERE pk IN ['b', 'c'] ORDER BY sk");
        Assert.Equal("Must have hash key in ORDER BY clause when more than one hash key condition specified in WHERE clause.", bySortKey.Message);
        var tooMany = await FailAsync($"SELECT * FROM \"{table}\" WHERE pk IN [" + string.Join(", ", Enumerable.Range(0, 51).Select(i => $"'k{i}'")) + "]");
        Assert.Equal("Too many decomposed read operations for a given query.", tooMany.Message);
    }

    [Fact]
    public async Task AScanPagesEvenWhenAPageMatchesNothing()
    {
        var table = await RangeTableAsync(5);
        var seen = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            var page = await RunAsync($"SELECT tag FROM \"{table}\" WHERE even = FALSE", limit: 1, nextToken: token);
            seen.AddRange(page.Items.Select(i => i["tag"].S));
            token = page.NextToken;
            pages++;
        }
        while (token is not null && pages < 20);
        Assert.Equal(["t1", "t3"], seen);
        Assert.True(pages >= 5);

        var e = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => RunAsync($"SELECT tag FROM \"{table}\"", nextToken: "bm90IGEgdG9rZW4="));
        Assert.Equal("ValidationException", e.ErrorCode);
        var first = await RunAsync($"SELECT tag FROM \"{table}\" WHERE even = FALSE", limit: 1);
        var other = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => RunAsync($"SELECT * FROM \"{table}\"", nextToken: first.NextToken));
        Assert.Equal("NextToken does not match request", other.Message);
    }

    [Fact]
    public async Task AnIndexIsReadWithTableDotIndex()
    {
        var table = await CreateAsync(Client, fixture.NewTableName());
        await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1, 'category': 'tools', 'owner': 'o1', 'created': 3}}");
        await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': 1, 'category': 'tools', 'owner': 'o1', 'created': 1}}");
        await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'c', 'sk': 1, 'category': 'food'}}");

        var byCategory = await RunAsync($"SELECT pk FROM \"{table}\".\"{CategoryGsi}\" WHERE category = 'tools'");
        Assert.Equal(["a", "b"], byCategory.Items.Select(i => i["pk"].S).Order());
        var byOwner = await RunAsync($"SELECT * FROM \"{table}\".\"{OwnerGsi}\" WHERE owner = 'o1' ORDER BY created");
        Assert.Equal(["b", "a"], byOwner.Items.Select(i => i["pk"].S));
        Assert.False(byOwner.Items[0].ContainsKey("category")); // KEYS_ONLY

        var consistent = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() =>
            RunAsync($"SELECT * FROM \"{table}\".\"{CategoryGsi}\" WHERE category = 'tools'", consistent: true));
        Assert.Equal("Strongly consistent read is not supported on Global Secondary Indexes", consistent.Message);
        var write = await FailAsync($"DELETE FROM \"{table}\".\"{CategoryGsi}\" WHERE pk = 'a' AND sk = 1");
        Assert.Equal("This operation is not supported on an index", write.Message);
    }

    [Fact]
    public async Task AnIndexQueryPagesWithNextTokenAcrossEqualIndexKeys()
    {
        var table = await CreateAsync(Client, fixture.NewTableName());
        for (int i = 0; i < 5; i++)
            await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'p{i}', 'sk': {i}, 'category': 'same'}}");
        var seen = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            var page = await RunAsync($"SELECT pk FROM \"{table}\".\"{CategoryGsi}\" WHERE category = 'same'", limit: 2, nextToken: token);
            seen.AddRange(page.Items.Select(i => i["pk"].S));
            token = page.NextToken;
            if (token is not null) Assert.Equal(["category", "pk", "sk"], page.LastEvaluatedKey.Keys.Order());
            pages++;
        }
        while (token is not null && pages < 20);
        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], seen.Order());
        Assert.Equal(5, seen.Count);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task CapacityIsWhatTheUnderlyingOperationCharges()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var put = await RunAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'v': '{new string('x', 1500)}'}}", capacity: "TOTAL");
        Assert.Equal(2, put.ConsumedCapacity.CapacityUnits);
        var get = await RunAsync($"SELECT * FROM \"{table}\" WHERE pk = 'a'", consistent: true, capacity: "TOTAL");
        Assert.Equal(1, get.ConsumedCapacity.CapacityUnits);
        var eventual = await RunAsync($"SELECT * FROM \"{table}\" WHERE pk = 'a'", capacity: "TOTAL");
        Assert.Equal(0.5, eventual.ConsumedCapacity.CapacityUnits);
        Assert.Equal(table, eventual.ConsumedCapacity.TableName);
    }

    [Fact]
    public async Task MalformedStatementsAndMissingTablesAreRefused()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName());
        var notDml = await FailAsync("CREATE TABLE x");
        Assert.Equal("ValidationException", notDml.ErrorCode);
        Assert.Equal("Statement wasn't well formed, can't be processed: Expected data manipulation", notDml.Message);
        foreach (var bad in new[] { $"SELECT * FROM \"{table}\" WHERE", $"SELECT FROM \"{table}\"", $"INSERT INTO \"{table}\" VALUE {{'pk': }}",
                     $"SELECT * FROM \"{table}\" WHERE pk = 'a", $"UPDATE \"{table}\" WHERE pk = 'a'" })
        {
            var e = await FailAsync(bad);
            Assert.Equal("ValidationException", e.ErrorCode);
            Assert.StartsWith("Statement wasn't well formed, can't be processed: ", e.Message);
        }
        var missing = await FailAsync("SELECT * FROM \"no-such-table\" WHERE pk = 'a'");
        Assert.Equal("ResourceNotFoundException", missing.ErrorCode);
        var exists = await FailAsync($"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 'a')");
        Assert.Equal("EXISTS can only be used in ExecuteTransaction write requests.", exists.Message);
        var keyUpdate = await FailAsync($"UPDATE \"{table}\" SET pk = 'b' WHERE pk = 'a'");
        Assert.Equal("One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key", keyUpdate.Message);
        var missingKey = await FailAsync($"INSERT INTO \"{table}\" VALUE {{'v': 1}}");
        Assert.Equal("ValidationException", missingKey.ErrorCode);
        var overlap = await FailAsync($"UPDATE \"{table}\" SET a = 1 REMOVE a.b WHERE pk = 'a'");
        Assert.Equal("Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]",
            overlap.Message);
        var emptyBag = await FailAsync($"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 's': <<>>}}");
        Assert.Equal("Empty bags are not supported", emptyBag.Message);
    }

    [Fact]
    public async Task OddStatementsAreRefusedWithA400NeverA500()
    {
        var table = await SdkItemTests.CreateTableAsync(Client, fixture.NewTableName(), withRange: true);
        string[] statements =
        [
            "", " ", ";", "SELECT", "SELECT *", "SELECT * FROM", $"SELECT * FROM \"{table}\" WHERE pk", $"SELECT * FROM \"{table}\" WHERE pk =",
            $"SELECT * FROM \"{table}\" WHERE pk IN", $"SELECT * FROM \"{table}\" WHERE pk IN []", $"SELECT * FROM \"{table}\" WHERE pk IS",
            $"SELECT * FROM \"{table}\" WHERE pk IS BANANA", $"SELECT * FROM \"{table}\" WHERE pk = MISSING", $"SELECT * FROM \"{table}\" WHERE a[",
            $"SELECT * FROM \"{table}\" WHERE a['x'] = 1 AND", $"SELECT * FROM \"{table}\" WHERE size(", $"SELECT * FROM \"{table}\" WHERE nosuch(a, 1)",
            $"SELECT * FROM \"{table}\" WHERE pk BETWEEN 1", $"SELECT * FROM \"{table}\" ORDER BY sk", $"SELECT * FROM \"{table}\" WHERE v = 1 ORDER BY v",
            $"SELECT a, * FROM \"{table}\"", $"SELECT * FROM \"{table}\".\"nope\"",
            $"INSERT INTO \"{table}\" VALUE", $"INSERT INTO \"{table}\" VALUE 1", $"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'pk': 'b', 'sk': 1}}",
            $"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1}} RETURNING ALL OLD *", $"INSERT INTO \"{table}\" VALUES {{'pk': 'a'}}",
            $"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1, 's': <<1, 'x'>>}}", $"INSERT INTO \"{table}\" VALUE {{'pk': '', 'sk': 1}}",
            $"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1e999}}", $"UPDATE \"{table}\" SET", $"UPDATE \"{table}\" SET a = WHERE pk = 'a' AND sk = 1",
            $"UPDATE \"{table}\" SET a = set_add(b, <<1>>) WHERE pk = 'a' AND sk = 1", $"UPDATE \"{table}\" SET a = set_add(a, 1) WHERE pk = 'a' AND sk = 1",
            $"UPDATE \"{table}\" SET a = nosuch(a) WHERE pk = 'a' AND sk = 1", $"UPDATE \"{table}\" SET a = 1 WHERE pk = 'a' AND sk = 1 RETURNING ALL",
            $"UPDATE \"{table}\" SET a = 1 WHERE pk = 'a' AND sk = 1 RETURNING ALL OLD", $"DELETE FROM \"{table}\"", $"DELETE FROM \"{table}\" WHERE pk = 1 AND sk = 1",
            "SELECT * FROM \"\"", "SELECT * FROM \"t\" WHERE \"\" = 1", "'unterminated", "SELECT * FROM t WHERE a = 1 !",
            $"SELECT * FROM \"{table}\" WHERE " + new string('(', 3000) + "a = 1" + new string(')', 3000),
            $"SELECT * FROM \"{table}\" WHERE " + string.Concat(Enumerable.Repeat("NOT ", 1500)) + "a = 1",
            $"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1, 'l': " + new string('[', 3000) + new string(']', 3000) + "}",
            $"UPDATE \"{table}\" SET a = " + string.Concat(Enumerable.Repeat("list_append(", 1000)) + "a" + new string(')', 1000) + " WHERE pk = 'a' AND sk = 1",
        ];
        foreach (var statement in statements)
        {
            var response = await fixture.PostAsync("ExecuteStatement", JsonSerializer.Serialize(new { Statement = statement }));
            var body = await response.Content.ReadAsStringAsync().WaitAsync(ServerFixture.Timeout);
            Assert.True((int)response.StatusCode == 400, statement + " => " + (int)response.StatusCode + " " + body);
            Assert.Contains("Exception", body);
        }
    }

    [Fact]
    public async Task TheWireShapeHasItemsAndNoCountMembers()
    {
        var table = await RangeTableAsync(3);
        var response = await fixture.PostAsync("ExecuteStatement", JsonSerializer.Serialize(new
        {
            Statement = $"SELECT sk FROM \"{table}\" WHERE pk = ?",
            Parameters = new[] { new { S = "p" } },
            Limit = 2,
        }));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(ServerFixture.Timeout));
        var root = doc.RootElement;
        Assert.Equal(2, root.GetProperty("Items").GetArrayLength());
        Assert.False(root.TryGetProperty("Count", out _));
        Assert.False(root.TryGetProperty("ScannedCount", out _));
        Assert.True(root.TryGetProperty("NextToken", out _));
        Assert.Equal("{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"1\"}}", root.GetProperty("LastEvaluatedKey").GetRawText());

        var (_, type, message) = await ErrorAsync(fixture, "ExecuteStatement", "{}");
        Assert.Equal("ValidationException", type);
        Assert.Equal("1 validation error detected: Value null at 'statement' failed to satisfy constraint: Member must not be null", message);
    }
}
