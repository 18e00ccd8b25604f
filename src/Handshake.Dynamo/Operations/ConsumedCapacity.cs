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
    public static void WriteValue(Utf8JsonWriter w, CapacityMode mode, string tableName, double units, bool isRead)
    {
        w.WriteStartObject();
        w.WriteString("TableName"u8, tableName);
        w.WriteNumber("CapacityUnits"u8, units);
        w.WriteNumber(isRead ? "ReadCapacityUnits"u8 : "WriteCapacityUnits"u8, units);
        if (mode == CapacityMode.Indexes)
        {
            w.WriteStartObject("Table"u8);
            w.WriteNumber("CapacityUnits"u8, units);
            w.WriteNumber(isRead ? "ReadCapacityUnits"u8 : "WriteCapacityUnits"u8, units);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    public static void WriteMember(Utf8JsonWriter w, CapacityMode mode, string tableName, double units, bool isRead)
    {
        if (mode == CapacityMode.None) return;
        w.WritePropertyName("ConsumedCapacity"u8);
        WriteValue(w, mode, tableName, units, isRead);
    }
}
