using System.Globalization;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// UpdateContinuousBackups: turns point-in-time recovery on (with RecoveryPeriodInDays, 1 to 35, 35 by default) or off.
/// It is recorded and described only (see <see cref="DescribeContinuousBackups"/>): no restorable history is kept.
/// </summary>
internal static class UpdateContinuousBackups
{
    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
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
        // AWS's text (ack-api-quirks DDB-TABLE-442); that it comes before the table is looked up is inferred.
        if (enabled == false && days is not null)
            throw DynamoException.Validation("Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.");

        var table = DescribeContinuousBackups.Find(store, tableName!);
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
        DescribeContinuousBackups.Write(response, table, now);
    }
}
