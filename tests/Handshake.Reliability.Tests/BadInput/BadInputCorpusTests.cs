using System.Collections.Concurrent;
using Amazon.DynamoDBv2.Model;
using Handshake.Reliability.Tests.Fuzzing;
using Handshake.Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Handshake.Reliability.Tests.BadInput;

/// <summary>
/// The whole corpus against the composed server over raw HTTP: every answer a DynamoDB-shaped 4xx, never a 5xx, the
/// server still up afterwards and the seeded table exactly as it was.
/// </summary>
public sealed class BadInputCorpusTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EveryMalformedRequestGetsADynamoDbShaped4xxAndChangesNothing()
    {
        IReadOnlyList<BadRequest> corpus = BadInputCorpus.Generate();
        Assert.True(corpus.Count >= 500, $"the corpus has {corpus.Count} requests");

        await using RunningServer server = await RunningServer.StartAsync();
        await server.CreateTableAsync(BadInputCorpus.SeededTable);
        for (int i = 0; i < 20; i++)
        {
            await server.Client.PutItemAsync(BadInputCorpus.SeededTable, new()
            {
                ["pk"] = new AttributeValue { S = "item-" + i },
                ["v"] = new AttributeValue { N = i.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            }).WaitAsync(Timeouts.Default);
        }

        string before = await SnapshotAsync(server);

        ConcurrentBag<CorpusOutcome> outcomes = [];
        await Parallel.ForEachAsync(corpus, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (bad, _) =>
            outcomes.Add(await CorpusRunner.SendAsync(server.Http, bad))).WaitAsync(TimeSpan.FromSeconds(90));

        List<string> failures = [];
        foreach (CorpusOutcome outcome in outcomes)
        {
            if (Problem(outcome) is { } problem)
            {
                failures.Add($"{outcome.Request}: {problem} (HTTP {outcome.Status}: {Truncate(outcome.Body)})");
            }
        }

        int clientErrors = outcomes.Count(o => o.Status is >= 400 and < 500);
        output.WriteLine($"bad-input corpus: {corpus.Count} requests, {clientErrors} answered 4xx, {failures.Count} failures");
        foreach (IGrouping<string, CorpusOutcome> category in outcomes.GroupBy(o => o.Request.Category).OrderBy(g => g.Key))
        {
            output.WriteLine($"  {category.Key}: {category.Count()}");
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(100)));
        Assert.Equal(corpus.Count, clientErrors);

        // Still up and serving, and nothing changed.
        HttpResponseMessage health = await server.Http.GetAsync("/").WaitAsync(Timeouts.Default);
        Assert.Equal(200, (int)health.StatusCode);
        Assert.Equal(before, await SnapshotAsync(server));
    }

    /// <summary>Null when the answer is what AWS sends for bad input; otherwise what is wrong with it.</summary>
    internal static string? Problem(CorpusOutcome outcome)
    {
        if (outcome.Status is < 400 or >= 500)
        {
            return "not a 4xx";
        }

        // A body in a foreign content type is answered like a wrong method, with AWS's bare XML.
        if (outcome.Status == 404)
        {
            return outcome.Body == "<UnknownOperationException/>\n" ? null : "404 without UnknownOperationException";
        }

        // DynamoDB's JSON error shape, its namespaces and the message every error but two carries.
        return DynamoErrorShape.Problem(outcome.Body);
    }

    // Everything a bad request could have changed: the tables, the seeded table's items and its counters.
    private static async Task<string> SnapshotAsync(RunningServer server)
    {
        ListTablesResponse tables = await server.Client.ListTablesAsync().WaitAsync(Timeouts.Default);
        ScanResponse scan = await server.Client.ScanAsync(new ScanRequest { TableName = BadInputCorpus.SeededTable, ConsistentRead = true }).WaitAsync(Timeouts.Default);
        DescribeTableResponse table = await server.Client.DescribeTableAsync(BadInputCorpus.SeededTable).WaitAsync(Timeouts.Default);
        IEnumerable<string> items = scan.Items
            .Select(item => string.Join(",", item.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value.S}{a.Value.N}")))
            .Order(StringComparer.Ordinal);
        return $"tables={string.Join(",", tables.TableNames)}; count={table.Table.ItemCount}; size={table.Table.TableSizeBytes}; items={string.Join(";", items)}";
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
