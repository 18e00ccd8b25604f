using Handshake.Clients.Tests.Infrastructure;

namespace Handshake.Clients.Tests;

public sealed class NodeSdkV3StreamsRun() : OracleRuns("node", "dynamodb-streams-v3.js");

/// <summary>@aws-sdk/client-dynamodb-streams v3 on the store's endpoint, through tests/clients/dynamodb-streams-v3.js.</summary>
public sealed class NodeSdkV3StreamsTests(NodeSdkV3StreamsRun run) : IClassFixture<NodeSdkV3StreamsRun>
{
    [Theory, BothStores]
    public void Records_of_insert_modify_and_remove_parse_with_images_and_binary(StoreMode mode)
    {
        var report = run.For(mode);
        Assert.Equal(0, report.Stat("retriedCalls"));
        Assert.Equal(0, report.Stat("unmodeledErrors"));
        Assert.Equal("NEW_AND_OLD_IMAGES", JsonAssert.Text(report.Value("createTable"), "TableDescription.StreamSpecification.StreamViewType"));
        Assert.Equal("v3-stream", JsonAssert.Text(report.Value("listStreams")[0], "TableName"));
        Assert.Equal("ENABLED", JsonAssert.Text(report.Value("describeStream"), "StreamStatus"));
        // The same put twice and a delete of the deleted item add nothing; binary values come back as bytes.
        const string V1 = """{"pk":{"S":"a"},"n":{"N":"1"},"b":{"B":{"$binary":"AAH/"}}}""";
        const string V2 = """{"pk":{"S":"a"},"n":{"N":"2"},"b":{"B":{"$binary":"AAH/"}}}""";
        JsonAssert.Equal(
            "[{\"eventName\":\"INSERT\",\"Keys\":{\"pk\":{\"S\":\"a\"}},\"NewImage\":" + V1 + "},"
            + "{\"eventName\":\"MODIFY\",\"Keys\":{\"pk\":{\"S\":\"a\"}},\"NewImage\":" + V2 + ",\"OldImage\":" + V1 + "},"
            + "{\"eventName\":\"REMOVE\",\"Keys\":{\"pk\":{\"S\":\"a\"}},\"OldImage\":" + V2 + "}]",
            report.Value("records"));
        foreach (var fields in report.Value("recordFields").EnumerateArray())
        {
            Assert.Equal("aws:dynamodb", JsonAssert.Text(fields, "eventSource"));
            Assert.Equal("1.1", JsonAssert.Text(fields, "eventVersion"));
            Assert.True(JsonAssert.At(fields, "creationIsDate").GetBoolean());
            Assert.Equal(21, JsonAssert.Number(fields, "sequenceDigits"));
            Assert.True(JsonAssert.Number(fields, "sizeBytes") > 0);
        }
        Assert.True(report.Value("disabledClosed").GetBoolean());
    }

    [Theory, BothStores]
    public void Errors_are_the_modeled_exception_classes(StoreMode mode)
    {
        var report = run.For(mode);
        var missing = report.Error("describeMissing");
        Assert.Equal("ResourceNotFoundException", missing.Class);
        Assert.Equal("Requested resource not found: Stream: arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2020-01-01T00:00:00.000 not found", missing.Message);
        var iterator = report.Error("badIterator");
        Assert.Equal("ValidationException", iterator.Code);
        Assert.Equal("Invalid ShardIterator", iterator.Message);
        Assert.Equal(400, iterator.Status);
    }
}
