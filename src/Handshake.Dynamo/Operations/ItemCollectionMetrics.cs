using System.Globalization;
using System.Text.Json;
using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// ReturnItemCollectionMetrics=SIZE: for a table with a local secondary index, the written item's collection (every
/// item sharing its partition key, plus their local index rows) as ItemCollectionKey and SizeEstimateRangeGB. A table
/// without a local index has no item collections to watch, and AWS then returns nothing (API reference,
/// ItemCollectionMetrics: "If the table does not have any local secondary indexes, this information is not
/// returned").
/// </summary>
internal static class ItemCollectionMetrics
{
    private const double BytesPerGB = 1024d * 1024 * 1024;

    /// <summary>Whether a write to <paramref name="table"/> answers with metrics (the member's value already validated).</summary>
    public static bool Wanted(string? returnItemCollectionMetrics, TableDefinition table)
    {
        if (returnItemCollectionMetrics != "SIZE") return false;
        foreach (var index in table.Indexes) if (!index.IsGlobal) return true;
        return false;
    }

    /// <summary>A single-item write's collection size, measured on the writer thread after it; null when not wanted.</summary>
    public static long? MeasureOne(Storage.WriteContext context, string? returnItemCollectionMetrics, TableDefinition table, byte[] hash) =>
        Wanted(returnItemCollectionMetrics, table) ? context.ItemCollectionBytes(table, hash) : null;

    /// <summary>
    /// AWS documents the range only as a lower and an upper bound "subject to change", and answers [0.0, 1.0] for a
    /// small collection: the whole gigabytes measured, and the next one.
    /// </summary>
    public static (double Lower, double Upper) EstimateRangeGB(long bytes)
    {
        double lower = Math.Floor(bytes / BytesPerGB);
        return (lower, lower + 1);
    }

    /// <summary>One ItemCollectionMetrics object (the value; the caller writes the member name or the array).</summary>
    public static void WriteValue(Utf8JsonWriter w, TableDefinition table, byte[] hash, long bytes)
    {
        w.WriteStartObject();
        w.WriteStartObject("ItemCollectionKey"u8);
        w.WritePropertyName(table.Hash.Name);
        Protocol.AttributeValueJson.Write(w, PrimaryKey.Decode(table.Hash.Type, hash));
        w.WriteEndObject();
        var (lower, upper) = EstimateRangeGB(bytes);
        w.WriteStartArray("SizeEstimateRangeGB"u8);
        // As AWS writes them: 0.0, not 0.
        w.WriteRawValue(lower.ToString("0.0", CultureInfo.InvariantCulture));
        w.WriteRawValue(upper.ToString("0.0", CultureInfo.InvariantCulture));
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The member a single-item write adds; nothing when <paramref name="bytes"/> is null (not wanted).</summary>
    public static void WriteMember(Utf8JsonWriter w, TableDefinition table, byte[] hash, long? bytes)
    {
        if (bytes is not { } measured) return;
        w.WritePropertyName("ItemCollectionMetrics"u8);
        WriteValue(w, table, hash, measured);
    }

    /// <summary>
    /// The member BatchWriteItem and TransactWriteItems add: per table, one entry per item collection written, in
    /// request order. Nothing when no written table has a local index. Each table is keyed as the request named it,
    /// name or ARN (API reference, BatchWriteItem ItemCollectionMetrics: "Each entry in this map consists of a table
    /// name or table ARN"), so a table named both ways in one request answers under both keys.
    /// </summary>
    public static void WritePerTable(Utf8JsonWriter w, List<(TableDefinition Table, string RequestedName, byte[] Hash, long Bytes)> collections)
    {
        if (collections.Count == 0) return;
        w.WriteStartObject("ItemCollectionMetrics"u8);
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, requested, _, _) in collections)
        {
            if (!written.Add(requested)) continue;
            w.WriteStartArray(requested);
            foreach (var c in collections) if (c.RequestedName == requested) WriteValue(w, c.Table, c.Hash, c.Bytes);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>
    /// Measures, on the writer thread after the writes, each distinct collection the writes touched on tables that
    /// want metrics, once per name the request gave its table.
    /// </summary>
    public static List<(TableDefinition Table, string RequestedName, byte[] Hash, long Bytes)> Measure(Storage.WriteContext context, string? returnItemCollectionMetrics,
        IEnumerable<(TableDefinition Table, string RequestedName, byte[] Hash)> written)
    {
        var result = new List<(TableDefinition, string, byte[], long)>();
        if (returnItemCollectionMetrics != "SIZE") return result;
        var seen = new HashSet<(string, string)>();
        foreach (var (table, requested, hash) in written)
        {
            if (!Wanted(returnItemCollectionMetrics, table) || !seen.Add((requested, Convert.ToBase64String(hash)))) continue;
            result.Add((table, requested, hash, context.ItemCollectionBytes(table, hash)));
        }
        return result;
    }
}
