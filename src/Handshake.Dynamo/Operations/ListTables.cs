using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>ListTables: names in ascending order, paged by Limit (1-100) and ExclusiveStartTableName.</summary>
internal static class ListTables
{
    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        string? start = null;
        long? limit = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("ExclusiveStartTableName"u8)) { if (JsonRequest.ValueOf(ref reader)) start = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("Limit"u8)) { if (JsonRequest.ValueOf(ref reader)) limit = JsonRequest.ReadLong(ref reader, JsonShape.Integer); }
            else JsonRequest.SkipValue(ref reader);
        }
        var errors = new ValidationErrors();
        if (start is not null)
        {
            // A name only: unlike TableName elsewhere, AWS does not take an ARN here and refuses it by the pattern
            // (ack-api-quirks DDB-TABLE-072, captured from AWS).
            if (!TableNames.MatchesPattern(start)) errors.Add(start, "exclusiveStartTableName", "Member must satisfy regular expression pattern: " + TableNames.Pattern);
            if (start.Length < 3) errors.Add(start, "exclusiveStartTableName", "Member must have length greater than or equal to 3");
            if (start.Length > 255) errors.Add(start, "exclusiveStartTableName", "Member must have length less than or equal to 255");
        }
        if (limit is < 1) errors.Add(limit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "limit", "Member must have value greater than or equal to 1");
        if (limit is > 100) errors.Add(limit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "limit", "Member must have value less than or equal to 100");
        errors.ThrowIfAny();

        int max = (int)(limit ?? 100);
        var names = store.Catalog.SortedNames();
        int first = 0;
        if (start is not null)
        {
            while (first < names.Count && string.CompareOrdinal(names[first], start) <= 0) first++;
        }
        int end = Math.Min(names.Count, first + max);
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartArray("TableNames"u8);
        for (int i = first; i < end; i++) w.WriteStringValue(names[i]);
        w.WriteEndArray();
        if (end < names.Count && end > first) w.WriteString("LastEvaluatedTableName"u8, names[end - 1]);
        w.WriteEndObject();
        return Task.CompletedTask;
    }
}
