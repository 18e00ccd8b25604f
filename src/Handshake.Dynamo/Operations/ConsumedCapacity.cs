using System.Text.Json;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>ReturnConsumedCapacity: NONE (the default), TOTAL, or INDEXES (adds the per-table breakdown).</summary>
internal enum CapacityMode : byte
{
    None, Total, Indexes,
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
    /// </remarks>
    public static void WriteValue(Utf8JsonWriter w, CapacityMode mode, string tableName, double units, bool isRead,
        List<Storage.IndexWriteUnits>? indexes = null)
    {
        double total = units;
        if (indexes is not null) foreach (var i in indexes) if (i.Table.Name == tableName) total += i.Units;
        w.WriteStartObject();
        w.WriteString("TableName"u8, tableName);
        w.WriteNumber("CapacityUnits"u8, total);
        w.WriteNumber(isRead ? "ReadCapacityUnits"u8 : "WriteCapacityUnits"u8, total);
        if (mode == CapacityMode.Indexes)
        {
            w.WriteStartObject("Table"u8);
            w.WriteNumber("CapacityUnits"u8, units);
            w.WriteNumber(isRead ? "ReadCapacityUnits"u8 : "WriteCapacityUnits"u8, units);
            w.WriteEndObject();
            if (indexes is not null)
            {
                WriteIndexUnits(w, tableName, indexes, global: true, isRead);
                WriteIndexUnits(w, tableName, indexes, global: false, isRead);
            }
        }
        w.WriteEndObject();
    }

    private static void WriteIndexUnits(Utf8JsonWriter w, string tableName, List<Storage.IndexWriteUnits> indexes, bool global, bool isRead)
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
            w.WriteNumber(isRead ? "ReadCapacityUnits"u8 : "WriteCapacityUnits"u8, value);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    public static void WriteMember(Utf8JsonWriter w, CapacityMode mode, string tableName, double units, bool isRead,
        List<Storage.IndexWriteUnits>? indexes = null)
    {
        if (mode == CapacityMode.None) return;
        w.WritePropertyName("ConsumedCapacity"u8);
        WriteValue(w, mode, tableName, units, isRead, indexes);
    }
}
