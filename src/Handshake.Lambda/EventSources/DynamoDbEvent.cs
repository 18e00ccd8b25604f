using System.Text;
using System.Text.Json;
using Handshake.Dynamo;

namespace Handshake.Lambda.EventSources;

/// <summary>
/// Lambda's DynamoDB event: {"Records":[...]}, each record the stream record exactly as GetRecords returns it
/// (eventID, eventName, eventVersion 1.1, eventSource, awsRegion, dynamodb, and userIdentity for TTL deletions) plus
/// eventSourceARN, the stream's ARN. The stored record JSON is copied, not re-encoded, but for one thing: a TTL
/// removal's userIdentity, which the Streams API spells {"PrincipalId","Type"} and Lambda's event {"principalId","type"}.
/// </summary>
internal static class DynamoDbEvent
{
    /// <summary>Lambda's limit on a synchronous invocation's request payload: a batch is cut before it passes it.</summary>
    public const int MaxPayloadBytes = 6 * 1024 * 1024;

    private static readonly byte[] Prefix = "{\"Records\":["u8.ToArray();
    private static readonly byte[] Suffix = "]}"u8.ToArray();

    /// <summary>The store writes a TTL removal's identity as exactly these bytes (StreamRecordWriter).</summary>
    private static readonly byte[] StreamsIdentity = "\"userIdentity\":{\"PrincipalId\":\"dynamodb.amazonaws.com\",\"Type\":"u8.ToArray();

    /// <summary><c>,"eventSourceARN":"ARN"}</c>: what replaces each stored record's closing brace.</summary>
    public static byte[] RecordSuffix(string streamArn) =>
        Encoding.UTF8.GetBytes(",\"eventSourceARN\":\"" + JsonEncodedText.Encode(streamArn).ToString() + "\"}");

    /// <summary>The bytes record <paramref name="record"/> adds to an event (with its comma).</summary>
    public static int Size(StreamFeedRecord record, byte[] recordSuffix) => record.Json.Length - 1 + recordSuffix.Length + 1;

    /// <summary>How many of the records, from the first, fit in one payload (at least one).</summary>
    public static int FittingCount(List<StreamFeedRecord> records, byte[] recordSuffix)
    {
        long total = Prefix.Length + Suffix.Length;
        for (int i = 0; i < records.Count; i++)
        {
            total += Size(records[i], recordSuffix);
            if (total > MaxPayloadBytes)
            {
                return Math.Max(1, i);
            }
        }

        return records.Count;
    }

    public static byte[] Build(List<StreamFeedRecord> records, int start, int count, byte[] recordSuffix)
    {
        int length = Prefix.Length + Suffix.Length;
        for (int i = start; i < start + count; i++)
        {
            length += Size(records[i], recordSuffix);
        }

        byte[] payload = new byte[length - (count > 0 ? 1 : 0)];
        Span<byte> span = payload;
        Prefix.CopyTo(span);
        int at = Prefix.Length;
        for (int i = start; i < start + count; i++)
        {
            if (i > start)
            {
                span[at++] = (byte)',';
            }

            byte[] json = records[i].Json;
            // A stored record is one JSON object: everything but its closing brace, then eventSourceARN and the brace.
            json.AsSpan(0, json.Length - 1).CopyTo(span[at..]);
            LowerIdentityNames(span.Slice(at, json.Length - 1));
            at += json.Length - 1;
            recordSuffix.CopyTo(span[at..]);
            at += recordSuffix.Length;
        }

        Suffix.CopyTo(span[at..]);
        return payload;
    }

    /// <summary>
    /// One record exactly as <see cref="Build"/> puts it in an event (eventSourceARN added, Lambda's userIdentity names):
    /// what a filter pattern is matched against.
    /// </summary>
    public static byte[] Record(StreamFeedRecord record, byte[] recordSuffix)
    {
        byte[] json = record.Json;
        byte[] lambda = new byte[json.Length - 1 + recordSuffix.Length];
        json.AsSpan(0, json.Length - 1).CopyTo(lambda);
        LowerIdentityNames(lambda.AsSpan(0, json.Length - 1));
        recordSuffix.CopyTo(lambda.AsSpan(json.Length - 1));
        return lambda;
    }

    /// <summary>PrincipalId and Type become principalId and type, in place (same length), in a copied record.</summary>
    private static void LowerIdentityNames(Span<byte> record)
    {
        int found = record.IndexOf(StreamsIdentity);
        if (found < 0)
        {
            return;
        }

        Span<byte> identity = record[found..];
        identity["\"userIdentity\":{\"".Length] = (byte)'p';
        identity["\"userIdentity\":{\"PrincipalId\":\"dynamodb.amazonaws.com\",\"".Length] = (byte)'t';
    }

    /// <summary>
    /// The index in the batch of the lowest failed record a ReportBatchItemFailures answer names; -1 when it reports
    /// none (an empty or null answer, no batchItemFailures, a null or empty list, or valid JSON that is not an
    /// object); 0 (the whole batch) when the answer is not valid JSON, batchItemFailures is not a list, or an
    /// itemIdentifier is missing, empty or names no record of the batch, as Lambda treats those.
    /// </summary>
    public static int FirstFailure(ReadOnlyMemory<byte> answer, List<StreamFeedRecord> records, int start, int count)
    {
        if (answer.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return -1;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(answer);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("batchItemFailures", out JsonElement failures)
                || failures.ValueKind == JsonValueKind.Null)
            {
                return -1;
            }

            if (failures.ValueKind != JsonValueKind.Array)
            {
                return 0;
            }

            int lowest = -1;
            foreach (JsonElement failure in failures.EnumerateArray())
            {
                if (failure.ValueKind != JsonValueKind.Object
                    || !failure.TryGetProperty("itemIdentifier", out JsonElement id)
                    || id.ValueKind != JsonValueKind.String
                    || !StreamFeed.TryParseSequence(id.GetString()!, out long sequence))
                {
                    return 0;
                }

                int index = IndexOf(records, start, count, sequence);
                if (index < 0)
                {
                    return 0;
                }

                lowest = lowest < 0 ? index : Math.Min(lowest, index);
            }

            return lowest;
        }
        catch (JsonException)
        {
            // Lambda fails the whole batch on an answer that is not JSON: its records are retried, not lost.
            return 0;
        }
    }

    private static int IndexOf(List<StreamFeedRecord> records, int start, int count, long sequence)
    {
        for (int i = 0; i < count; i++)
        {
            if (records[start + i].Sequence == sequence)
            {
                return i;
            }
        }

        return -1;
    }
}
