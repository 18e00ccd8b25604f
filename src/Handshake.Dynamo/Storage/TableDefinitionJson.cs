using System.Text.Json;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// The persisted form of a table's metadata: a small JSON document in the <c>tables</c> row. Read only at open, so
/// JsonDocument (no reflection) is plenty; counters live in their own columns so a write never rewrites this.
/// </summary>
internal static class TableDefinitionJson
{
    public static byte[] Serialize(TableDefinition t)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, AttributeValueJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("TableId", t.TableId);
            w.WriteString("TableArn", t.Arn);
            w.WriteNumber("CreationDateTime", t.CreationDateTime.ToUnixTimeMilliseconds());
            WriteKey(w, "Hash", t.Hash);
            if (t.Range is not null) WriteKey(w, "Range", t.Range);
            w.WriteStartArray("AttributeDefinitions");
            foreach (var a in t.AttributeDefinitions) WriteKey(w, null, a);
            w.WriteEndArray();
            w.WriteStartArray("Indexes");
            foreach (var i in t.Indexes)
            {
                w.WriteStartObject();
                w.WriteString("IndexName", i.IndexName);
                w.WriteBoolean("IsGlobal", i.IsGlobal);
                WriteKey(w, "Hash", i.Hash);
                if (i.Range is not null) WriteKey(w, "Range", i.Range);
                w.WriteString("ProjectionType", i.ProjectionType);
                if (i.NonKeyAttributes is not null)
                {
                    w.WriteStartArray("NonKeyAttributes");
                    foreach (var n in i.NonKeyAttributes) w.WriteStringValue(n);
                    w.WriteEndArray();
                }
                w.WriteNumber("ReadCapacityUnits", i.ReadCapacityUnits);
                w.WriteNumber("WriteCapacityUnits", i.WriteCapacityUnits);
                w.WriteString("IndexStatus", i.IndexStatus);
                if (i.MaxReadRequestUnits is { } indexMaxRead) w.WriteNumber("MaxReadRequestUnits", indexMaxRead);
                if (i.MaxWriteRequestUnits is { } indexMaxWrite) w.WriteNumber("MaxWriteRequestUnits", indexMaxWrite);
                if (i.WarmReadUnitsPerSecond is { } indexWarmRead) w.WriteNumber("WarmReadUnitsPerSecond", indexWarmRead);
                if (i.WarmWriteUnitsPerSecond is { } indexWarmWrite) w.WriteNumber("WarmWriteUnitsPerSecond", indexWarmWrite);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("BillingMode", t.BillingMode);
            w.WriteNumber("ReadCapacityUnits", t.ReadCapacityUnits);
            w.WriteNumber("WriteCapacityUnits", t.WriteCapacityUnits);
            WriteTime(w, "LastIncreaseDateTime", t.LastIncreaseDateTime);
            WriteTime(w, "LastDecreaseDateTime", t.LastDecreaseDateTime);
            WriteTime(w, "LastUpdateToPayPerRequestDateTime", t.LastUpdateToPayPerRequestDateTime);
            w.WriteNumber("NumberOfDecreasesToday", t.NumberOfDecreasesToday);
            w.WriteBoolean("DeletionProtectionEnabled", t.DeletionProtectionEnabled);
            if (t.MaxReadRequestUnits is { } maxRead) w.WriteNumber("MaxReadRequestUnits", maxRead);
            if (t.MaxWriteRequestUnits is { } maxWrite) w.WriteNumber("MaxWriteRequestUnits", maxWrite);
            w.WriteNumber("WarmReadUnitsPerSecond", t.WarmReadUnitsPerSecond);
            w.WriteNumber("WarmWriteUnitsPerSecond", t.WarmWriteUnitsPerSecond);
            if (t.TableClass is not null) w.WriteString("TableClass", t.TableClass);
            WriteTime(w, "TableClassUpdateDateTime", t.TableClassUpdateDateTime);
            if (t.KMSMasterKeyArn is not null) w.WriteString("KMSMasterKeyArn", t.KMSMasterKeyArn);
            w.WriteStartObject("Tags");
            foreach (var (k, v) in t.Tags) w.WriteString(k, v);
            w.WriteEndObject();
            if (t.TimeToLiveAttribute is not null) w.WriteString("TimeToLiveAttribute", t.TimeToLiveAttribute);
            w.WriteBoolean("TimeToLiveEnabled", t.TimeToLiveEnabled);
            if (t.PointInTimeRecoveryEnabled) w.WriteBoolean("PointInTimeRecoveryEnabled", true);
            WriteTime(w, "PointInTimeRecoveryEnabledDateTime", t.PointInTimeRecoveryEnabledDateTime);
            if (t.RecoveryPeriodInDays != 35) w.WriteNumber("RecoveryPeriodInDays", t.RecoveryPeriodInDays);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static TableDefinition Deserialize(long id, string name, string json, long itemCount, long sizeBytes)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        var attributes = new List<KeyAttribute>();
        foreach (var a in r.GetProperty("AttributeDefinitions").EnumerateArray()) attributes.Add(ReadKey(a));
        var indexes = new List<SecondaryIndexDefinition>();
        foreach (var i in r.GetProperty("Indexes").EnumerateArray())
        {
            List<string>? nonKey = null;
            if (i.TryGetProperty("NonKeyAttributes", out var nk))
            {
                nonKey = [];
                foreach (var n in nk.EnumerateArray()) nonKey.Add(n.GetString()!);
            }
            var index = new SecondaryIndexDefinition(
                i.GetProperty("IndexName").GetString()!, i.GetProperty("IsGlobal").GetBoolean(),
                ReadKey(i.GetProperty("Hash")), i.TryGetProperty("Range", out var ir) ? ReadKey(ir) : null,
                i.GetProperty("ProjectionType").GetString()!, nonKey,
                i.GetProperty("ReadCapacityUnits").GetInt64(), i.GetProperty("WriteCapacityUnits").GetInt64())
            {
                MaxReadRequestUnits = i.TryGetProperty("MaxReadRequestUnits", out var iMaxRead) ? iMaxRead.GetInt64() : null,
                MaxWriteRequestUnits = i.TryGetProperty("MaxWriteRequestUnits", out var iMaxWrite) ? iMaxWrite.GetInt64() : null,
                WarmReadUnitsPerSecond = i.TryGetProperty("WarmReadUnitsPerSecond", out var iWarmRead) ? iWarmRead.GetInt64() : null,
                WarmWriteUnitsPerSecond = i.TryGetProperty("WarmWriteUnitsPerSecond", out var iWarmWrite) ? iWarmWrite.GetInt64() : null,
            };
            // An index still CREATING when the store stopped is backfilled again from the start (idempotent).
            if (i.TryGetProperty("IndexStatus", out var status) && status.GetString() == "CREATING")
            {
                index.IndexStatus = "CREATING";
                index.Backfilling = true;
            }
            indexes.Add(index);
        }
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in r.GetProperty("Tags").EnumerateObject()) tags[tag.Name] = tag.Value.GetString()!;
        var table = new TableDefinition
        {
            InternalId = id,
            Name = name,
            TableId = r.GetProperty("TableId").GetString()!,
            Arn = r.GetProperty("TableArn").GetString()!,
            CreationDateTime = DateTimeOffset.FromUnixTimeMilliseconds(r.GetProperty("CreationDateTime").GetInt64()),
            Hash = ReadKey(r.GetProperty("Hash")),
            Range = r.TryGetProperty("Range", out var range) ? ReadKey(range) : null,
            AttributeDefinitions = attributes,
            Indexes = indexes,
            BillingMode = r.GetProperty("BillingMode").GetString()!,
            ReadCapacityUnits = r.GetProperty("ReadCapacityUnits").GetInt64(),
            WriteCapacityUnits = r.GetProperty("WriteCapacityUnits").GetInt64(),
            LastIncreaseDateTime = ReadTime(r, "LastIncreaseDateTime"),
            LastDecreaseDateTime = ReadTime(r, "LastDecreaseDateTime"),
            LastUpdateToPayPerRequestDateTime = ReadTime(r, "LastUpdateToPayPerRequestDateTime"),
            NumberOfDecreasesToday = r.GetProperty("NumberOfDecreasesToday").GetInt32(),
            DeletionProtectionEnabled = r.GetProperty("DeletionProtectionEnabled").GetBoolean(),
            MaxReadRequestUnits = r.TryGetProperty("MaxReadRequestUnits", out var maxRead) ? maxRead.GetInt64() : null,
            MaxWriteRequestUnits = r.TryGetProperty("MaxWriteRequestUnits", out var maxWrite) ? maxWrite.GetInt64() : null,
            Tags = tags,
            TableClass = r.TryGetProperty("TableClass", out var tableClass) ? tableClass.GetString() : null,
            TableClassUpdateDateTime = ReadTime(r, "TableClassUpdateDateTime"),
            KMSMasterKeyArn = r.TryGetProperty("KMSMasterKeyArn", out var kmsKey) ? kmsKey.GetString() : null,
            TimeToLiveAttribute = r.TryGetProperty("TimeToLiveAttribute", out var ttl) ? ttl.GetString() : null,
            TimeToLiveEnabled = r.GetProperty("TimeToLiveEnabled").GetBoolean(),
            PointInTimeRecoveryEnabled = r.TryGetProperty("PointInTimeRecoveryEnabled", out var pitr) && pitr.GetBoolean(),
            PointInTimeRecoveryEnabledDateTime = ReadTime(r, "PointInTimeRecoveryEnabledDateTime"),
            RecoveryPeriodInDays = r.TryGetProperty("RecoveryPeriodInDays", out var days) ? days.GetInt32() : 35,
        };
        // A table written before warm throughput was kept describes what it always did: the on-demand baseline, or
        // its provisioned capacity.
        bool onDemand = table.BillingMode == "PAY_PER_REQUEST";
        table.WarmReadUnitsPerSecond = r.TryGetProperty("WarmReadUnitsPerSecond", out var warmRead) ? warmRead.GetInt64()
            : onDemand ? Operations.WarmThroughputMember.OnDemandRead : table.ReadCapacityUnits;
        table.WarmWriteUnitsPerSecond = r.TryGetProperty("WarmWriteUnitsPerSecond", out var warmWrite) ? warmWrite.GetInt64()
            : onDemand ? Operations.WarmThroughputMember.OnDemandWrite : table.WriteCapacityUnits;
        table.Counters.Set(itemCount, sizeBytes);
        return table;
    }

    private static void WriteKey(Utf8JsonWriter w, string? property, KeyAttribute key)
    {
        if (property is null) w.WriteStartObject(); else w.WriteStartObject(property);
        w.WriteString("Name", key.Name);
        w.WriteString("Type", key.Type.ToString());
        w.WriteEndObject();
    }

    private static KeyAttribute ReadKey(JsonElement e) =>
        new(e.GetProperty("Name").GetString()!, Enum.Parse<AttributeType>(e.GetProperty("Type").GetString()!));

    private static void WriteTime(Utf8JsonWriter w, string property, DateTimeOffset? time)
    {
        if (time is { } t) w.WriteNumber(property, t.ToUnixTimeMilliseconds());
    }

    private static DateTimeOffset? ReadTime(JsonElement r, string property) =>
        r.TryGetProperty(property, out var e) ? DateTimeOffset.FromUnixTimeMilliseconds(e.GetInt64()) : null;
}
