using System.Globalization;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// DescribeContinuousBackups and UpdateContinuousBackups. Terraform's aws_dynamodb_table reads the first on every
/// refresh (point_in_time_recovery; it tolerates UnknownOperationException, but then an enabled PITR never converges)
/// and calls the second when PITR is configured. Continuous backups are ENABLED on every
/// table, as AWS documents; point-in-time recovery is DISABLED until UpdateContinuousBackups enables it, and is then
/// recorded and described only: the store keeps no restorable history (RestoreTableToPointInTime is not an operation).
/// A missing table is TableNotFoundException here, not ResourceNotFoundException, as in DynamoDB's model.
/// </summary>
internal static class ContinuousBackups
{
    public static Task DescribeAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var table = Find(store, TableNameRequest.Parse(body.Span));
        Write(response, table, store.Clock.GetUtcNow());
        return Task.CompletedTask;
    }

    public static async Task UpdateAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        string? tableName = null;
        bool hasSpecification = false;
        bool? enabled = null;
        long? days = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("TableName"u8)) { if (JsonRequest.ValueOf(ref reader)) tableName = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("PointInTimeRecoverySpecification"u8))
            {
                if (!JsonRequest.ValueOf(ref reader)) continue;
                JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
                hasSpecification = true;
                while (JsonRequest.NextMember(ref reader))
                {
                    if (reader.ValueTextEquals("PointInTimeRecoveryEnabled"u8)) { if (JsonRequest.ValueOf(ref reader)) enabled = JsonRequest.ReadBoolean(ref reader); }
                    else if (reader.ValueTextEquals("RecoveryPeriodInDays"u8)) { if (JsonRequest.ValueOf(ref reader)) days = JsonRequest.ReadLong(ref reader, JsonShape.Integer); }
                    else JsonRequest.SkipValue(ref reader);
                }
            }
            else JsonRequest.SkipValue(ref reader);
        }
        var errors = new ValidationErrors();
        errors.TableNameOrArn(tableName);
        if (!hasSpecification) errors.Add(null, "pointInTimeRecoverySpecification", "Member must not be null");
        else
        {
            errors.NotNull(enabled, "pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled");
            if (days is < 1) errors.Add(days.Value.ToString(CultureInfo.InvariantCulture), "pointInTimeRecoverySpecification.recoveryPeriodInDays", "Member must have value greater than or equal to 1");
            if (days is > 35) errors.Add(days.Value.ToString(CultureInfo.InvariantCulture), "pointInTimeRecoverySpecification.recoveryPeriodInDays", "Member must have value less than or equal to 35");
        }
        errors.ThrowIfAny();

        var table = Find(store, tableName!);
        var now = store.Clock.GetUtcNow();
        await store.WriteAsync(new UpdateTableMetadataCommand(table, t =>
        {
            if (enabled!.Value)
            {
                if (!t.PointInTimeRecoveryEnabled) t.PointInTimeRecoveryEnabledDateTime = now;
                t.PointInTimeRecoveryEnabled = true;
                t.RecoveryPeriodInDays = (int)(days ?? t.RecoveryPeriodInDays);
            }
            else
            {
                t.PointInTimeRecoveryEnabled = false;
                t.PointInTimeRecoveryEnabledDateTime = null;
                t.RecoveryPeriodInDays = 35;
            }
        })).ConfigureAwait(false);
        Write(response, table, now);
    }

    private static TableDefinition Find(DynamoStore store, string nameOrArn)
    {
        var name = TableNames.FromNameOrArn(nameOrArn);
        if (store.Catalog.TryGet(name, out var table)) return table;
        throw new DynamoException(DynamoErrorCode.TableNotFoundException, "Table not found: " + name);
    }

    private static void Write(ResponseBuffer response, TableDefinition table, DateTimeOffset now)
    {
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartObject("ContinuousBackupsDescription"u8);
        w.WriteString("ContinuousBackupsStatus"u8, "ENABLED");
        w.WriteStartObject("PointInTimeRecoveryDescription"u8);
        if (table.PointInTimeRecoveryEnabled)
        {
            w.WriteString("PointInTimeRecoveryStatus"u8, "ENABLED");
            w.WriteNumber("RecoveryPeriodInDays"u8, table.RecoveryPeriodInDays);
            var earliest = table.PointInTimeRecoveryEnabledDateTime ?? now;
            var window = now - TimeSpan.FromDays(table.RecoveryPeriodInDays);
            if (window > earliest) earliest = window;
            w.WriteNumber("EarliestRestorableDateTime"u8, TableDescription.EpochSeconds(earliest));
            w.WriteNumber("LatestRestorableDateTime"u8, TableDescription.EpochSeconds(now));
        }
        else w.WriteString("PointInTimeRecoveryStatus"u8, "DISABLED");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
