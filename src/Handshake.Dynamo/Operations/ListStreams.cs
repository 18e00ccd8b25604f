using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// ListStreams (DynamoDB Streams): the streams still describable, optionally of one table, in ARN order, paged by
/// Limit (at most 100 a page) and ExclusiveStartStreamArn. A deleted table's stream is listed until it is forgotten.
/// </summary>
internal static class ListStreams
{
    private const int MaxLimit = 100;

    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        string? tableName = null, start = null;
        long? limit = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("TableName"u8)) { if (JsonRequest.ValueOf(ref reader)) tableName = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ExclusiveStartStreamArn"u8)) { if (JsonRequest.ValueOf(ref reader)) start = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("Limit"u8)) { if (JsonRequest.ValueOf(ref reader)) limit = JsonRequest.ReadLong(ref reader, JsonShape.Integer); }
            else JsonRequest.SkipValue(ref reader);
        }
        var errors = new ValidationErrors();
        if (tableName is not null)
        {
            if (!TableNames.MatchesPattern(tableName)) errors.Add(tableName, "tableName", "Member must satisfy regular expression pattern: " + TableNames.Pattern);
            if (tableName.Length < 3) errors.Add(tableName, "tableName", "Member must have length greater than or equal to 3");
            if (tableName.Length > 255) errors.Add(tableName, "tableName", "Member must have length less than or equal to 255");
        }
        StreamRequests.Limit(errors, limit, long.MaxValue);
        StreamRequests.StreamArn(errors, start, "exclusiveStartStreamArn", required: false);
        errors.ThrowIfAny();

        var streams = store.Streams.InCreationOrder();
        streams.Sort(static (a, b) => string.CompareOrdinal(a.Arn, b.Arn));
        int max = (int)Math.Min(limit ?? MaxLimit, MaxLimit);
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartArray("Streams"u8);
        int written = 0;
        string? last = null;
        bool more = false;
        foreach (var stream in streams)
        {
            if (tableName is not null && stream.TableName != tableName) continue;
            if (start is not null && string.CompareOrdinal(stream.Arn, start) <= 0) continue;
            if (written == max)
            {
                more = true;
                break;
            }
            w.WriteStartObject();
            w.WriteString("StreamArn"u8, stream.Arn);
            w.WriteString("TableName"u8, stream.TableName);
            w.WriteString("StreamLabel"u8, stream.Label);
            w.WriteEndObject();
            last = stream.Arn;
            written++;
        }
        w.WriteEndArray();
        if (more) w.WriteString("LastEvaluatedStreamArn"u8, last);
        w.WriteEndObject();
        return Task.CompletedTask;
    }
}
