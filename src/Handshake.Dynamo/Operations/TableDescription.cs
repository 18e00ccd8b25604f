using System.Text.Json;
using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// Writes a TableDescription as CreateTable, DescribeTable, UpdateTable and DeleteTable return it. Status is a
/// parameter: the store finishes every transition at once, so only the response to the call that starts one says
/// CREATING, UPDATING or DELETING, and the next DescribeTable says ACTIVE (or not found), which SDK waiters accept.
/// </summary>
internal static class TableDescription
{
    /// <param name="warmStatus">WarmThroughput.Status: UPDATING only in the response to an UpdateTable that raised it.</param>
    /// <param name="onDemandEcho">
    /// The OnDemandThroughput an UpdateTable response reports instead of the kept one: AWS echoes a -1 that removed a
    /// ceiling there, while DescribeTable leaves the removed member out (ack-api-quirks DDB-TABLE-178).
    /// </param>
    /// <param name="sseEcho">
    /// The SSEDescription an UpdateTable that changes encryption reports instead of the kept one: AWS answers Status
    /// UPDATING with the key the table had before (no SSEType or key when it had the AWS owned key), and only a later
    /// DescribeTable shows the new key or no SSEDescription (ack-api-quirks DDB-TABLE-065, -079, -140, -371).
    /// </param>
    public static void Write(Utf8JsonWriter w, TableDefinition t, string status, string warmStatus = "ACTIVE",
        (long? Read, long? Write)? onDemandEcho = null, (string Status, string? KeyArn)? sseEcho = null)
    {
        w.WriteStartObject();
        w.WriteStartArray("AttributeDefinitions"u8);
        foreach (var a in t.AttributeDefinitions)
        {
            w.WriteStartObject();
            w.WriteString("AttributeName"u8, a.Name);
            w.WriteString("AttributeType"u8, a.Type.ToString());
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("TableName"u8, t.Name);
        WriteKeySchema(w, t.Hash, t.Range);
        w.WriteString("TableStatus"u8, status);
        w.WriteNumber("CreationDateTime"u8, EpochSeconds(t.CreationDateTime));
        w.WriteStartObject("ProvisionedThroughput"u8);
        if (t.LastIncreaseDateTime is { } inc) w.WriteNumber("LastIncreaseDateTime"u8, EpochSeconds(inc));
        if (t.LastDecreaseDateTime is { } dec) w.WriteNumber("LastDecreaseDateTime"u8, EpochSeconds(dec));
        w.WriteNumber("NumberOfDecreasesToday"u8, t.NumberOfDecreasesToday);
        w.WriteNumber("ReadCapacityUnits"u8, t.ReadCapacityUnits);
        w.WriteNumber("WriteCapacityUnits"u8, t.WriteCapacityUnits);
        w.WriteEndObject();
        w.WriteNumber("TableSizeBytes"u8, t.TableSizeBytes);
        w.WriteNumber("ItemCount"u8, t.ItemCount);
        w.WriteString("TableArn"u8, t.Arn);
        w.WriteString("TableId"u8, t.TableId);
        w.WriteStartObject("BillingModeSummary"u8);
        w.WriteString("BillingMode"u8, t.BillingMode);
        if (t.LastUpdateToPayPerRequestDateTime is { } ppr) w.WriteNumber("LastUpdateToPayPerRequestDateTime"u8, EpochSeconds(ppr));
        w.WriteEndObject();
        WriteIndexes(w, t, global: false);
        WriteIndexes(w, t, global: true);
        if (t.Stream is { } stream)
        {
            w.WriteStartObject("StreamSpecification"u8);
            w.WriteBoolean("StreamEnabled"u8, true);
            w.WriteString("StreamViewType"u8, stream.ViewType);
            w.WriteEndObject();
        }
        if (t.LatestStream is { } latest)
        {
            // Still named once disabled: the stream stays readable for 24 hours.
            w.WriteString("LatestStreamLabel"u8, latest.Label);
            w.WriteString("LatestStreamArn"u8, latest.Arn);
        }
        var (sseStatus, keyArn) = sseEcho ?? ("ENABLED", t.KMSMasterKeyArn);
        if (sseEcho is not null || keyArn is not null)
        {
            // A table on the AWS owned key has no SSEDescription, never one saying DISABLED (DDB-TABLE-027, -079).
            w.WriteStartObject("SSEDescription"u8);
            w.WriteString("Status"u8, sseStatus);
            if (keyArn is not null)
            {
                w.WriteString("SSEType"u8, "KMS");
                w.WriteString("KMSMasterKeyArn"u8, keyArn);
            }
            w.WriteEndObject();
        }
        w.WriteBoolean("DeletionProtectionEnabled"u8, t.DeletionProtectionEnabled);
        var (maxRead, maxWrite) = onDemandEcho ?? (t.MaxReadRequestUnits, t.MaxWriteRequestUnits);
        if (maxRead is not null || maxWrite is not null)
        {
            // Only the ceilings that are set: a table with none describes no OnDemandThroughput (DDB-TABLE-028/039).
            w.WriteStartObject("OnDemandThroughput"u8);
            if (maxRead is { } read) w.WriteNumber("MaxReadRequestUnits"u8, read);
            if (maxWrite is { } write) w.WriteNumber("MaxWriteRequestUnits"u8, write);
            w.WriteEndObject();
        }
        w.WriteStartObject("WarmThroughput"u8);
        w.WriteNumber("ReadUnitsPerSecond"u8, t.WarmReadUnitsPerSecond);
        w.WriteNumber("WriteUnitsPerSecond"u8, t.WarmWriteUnitsPerSecond);
        w.WriteString("Status"u8, warmStatus);
        w.WriteEndObject();
        if (t.TableClass is { } tableClass)
        {
            w.WriteStartObject("TableClassSummary"u8);
            w.WriteString("TableClass"u8, tableClass);
            if (t.TableClassUpdateDateTime is { } changed) w.WriteNumber("LastUpdateDateTime"u8, EpochSeconds(changed));
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteIndexes(Utf8JsonWriter w, TableDefinition t, bool global)
    {
        bool any = false;
        foreach (var index in t.Indexes)
        {
            if (index.IsGlobal != global) continue;
            if (!any) w.WriteStartArray(global ? "GlobalSecondaryIndexes"u8 : "LocalSecondaryIndexes"u8);
            any = true;
            w.WriteStartObject();
            w.WriteString("IndexName"u8, index.IndexName);
            WriteKeySchema(w, index.Hash, index.Range);
            w.WriteStartObject("Projection"u8);
            w.WriteString("ProjectionType"u8, index.ProjectionType);
            if (index.NonKeyAttributes is { } nonKey)
            {
                w.WriteStartArray("NonKeyAttributes"u8);
                foreach (var n in nonKey) w.WriteStringValue(n);
                w.WriteEndArray();
            }
            w.WriteEndObject();
            if (global)
            {
                w.WriteString("IndexStatus"u8, index.IndexStatus);
                if (index.IndexStatus == "CREATING") w.WriteBoolean("Backfilling"u8, index.Backfilling);
                w.WriteStartObject("ProvisionedThroughput"u8);
                w.WriteNumber("NumberOfDecreasesToday"u8, 0);
                w.WriteNumber("ReadCapacityUnits"u8, index.ReadCapacityUnits);
                w.WriteNumber("WriteCapacityUnits"u8, index.WriteCapacityUnits);
                w.WriteEndObject();
            }
            w.WriteNumber("IndexSizeBytes"u8, index.IndexSizeBytes);
            w.WriteNumber("ItemCount"u8, index.ItemCount);
            w.WriteString("IndexArn"u8, t.Arn + "/index/" + index.IndexName);
            if (global && (index.MaxReadRequestUnits is not null || index.MaxWriteRequestUnits is not null))
            {
                w.WriteStartObject("OnDemandThroughput"u8);
                if (index.MaxReadRequestUnits is { } maxRead) w.WriteNumber("MaxReadRequestUnits"u8, maxRead);
                if (index.MaxWriteRequestUnits is { } maxWrite) w.WriteNumber("MaxWriteRequestUnits"u8, maxWrite);
                w.WriteEndObject();
            }
            if (global)
            {
                var (warmRead, warmWrite) = IndexWarmThroughput(t.BillingMode, index);
                w.WriteStartObject("WarmThroughput"u8);
                w.WriteNumber("ReadUnitsPerSecond"u8, warmRead);
                w.WriteNumber("WriteUnitsPerSecond"u8, warmWrite);
                w.WriteString("Status"u8, index.IndexStatus);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        if (any) w.WriteEndArray();
    }

    /// <summary>
    /// A GSI's WarmThroughput: what it was created with or an UpdateTable Update action raised it to, else as AWS reports it for an index that
    /// never configured one, the on-demand baseline of 12,000 read and 4,000 write units per second or the index's
    /// provisioned capacity (not the highest it had: README).
    /// </summary>
    public static (long Read, long Write) IndexWarmThroughput(string billingMode, SecondaryIndexDefinition index)
    {
        bool onDemand = billingMode == "PAY_PER_REQUEST";
        long read = onDemand ? WarmThroughputMember.OnDemandRead : index.ReadCapacityUnits;
        long write = onDemand ? WarmThroughputMember.OnDemandWrite : index.WriteCapacityUnits;
        return (Math.Max(read, index.WarmReadUnitsPerSecond ?? 0), Math.Max(write, index.WarmWriteUnitsPerSecond ?? 0));
    }

    /// <summary>
    /// CreateTable's and UpdateTable's check of TableClass. AWS does not answer an unknown class with the model's enum
    /// message but with a text of its own (captured from AWS by the ack-api-quirks project, DDB-TABLE-442; cfn-lint
    /// quotes it for CreateTable), after the model's checks: where among the other checks is inferred.
    /// </summary>
    public static void CheckTableClass(string? tableClass)
    {
        if (tableClass is null or "STANDARD" or "STANDARD_INFREQUENT_ACCESS") return;
        throw Protocol.DynamoException.Validation("Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].");
    }

    public static void WriteKeySchema(Utf8JsonWriter w, KeyAttribute hash, KeyAttribute? range)
    {
        w.WriteStartArray("KeySchema"u8);
        w.WriteStartObject();
        w.WriteString("AttributeName"u8, hash.Name);
        w.WriteString("KeyType"u8, "HASH");
        w.WriteEndObject();
        if (range is not null)
        {
            w.WriteStartObject();
            w.WriteString("AttributeName"u8, range.Name);
            w.WriteString("KeyType"u8, "RANGE");
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static double EpochSeconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;
}
