using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Tests.QueryScan;

/// <summary>
/// A Query is an index seek, whatever the table's size: SQLite's plan for the statement a Query runs searches the
/// items primary key by (table, hash key, range bounds) and never scans or sorts. Checked on the plan, not on timings.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class QueryPlanTests(ServerFixture fixture)
{
    private async Task<List<string>> PlanAsync(byte[]? hash, RangeBounds range, KeySpaceRow? start, bool forward)
    {
        var name = await SdkItemTests.CreateTableAsync(fixture.Client, fixture.NewTableName(), withRange: true);
        var space = new TableKeySpace(fixture.Server.Store.GetTable(name));
        return fixture.Server.Store.Read(session =>
        {
            using var command = space.CreateCommand(session.Connection, hash, range, start, forward);
            command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
            var details = new List<string>();
            using var reader = command.ExecuteReader();
            while (reader.Read()) details.Add(reader.GetString(3));
            return details;
        });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ASortKeyRangeIsAPrimaryKeySearchWithoutSorting(bool forward)
    {
        var plan = await PlanAsync([1, 2], new RangeBounds([3], true, [9], false), new KeySpaceRow([1, 2], [4], [1, 2], [4], 0, []), forward);
        var detail = Assert.Single(plan);
        Assert.StartsWith("SEARCH items USING PRIMARY KEY (table_id=? AND hash_key=? AND range_key>? AND range_key<?)", detail);
    }

    [Fact]
    public async Task AWholePartitionIsAPrimaryKeySearch()
    {
        var detail = Assert.Single(await PlanAsync([1], default, null, forward: true));
        Assert.StartsWith("SEARCH items USING PRIMARY KEY (table_id=? AND hash_key=?)", detail);
    }
}
