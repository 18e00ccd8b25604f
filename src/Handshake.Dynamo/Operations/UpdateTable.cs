using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// UpdateTable: billing mode, provisioned throughput, deletion protection, table class, StreamSpecification (a new
/// stream, or the current one disabled), SSESpecification and GlobalSecondaryIndexUpdates, all of a request's changes
/// in one commit. The response says UPDATING (ACTIVE, with the setting itself UPDATING, for an encryption or warm
/// throughput change, as AWS answers those); the change is already complete (a new index's backfill aside), so the
/// next DescribeTable says ACTIVE.
/// </summary>
internal static class UpdateTable
{
    private const string Invalid = "One or more parameter values were invalid: ";

    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        string? tableName = null, billingMode = null, tableClass = null;
        SchemaJson.Throughput? throughput = null;
        bool? deletionProtection = null;
        StreamSpecificationMember? stream = null;
        SSESpecificationMember? sse = null;
        WarmThroughputMember? warm = null;
        OnDemandThroughputMember? onDemand = null;
        List<GlobalSecondaryIndexUpdates.Update>? indexUpdates = null;
        List<(string? Name, string? Type)>? definitions = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("TableName"u8)) { if (JsonRequest.ValueOf(ref reader)) tableName = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("BillingMode"u8)) { if (JsonRequest.ValueOf(ref reader)) billingMode = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ProvisionedThroughput"u8)) { if (JsonRequest.ValueOf(ref reader)) throughput = SchemaJson.ReadThroughput(ref reader); }
            else if (reader.ValueTextEquals("TableClass"u8)) { if (JsonRequest.ValueOf(ref reader)) tableClass = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("DeletionProtectionEnabled"u8)) { if (JsonRequest.ValueOf(ref reader)) deletionProtection = JsonRequest.ReadBoolean(ref reader); }
            else if (reader.ValueTextEquals("GlobalSecondaryIndexUpdates"u8)) { if (JsonRequest.ValueOf(ref reader)) indexUpdates = GlobalSecondaryIndexUpdates.Read(ref reader); }
            else if (reader.ValueTextEquals("AttributeDefinitions"u8)) { if (JsonRequest.ValueOf(ref reader)) definitions = SchemaJson.ReadPairs(ref reader, "AttributeName"u8, "AttributeType"u8); }
            else if (reader.ValueTextEquals("StreamSpecification"u8)) { if (JsonRequest.ValueOf(ref reader)) stream = StreamSpecificationMember.Read(ref reader); }
            else if (reader.ValueTextEquals("SSESpecification"u8)) { if (JsonRequest.ValueOf(ref reader)) sse = SSESpecificationMember.Read(ref reader); }
            else if (reader.ValueTextEquals("WarmThroughput"u8)) { if (JsonRequest.ValueOf(ref reader)) warm = WarmThroughputMember.Read(ref reader); }
            else if (reader.ValueTextEquals("OnDemandThroughput"u8)) { if (JsonRequest.ValueOf(ref reader)) onDemand = OnDemandThroughputMember.Read(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }
        var errors = new ValidationErrors();
        errors.TableNameOrArn(tableName);
        errors.Enum(billingMode, "billingMode", "PROVISIONED, PAY_PER_REQUEST", "PROVISIONED", "PAY_PER_REQUEST");
        SchemaJson.ValidateThroughput(throughput, "provisionedThroughput", errors);
        if (definitions is not null)
        {
            for (int i = 0; i < definitions.Count; i++)
            {
                errors.NotNull(definitions[i].Name, $"attributeDefinitions.{i + 1}.member.attributeName");
                errors.MaxLength(definitions[i].Name, $"attributeDefinitions.{i + 1}.member.attributeName", SchemaJson.MaxKeyAttributeNameLength);
                errors.NotNull(definitions[i].Type, $"attributeDefinitions.{i + 1}.member.attributeType");
                errors.Enum(definitions[i].Type, $"attributeDefinitions.{i + 1}.member.attributeType", "B, N, S", "B", "N", "S");
            }
        }
        if (indexUpdates is not null) GlobalSecondaryIndexUpdates.ValidateMembers(indexUpdates, errors);
        stream?.Validate(errors);
        sse?.Validate(errors);
        errors.ThrowIfAny();
        TableDescription.CheckTableClass(tableClass);
        // An empty {} of either counts as absent, as AWS drops it beside another change (ack-api-quirks DDB-TABLE-456;
        // alone AWS answers HTTP 500, which is not reproduced: the request is answered "At least one of ...").
        if (warm is { IsEmpty: true }) warm = null;
        if (onDemand is { IsEmpty: true }) onDemand = null;
        bool warmThroughput = warm is not null, onDemandThroughput = onDemand is not null;
        bool streamUpdate = stream is not null;
        bool hasIndexUpdates = indexUpdates is { Count: > 0 };
        // AWS's text names every member that makes an update, the ones this store does not model too (captured in
        // us-east-1 and us-west-2 by the ack-api-quirks project, DDB-TABLE-442).
        bool otherChange = billingMode is not null || throughput is not null || deletionProtection is not null || tableClass is not null || streamUpdate || hasIndexUpdates;
        if (!otherChange && sse is null && !warmThroughput && !onDemandThroughput)
            throw DynamoException.Validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required");
        if (throughput is not null) SchemaJson.CheckThroughputBounds(throughput);
        if (hasIndexUpdates) GlobalSecondaryIndexUpdates.ValidateShape(indexUpdates!);
        if (streamUpdate)
        {
            stream!.CheckForUpdateTable();
            if (hasIndexUpdates) throw DynamoException.Validation(Invalid + "You cannot create or delete index while changing stream status");
            if (throughput is not null) throw DynamoException.Validation(Invalid + "You cannot modify stream status while updating table IOPS");
        }
        // AWS's rules for combined requests (each seen on AWS; which one wins when several apply is inferred, except that
        // an SSESpecification beside DeletionProtectionEnabled was seen refused for the SSESpecification). An index
        // update's throughput and a billing switch may go with the table's own changes; these may not.
        if (sse is not null)
        {
            sse.Check();
            if (otherChange || warmThroughput || onDemandThroughput)
                throw DynamoException.Validation(Invalid + "Server-Side Encryption modification must be the only operation in the request");
        }
        // What WarmThroughput and OnDemandThroughput may go with (ack-api-quirks DDB-TABLE-442).
        // Beside an index create AWS words it otherwise (ack-api-quirks DDB-TABLE-174; which text wins when the request
        // also changes something else is inferred).
        if (warmThroughput && hasIndexUpdates && indexUpdates!.Exists(u => u.HasCreate))
            throw DynamoException.Validation(Invalid + "Create global secondary index cannot be specified when updating WarmThroughput");
        if (warmThroughput && (otherChange || onDemandThroughput))
            throw DynamoException.Validation(Invalid + "WarmThroughput must be the only operation in the request");
        if (onDemandThroughput && (throughput is not null || deletionProtection is not null || tableClass is not null || streamUpdate || hasIndexUpdates))
            throw DynamoException.Validation(Invalid + "OnDemandThroughput can only be combined with BillingMode in an UpdateTable request");
        if (hasIndexUpdates && throughput is not null && indexUpdates!.Exists(u => u.HasCreate || u.HasDelete))
            throw DynamoException.Validation(Invalid + "You cannot create or delete index while updating table IOPS");
        if (deletionProtection is not null && (billingMode is not null || throughput is not null || tableClass is not null || streamUpdate || hasIndexUpdates))
            throw DynamoException.Validation(Invalid + "DeletionProtection modification must be the only operation in the request");
        if (tableClass is not null && (billingMode is not null || throughput is not null || streamUpdate || hasIndexUpdates))
            throw DynamoException.Validation(Invalid + "TableClass modification must be the only operation in the request");

        var table = store.GetTable(tableName!, describeMissing: true);
        if (sse is not null)
        {
            await ChangeEncryptionAsync(store, response, table, sse).ConfigureAwait(false);
            return;
        }
        string region = store.Options.Region;
        if (warm is not null)
        {
            // Alone by the rules above. AWS answers TableStatus ACTIVE with WarmThroughput.Status UPDATING (DDB-TABLE-059,
            // -061); the next DescribeTable says ACTIVE. Checked against the current value on the writer thread, so two
            // concurrent raises cannot let a lower one win.
            await store.WriteAsync(new UpdateTableMetadataCommand(table, t =>
                (t.WarmReadUnitsPerSecond, t.WarmWriteUnitsPerSecond) = warm.ResolveForUpdateTable(t.WarmReadUnitsPerSecond, t.WarmWriteUnitsPerSecond, region))).ConfigureAwait(false);
            WriteResponse(response, table, "ACTIVE", warmStatus: "UPDATING");
            return;
        }
        // Billing checks come before anything is written: a request that switches mode and updates indexes is one change.
        string newMode = billingMode ?? table.BillingMode;
        (long? Read, long? Write)? onDemandEcho = null;
        if (!otherChange)
        {
            // OnDemandThroughput alone: merged into the table's ceilings, TableStatus ACTIVE as AWS answers it
            // (DDB-TABLE-178), the response echoing a -1 that removed one.
            onDemand!.CheckForUpdateTable(newMode == "PROVISIONED", region);
            await store.WriteAsync(new UpdateTableMetadataCommand(table, t =>
            {
                (t.MaxReadRequestUnits, t.MaxWriteRequestUnits) = onDemand.Merge(t.MaxReadRequestUnits, t.MaxWriteRequestUnits);
                onDemandEcho = (onDemand.MaxRead == -1 ? -1 : t.MaxReadRequestUnits, onDemand.MaxWrite == -1 ? -1 : t.MaxWriteRequestUnits);
            })).ConfigureAwait(false);
            WriteResponse(response, table, "ACTIVE", onDemandEcho: onDemandEcho);
            return;
        }
        if (newMode == "PAY_PER_REQUEST" && throughput is not null)
            throw DynamoException.Validation(Invalid + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
        if (newMode == "PAY_PER_REQUEST" && indexUpdates is not null && indexUpdates.Exists(u => u.HasUpdate && u.UpdateThroughput is not null))
            throw DynamoException.Validation(Invalid + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
        if (newMode == "PROVISIONED" && table.BillingMode == "PAY_PER_REQUEST")
        {
            if (throughput is null)
                throw DynamoException.Validation(Invalid + "ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
            // Every existing GSI needs its own throughput in the same request (GlobalSecondaryIndexUpdates[].Update).
            foreach (var index in table.Indexes)
            {
                if (index.IsGlobal && !(indexUpdates?.Exists(u => u.HasUpdate && u.UpdateName == index.IndexName && u.UpdateThroughput is not null) ?? false))
                    throw DynamoException.Validation(Invalid + "ProvisionedThroughput must be specified for index: " + index.IndexName);
            }
        }
        // OnDemandThroughput beside BillingMode: checked against the mode the table is switching to (nubo-db/dynoxide#161 runs
        // this check after the two above; that order is not captured).
        onDemand?.CheckForUpdateTable(newMode == "PROVISIONED", region);
        // The index or stream change and the metadata change beside it commit together (CompositeWriteCommand).
        WriteCommand? first = null;
        List<Model.SecondaryIndexDefinition>? created = null;
        if (hasIndexUpdates)
        {
            created = GlobalSecondaryIndexUpdates.Resolve(table, indexUpdates!, definitions, billingMode ?? table.BillingMode, region);
            first = new GlobalSecondaryIndexUpdates.Command(table, indexUpdates!, created, definitions, region);
            if (billingMode is null && throughput is null && deletionProtection is null && tableClass is null)
            {
                await WriteAndRespondAsync(store, response, table, first, created).ConfigureAwait(false);
                return;
            }
        }
        if (throughput is not null && billingMode is null && throughput.Read == table.ReadCapacityUnits && throughput.Write == table.WriteCapacityUnits)
            throw DynamoException.Validation("The provisioned throughput for the table will not change. The requested value equals the current value. "
                + $"Current ReadCapacityUnits provisioned for the table: {table.ReadCapacityUnits}. Requested ReadCapacityUnits: {throughput.Read}. "
                + $"Current WriteCapacityUnits provisioned for the table: {table.WriteCapacityUnits}. Requested WriteCapacityUnits: {throughput.Write}. "
                + "Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.");

        if (throughput is not null) SchemaJson.CheckTableMaximum(throughput, region);
        var now = store.Clock.GetUtcNow();
        if (streamUpdate)
        {
            first = new StreamSpecificationCommand(table, stream!.StreamEnabled!.Value, stream.StreamViewType, now);
            if (billingMode is null && deletionProtection is null && tableClass is null)
            {
                await WriteAndRespondAsync(store, response, table, first, created).ConfigureAwait(false);
                return;
            }
        }
        var metadata = new UpdateTableMetadataCommand(table, t =>
        {
            if (newMode != t.BillingMode)
            {
                t.BillingMode = newMode;
                if (newMode == "PAY_PER_REQUEST")
                {
                    // An on-demand table's warm throughput is at least the on-demand baseline, and stays so after a
                    // switch back (ack-api-quirks DDB-TABLE-061).
                    t.WarmReadUnitsPerSecond = Math.Max(t.WarmReadUnitsPerSecond, WarmThroughputMember.OnDemandRead);
                    t.WarmWriteUnitsPerSecond = Math.Max(t.WarmWriteUnitsPerSecond, WarmThroughputMember.OnDemandWrite);
                    t.LastUpdateToPayPerRequestDateTime = now;
                    t.ReadCapacityUnits = 0;
                    t.WriteCapacityUnits = 0;
                    // On-demand GSIs describe 0/0 too, as AWS shows them.
                    foreach (var index in t.Indexes)
                    {
                        if (!index.IsGlobal) continue;
                        index.ReadCapacityUnits = 0;
                        index.WriteCapacityUnits = 0;
                    }
                }
                else
                {
                    // A provisioned table has no on-demand ceilings (nubo-db/dynoxide#161, captured on AWS); its
                    // indexes' are dropped with them (inferred).
                    t.MaxReadRequestUnits = null;
                    t.MaxWriteRequestUnits = null;
                    foreach (var index in t.Indexes)
                    {
                        index.MaxReadRequestUnits = null;
                        index.MaxWriteRequestUnits = null;
                    }
                }
            }
            if (onDemand is not null)
                (t.MaxReadRequestUnits, t.MaxWriteRequestUnits) = onDemand.Merge(t.MaxReadRequestUnits, t.MaxWriteRequestUnits);
            if (throughput is not null)
            {
                if (throughput.Read > t.ReadCapacityUnits || throughput.Write > t.WriteCapacityUnits) t.LastIncreaseDateTime = now;
                if (throughput.Read < t.ReadCapacityUnits || throughput.Write < t.WriteCapacityUnits)
                {
                    t.LastDecreaseDateTime = now;
                    t.NumberOfDecreasesToday++;
                }
                t.ReadCapacityUnits = throughput.Read!.Value;
                t.WriteCapacityUnits = throughput.Write!.Value;
                // Warm throughput follows the highest capacity ever provisioned, never down (DDB-TABLE-061).
                t.WarmReadUnitsPerSecond = Math.Max(t.WarmReadUnitsPerSecond, t.ReadCapacityUnits);
                t.WarmWriteUnitsPerSecond = Math.Max(t.WarmWriteUnitsPerSecond, t.WriteCapacityUnits);
            }
            if (deletionProtection is { } protect) t.DeletionProtectionEnabled = protect;
            if (tableClass is not null)
            {
                // Only a change of class dates the summary; restating the current one does not.
                if (tableClass != (t.TableClass ?? "STANDARD")) t.TableClassUpdateDateTime = now;
                t.TableClass = tableClass;
            }
        });

        await WriteAndRespondAsync(store, response, table, first is null ? metadata : new CompositeWriteCommand(first, metadata), created).ConfigureAwait(false);
    }

    /// <summary>
    /// An SSESpecification, alone by the rules above: the table switches to the KMS key asked for or back to the AWS
    /// owned key. AWS refuses two re-sends as no-ops, the owned key on a table that has it and the exact key ARN the
    /// table already has (a key id, an alias or no key at all re-encrypts on AWS and is accepted here too;
    /// ack-api-quirks DDB-TABLE-018, -082, -141). Checked against the table's key on the writer thread, so two
    /// concurrent changes cannot both pass the check. As on AWS, the table stays ACTIVE and the response reports the
    /// change as under way; the next DescribeTable shows it done.
    /// </summary>
    private static async ValueTask ChangeEncryptionAsync(DynamoStore store, ResponseBuffer response, Model.TableDefinition table, SSESpecificationMember sse)
    {
        string? keyArn = sse.RequestsKmsKey ? sse.ResolveKeyArn(store.Options.Region, store.Options.AccountId) : null;
        string? previous = null;
        await store.WriteAsync(new UpdateTableMetadataCommand(table, t =>
        {
            if (keyArn is null && t.KMSMasterKeyArn is null)
                throw DynamoException.Validation(Invalid + "Table is already encrypted by default");
            if (sse.KMSMasterKeyId is not null && sse.KMSMasterKeyId == t.KMSMasterKeyArn)
                throw DynamoException.Validation(Invalid + "Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key");
            previous = t.KMSMasterKeyArn;
            t.KMSMasterKeyArn = keyArn;
        })).ConfigureAwait(false);
        WriteResponse(response, table, "ACTIVE", sseEcho: ("UPDATING", previous));
    }

    private static async ValueTask WriteAndRespondAsync(DynamoStore store, ResponseBuffer response, Model.TableDefinition table,
        WriteCommand command, List<Model.SecondaryIndexDefinition>? created)
    {
        await store.WriteAsync(command).ConfigureAwait(false);
        // A new index is filled in the background once it exists in the database.
        foreach (var index in created ?? []) store.StartBackfill(table, index);
        WriteResponse(response, table);
    }

    /// <summary>
    /// Enables a new stream or disables the current one, on the writer thread so that the check against the table's
    /// stream and the change are one step.
    /// </summary>
    private sealed class StreamSpecificationCommand(Model.TableDefinition table, bool enable, string? viewType, DateTimeOffset now) : WriteCommand
    {
        public override bool NeedsSavepoint => true;

        public override void Apply(WriteContext context)
        {
            if (table.IsDeleted) throw DynamoException.TableNotFound(table.Name);
            if (enable)
            {
                if (table.Stream is not null) throw DynamoException.Validation("Table already has an enabled stream: TableName: " + table.Name);
                StreamCatalog.Enable(context, table, viewType!, now);
            }
            else
            {
                if (table.Stream is null) throw DynamoException.Validation("Table has no stream to disable: TableName: " + table.Name);
                StreamCatalog.Disable(context, table, now);
            }
        }
    }

    private static void WriteResponse(ResponseBuffer response, Model.TableDefinition table, string status = "UPDATING",
        string warmStatus = "ACTIVE", (long? Read, long? Write)? onDemandEcho = null, (string Status, string? KeyArn)? sseEcho = null)
    {
        var w = response.Writer;
        w.WriteStartObject();
        w.WritePropertyName("TableDescription"u8);
        TableDescription.Write(w, table, status, warmStatus, onDemandEcho, sseEcho);
        w.WriteEndObject();
    }
}
