using System.Diagnostics;
using System.Text.Json;

namespace Handshake.Dynamo.Tests.QueryScan;

/// <summary>
/// boto3's resource API builds expressions with its own placeholders (#n0, :v0) from Key/Attr condition builders;
/// a Python child process drives Query, Scan and conditional updates with them and prints what it got.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class Boto3ConditionBuilderTests(ServerFixture fixture)
{
    private const string Script = """
        import json, sys, decimal
        import boto3
        from boto3.dynamodb.conditions import Key, Attr
        from botocore.exceptions import ClientError
        db = boto3.resource("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1",
                            aws_access_key_id="AKIDTEST", aws_secret_access_key="secret")
        table = db.Table(sys.argv[2])
        with table.batch_writer() as batch:
            for i in range(10):
                batch.put_item(Item={"pk": "p", "sk": i, "v": i % 2, "name": "n%d" % i, "tags": {"a", "b%d" % i}})
        out = {}
        r = table.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").between(2, 7),
                        FilterExpression=Attr("v").eq(0) & Attr("name").begins_with("n") & Attr("tags").contains("a"))
        out["query"] = [int(i["sk"]) for i in r["Items"]]
        out["scanned"] = r["ScannedCount"]
        r = table.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").lt(3), ScanIndexForward=False,
                        ProjectionExpression="sk")
        out["reverse"] = [int(i["sk"]) for i in r["Items"]]
        r = table.scan(FilterExpression=Attr("sk").is_in([1, 4, 9]) | (Attr("missing").not_exists() & Attr("sk").gt(8)))
        out["scan"] = sorted(int(i["sk"]) for i in r["Items"])
        r = table.update_item(Key={"pk": "p", "sk": 1}, UpdateExpression="ADD #c :one SET #n = if_not_exists(#n, :d)",
                              ConditionExpression=Attr("v").eq(1) & Attr("sk").lte(1),
                              ExpressionAttributeNames={"#c": "count", "#n": "name"},
                              ExpressionAttributeValues={":one": 1, ":d": "x"}, ReturnValues="UPDATED_NEW")
        out["updated"] = {k: str(v) for k, v in r["Attributes"].items()}
        try:
            table.update_item(Key={"pk": "p", "sk": 2}, UpdateExpression="SET v = :x",
                              ConditionExpression=Attr("v").ne(0), ExpressionAttributeValues={":x": 5})
            out["failed"] = None
        except ClientError as e:
            out["failed"] = e.response["Error"]["Code"]
        out["unchanged"] = int(table.get_item(Key={"pk": "p", "sk": 2})["Item"]["v"])
        print(json.dumps(out, separators=(",", ":")))
        """;

    [Fact]
    public async Task KeyAndAttrBuildersWork()
    {
        var table = await SdkItemTests.CreateTableAsync(fixture.Client, fixture.NewTableName(), withRange: true);
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(fixture.Server.Endpoint.ToString());
        start.ArgumentList.Add(table);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        var output = await stdout.WaitAsync(ServerFixture.Timeout);
        Assert.True(process.ExitCode == 0, await stderr.WaitAsync(ServerFixture.Timeout));
        using var doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var r = doc.RootElement;
        Assert.Equal("[2,4,6]", r.GetProperty("query").GetRawText());
        Assert.Equal(6, r.GetProperty("scanned").GetInt32());
        Assert.Equal("[2,1,0]", r.GetProperty("reverse").GetRawText());
        Assert.Equal("[1,4,9]", r.GetProperty("scan").GetRawText());
        Assert.Equal("""{"count":"1","name":"n1"}""", r.GetProperty("updated").GetRawText());
        Assert.Equal("ConditionalCheckFailedException", r.GetProperty("failed").GetString());
        Assert.Equal(0, r.GetProperty("unchanged").GetInt32());
    }
}
