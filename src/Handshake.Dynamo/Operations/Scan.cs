using System.IO.Hashing;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// Scan: every item of the table (or index) in key order, a page at a time, optionally one segment of a parallel
/// scan. A segment is chosen by a hash of the partition key, so all items of one partition land in one segment.
/// </summary>
internal static class Scan
{
    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var request = ReadRequest.ParseValidated(body.Span, isScan: true);
        var legacy = request.Legacy;
        LegacyMembers.ThrowIfMixed(
            [(request.ProjectionExpression, "ProjectionExpression"), (request.FilterExpression, "FilterExpression")],
            [(legacy.AttributesToGet, "AttributesToGet"), (legacy.ScanFilter, "ScanFilter"), (legacy.ConditionalOperator, "ConditionalOperator")]);
        var legacyFilter = LegacyConditions.FromFilter(legacy.ScanFilter, legacy.ConditionalOperator);
        request.ThrowIfStartKeyInvalid();
        if (request.Segment is not null && request.TotalSegments is null)
            throw DynamoException.Validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
        if (request.TotalSegments is not null && request.Segment is null)
            throw DynamoException.Validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
        if (request.Segment >= request.TotalSegments)
            throw DynamoException.Validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: "
                + request.Segment + " is not less than TotalSegments: " + request.TotalSegments);
        request.CheckValuesHaveAnExpression("FilterExpression", request.FilterExpression is not null);
        var attributes = request.Expressions.Prepare(request.ProjectionExpression is not null || request.FilterExpression is not null, "FilterExpression");
        var (filter, projection) = request.FilterAndProjection(attributes, legacyFilter);

        var table = store.GetTable(request.TableName!);
        var space = KeySpaces.Resolve(table, request, projection);
        int total = (int)(request.TotalSegments ?? 1), segment = (int)(request.Segment ?? 0);
        KeySpaceRow? start = null;
        if (request.ExclusiveStartKey is not null)
        {
            start = ReadPage.StartPosition(space, request.ExclusiveStartKey);
            if (total > 1 && SegmentOf(start.Value.Hash, total) != segment)
                throw DynamoException.Validation("The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: "
                    + total + " Segment: " + segment);
        }
        ReadPage.For(request, filter, projection, total > 1 ? row => SegmentOf(row.Hash, total) == segment : null)
            .Respond(store, response, space, connection => space.Read(connection, null, default, start, forward: true));
        return Task.CompletedTask;
    }

    /// <summary>The segment of a partition key: its hash scaled onto [0, total).</summary>
    public static int SegmentOf(byte[] hashKey, int total) => (int)(((ulong)XxHash32.HashToUInt32(hashKey) * (ulong)total) >> 32);
}
