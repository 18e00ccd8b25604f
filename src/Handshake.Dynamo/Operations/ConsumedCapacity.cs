using System.Text.Json;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>ReturnConsumedCapacity: NONE (the default), TOTAL, or INDEXES (adds the per-table breakdown).</summary>
internal enum CapacityMode : byte
{
    None, Total, Indexes,
}

/// <summary>
/// Whether a capacity object names its units as read or write beside <c>CapacityUnits</c>. DynamoDB sends that split
/// only for transactions (TransactWriteItems, TransactGetItems); GetItem, PutItem, UpdateItem, DeleteItem, Query,
/// Scan and the batches report <c>CapacityUnits</c> alone, at the top, on <c>Table</c> and on each index
/// (dynamodb-conformance #69, characterised against DynamoDB in eu-west-2; aws-sdk-java #1986 and aws-sdk-go #2699
/// found ReadCapacityUnits null on a Query).
/// </summary>
internal enum CapacitySplit : byte
{
    None, Read, Write,
}

/// <summary>
/// Capacity units by DynamoDB's rules (developer guide, "Read/write capacity mode"): a read costs one unit per 4 KB
/// of item, halved when eventually consistent, and at least one unit (or a half) even for a missing item; a write
/// costs one unit per 1 KB of the larger of the old and new item, at least one.
/// </summary>
internal static class ConsumedCapacity
{
    /// <summary>Checks the member's enum constraint (AWS reports it with the other member constraints).</summary>
    public static void Validate(string? value, ValidationErrors errors) =>
        errors.Enum(value, "returnConsumedCapacity", "INDEXES, TOTAL, NONE", "INDEXES", "TOTAL", "NONE");

    public static CapacityMode Mode(string? value) => value switch
    {
        "TOTAL" => CapacityMode.Total,
        "INDEXES" => CapacityMode.Indexes,
        _ => CapacityMode.None,
    };

    public static double ReadUnits(int itemBytes, bool consistent)
    {
        double units = Math.Max(1, (itemBytes + 4095) / 4096);
        return consistent ? units : units / 2;
    }

    public static double WriteUnits(int oldBytes, int newBytes)
    {
        int bytes = Math.Max(oldBytes, newBytes);
        return Math.Max(1, (bytes + 1023) / 1024);
    }

    /// <summary>Writes one ConsumedCapacity object (the value only; the caller writes the member name or array).</summary>
    /// <remarks>
    /// Index writes (<paramref name="indexes"/>, from <see cref="Storage.WriteContext.TakeIndexUnits"/>) add to the
    /// total; INDEXES mode breaks them down per index under GlobalSecondaryIndexes and LocalSecondaryIndexes.
    /// Entries for other tables are ignored, so a batch can pass all of its units for each table.
    /// <paramref name="requestedName"/> is the table as the request named it, name or ARN, and is what TableName
    /// answers (API reference, ConsumedCapacity.TableName: "If you had specified the Amazon Resource Name (ARN) of a
    /// table in the input, you'll see the table ARN in the response"); null means the plain name.
    /// </remarks>
    public static void WriteValue(Utf8JsonWriter w, CapacityMode mode, string tableName, double units, CapacitySplit split,
        List<Storage.IndexWriteUnits>? indexes = null, string? requestedName = null)
    {
        double total = units;
        if (indexes is not null) foreach (var i in indexes) if (i.Table.Name == tableName) total += i.Units;
        w.WriteStartObject();
        w.WriteString("TableName"u8, requestedName ?? tableName);
        w.WriteNumber("CapacityUnits"u8, total);
        WriteSplit(w, split, total);
        if (mode == CapacityMode.Indexes)
        {
            w.WriteStartObject("Table"u8);
            w.WriteNumber("CapacityUnits"u8, units);
            WriteSplit(w, split, units);
            w.WriteEndObject();
            if (indexes is not null)
            {
                WriteIndexUnits(w, tableName, indexes, global: true, split);
                WriteIndexUnits(w, tableName, indexes, global: false, split);
            }
        }
        w.WriteEndObject();
    }

    private static void WriteIndexUnits(Utf8JsonWriter w, string tableName, List<Storage.IndexWriteUnits> indexes, bool global, CapacitySplit split)
    {
        var perIndex = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var i in indexes)
        {
            if (i.Table.Name != tableName || i.Index.IsGlobal != global) continue;
            perIndex.TryGetValue(i.Index.IndexName, out var sum);
            perIndex[i.Index.IndexName] = sum + i.Units;
        }
        if (perIndex.Count == 0) return;
        w.WriteStartObject(global ? "GlobalSecondaryIndexes"u8 : "LocalSecondaryIndexes"u8);
        foreach (var (name, value) in perIndex)
        {
            w.WriteStartObject(name);
            w.WriteNumber("CapacityUnits"u8, value);
            WriteSplit(w, split, value);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteSplit(Utf8JsonWriter w, CapacitySplit split, double units)
    {
        if (split == CapacitySplit.Read) w.WriteNumber("ReadCapacityUnits"u8, units);
        else if (split == CapacitySplit.Write) w.WriteNumber("WriteCapacityUnits"u8, units);
    }

    /// <summary>The ConsumedCapacity member of a non-transactional operation: <c>CapacityUnits</c> without a split.</summary>
    public static void WriteMember(Utf8JsonWriter w, CapacityMode mode, string tableName, double units,
        List<Storage.IndexWriteUnits>? indexes = null, string? requestedName = null)
    {
        if (mode == CapacityMode.None) return;
        w.WritePropertyName("ConsumedCapacity"u8);
        WriteValue(w, mode, tableName, units, CapacitySplit.None, indexes, requestedName);
    }
}
