using System.Globalization;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// DescribeContinuousBackups. Terraform's aws_dynamodb_table reads it on every refresh (point_in_time_recovery; it
/// tolerates UnknownOperationException, but then an enabled PITR never converges) and calls UpdateContinuousBackups
/// when PITR is configured. Continuous backups are ENABLED on every table, as AWS documents; point-in-time recovery is
/// DISABLED until UpdateContinuousBackups enables it, and is then recorded and described only: the store keeps no
/// restorable history (RestoreTableToPointInTime is not an operation). A missing table is TableNotFoundException here,
/// not ResourceNotFoundException, as in DynamoDB's model.
/// </summary>
internal static class DescribeContinuousBackups
{
    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var table = Find(store, TableNameRequest.Parse(body.Span));
        Write(response, table, store.Clock.GetUtcNow());
        return Task.CompletedTask;
    }

    internal static TableDefinition Find(DynamoStore store, string nameOrArn)
    {
        var name = TableNames.FromNameOrArn(nameOrArn);
        if (store.Catalog.TryGet(name, out var table)) return table;
        throw new DynamoException(DynamoErrorCode.TableNotFoundException, "Table not found: " + name);
    }

    internal static void Write(ResponseBuffer response, TableDefinition table, DateTimeOffset now)
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
