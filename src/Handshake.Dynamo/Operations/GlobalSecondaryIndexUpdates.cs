using System.Text.Json;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// UpdateTable's GlobalSecondaryIndexUpdates: Create (with the request's AttributeDefinitions and, like CreateTable's
/// indexes, optional OnDemandThroughput and WarmThroughput, then a background backfill while the index is CREATING),
/// Update (its provisioned throughput, OnDemandThroughput ceilings or WarmThroughput, kept and described) and Delete. Checked in AWS's order:
/// the shape of each update, then against the table as it stands.
/// </summary>
internal static class GlobalSecondaryIndexUpdates
{
    private const string Invalid = "One or more parameter values were invalid: ";

    public sealed class Update
    {
        public bool HasCreate, HasUpdate, HasDelete;
        public SchemaJson.Index? Create;
        public string? UpdateName;
        public SchemaJson.Throughput? UpdateThroughput;
        public OnDemandThroughputMember? UpdateOnDemand;
        public WarmThroughputMember? UpdateWarm;
        public string? DeleteName;

        public string? IndexName => Create?.IndexName ?? UpdateName ?? DeleteName;
    }

    public static List<Update> Read(ref Utf8JsonReader reader)
    {
        JsonRequest.ExpectArray(ref reader);
        var list = new List<Update>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Null) continue;
            JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
            var update = new Update();
            while (JsonRequest.NextMember(ref reader))
            {
                if (reader.ValueTextEquals("Create"u8))
                {
                    if (!JsonRequest.ValueOf(ref reader)) continue;
                    update.HasCreate = true;
                    update.Create = SchemaJson.ReadIndex(ref reader);
                }
                else if (reader.ValueTextEquals("Update"u8) || reader.ValueTextEquals("Delete"u8))
                {
                    bool isUpdate = reader.ValueTextEquals("Update"u8);
                    if (!JsonRequest.ValueOf(ref reader)) continue;
                    JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
                    if (isUpdate) update.HasUpdate = true; else update.HasDelete = true;
                    while (JsonRequest.NextMember(ref reader))
                    {
                        if (reader.ValueTextEquals("IndexName"u8))
                        {
                            if (!JsonRequest.ValueOf(ref reader)) continue;
                            var name = JsonRequest.ReadString(ref reader);
                            if (isUpdate) update.UpdateName = name; else update.DeleteName = name;
                        }
                        else if (isUpdate && reader.ValueTextEquals("ProvisionedThroughput"u8))
                        {
                            if (JsonRequest.ValueOf(ref reader)) update.UpdateThroughput = SchemaJson.ReadThroughput(ref reader);
                        }
                        else if (isUpdate && reader.ValueTextEquals("OnDemandThroughput"u8))
                        {
                            if (JsonRequest.ValueOf(ref reader)) update.UpdateOnDemand = OnDemandThroughputMember.Read(ref reader);
                        }
                        else if (isUpdate && reader.ValueTextEquals("WarmThroughput"u8))
                        {
                            if (JsonRequest.ValueOf(ref reader)) update.UpdateWarm = WarmThroughputMember.Read(ref reader);
                        }
                        else JsonRequest.SkipValue(ref reader);
                    }
                }
                else JsonRequest.SkipValue(ref reader);
            }
            list.Add(update);
        }
        return list;
    }

    /// <summary>The member constraints, reported with UpdateTable's other member errors.</summary>
    public static void ValidateMembers(List<Update> updates, ValidationErrors errors)
    {
        for (int i = 0; i < updates.Count; i++)
        {
            var u = updates[i];
            string path = "globalSecondaryIndexUpdates." + (i + 1) + ".member";
            if (u.HasDelete) errors.NotNull(u.DeleteName, path + ".delete.indexName");
            if (u.HasUpdate)
            {
                // ProvisionedThroughput is optional in the current model (an Update may carry OnDemandThroughput or
                // WarmThroughput instead); what an Update must carry is checked against the table (Resolve).
                errors.NotNull(u.UpdateName, path + ".update.indexName");
                SchemaJson.ValidateThroughput(u.UpdateThroughput, path + ".update.provisionedThroughput", errors);
            }
            if (u.Create is { } c)
            {
                errors.NotNull(c.IndexName, path + ".create.indexName");
                if (c.KeySchema is null) errors.Add(null, path + ".create.keySchema", "Member must not be null");
                else SchemaJson.ValidateKeySchema(c.KeySchema, path + ".create.keySchema", errors);
                if (!c.HasProjection) errors.Add(null, path + ".create.projection", "Member must not be null");
                errors.Enum(c.ProjectionType, path + ".create.projection.projectionType", "ALL, INCLUDE, KEYS_ONLY", "ALL", "INCLUDE", "KEYS_ONLY");
                SchemaJson.ValidateNonKeyAttributes(c.NonKeyAttributes, path + ".create.projection.nonKeyAttributes", errors);
                SchemaJson.ValidateThroughput(c.ProvisionedThroughput, path + ".create.provisionedThroughput", errors);
            }
        }
    }

    /// <summary>The request-only checks that follow the member constraints.</summary>
    public static void ValidateShape(List<Update> updates)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var u in updates)
        {
            int actions = (u.HasCreate ? 1 : 0) + (u.HasUpdate ? 1 : 0) + (u.HasDelete ? 1 : 0);
            if (actions == 0)
                throw DynamoException.Validation(Invalid + "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null");
            if (actions > 1)
                throw DynamoException.Validation(Invalid + "Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object");
            if (!names.Add(u.IndexName!))
                throw DynamoException.Validation(Invalid + "Only one global secondary index update per index is allowed simultaneously. Index: " + u.IndexName);
            // Before the table is looked up: AWS gives it for a missing index and a missing table too (ack-api-quirks
            // DDB-TABLE-456).
            if (u.UpdateWarm is { IsEmpty: true })
                throw DynamoException.Validation(Invalid + "WarmThroughput must have at least one of ReadUnitsPerSecond or WriteUnitsPerSecond specified for index: " + u.UpdateName);
        }
    }

    /// <summary>Checks the updates against the table and resolves the new indexes (their keys need definitions).</summary>
    public static List<SecondaryIndexDefinition> Resolve(TableDefinition table, List<Update> updates,
        List<(string? Name, string? Type)>? requestDefinitions, string billingMode, string region)
    {
        int online = 0;
        foreach (var u in updates) if (u.HasCreate || u.HasDelete) online++;
        bool building = false;
        foreach (var index in table.Indexes) if (index.IndexStatus == "CREATING") building = true;
        if (online > 1 || (online == 1 && building))
            throw new DynamoException(DynamoErrorCode.LimitExceededException,
                "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");

        var definitions = new List<KeyAttribute>();
        if (requestDefinitions is not null)
            foreach (var (name, type) in requestDefinitions) definitions.Add(new KeyAttribute(name!, Enum.Parse<AttributeType>(type!)));
        var created = new List<SecondaryIndexDefinition>();
        foreach (var u in updates)
        {
            if (u.Create is { } c)
            {
                if (table.FindIndex(c.IndexName!) is not null)
                    throw DynamoException.Validation("Attempting to create an index which already exists");
                foreach (var (name, _) in c.KeySchema!)
                {
                    if (definitions.Exists(d => d.Name == name)) continue;
                    var keyNames = c.KeySchema.ConvertAll(k => k.Name);
                    throw DynamoException.Validation(Invalid + "Some index key attributes are not defined in AttributeDefinitions. Keys: ["
                        + string.Join(", ", keyNames) + "], AttributeDefinitions: [" + string.Join(", ", definitions.ConvertAll(d => d.Name)) + "]");
                }
                foreach (var d in definitions)
                {
                    foreach (var existing in table.AttributeDefinitions)
                        if (existing.Name == d.Name && existing.Type != d.Type)
                            throw DynamoException.Validation(Invalid + "Cannot update attribute " + d.Name + ". This attribute is part of a key or index and its type cannot be changed");
                }
                var resolved = new List<SecondaryIndexDefinition>();
                SchemaJson.ResolveIndexes([c], global: true, table.Hash, table.Range, definitions, billingMode == "PAY_PER_REQUEST", region, resolved, createTable: false);
                var index = resolved[0];
                SchemaJson.CheckProjectedAttributeTotal([.. table.Indexes, index]);
                index.IndexStatus = "CREATING";
                index.Backfilling = true;
                created.Add(index);
                int globals = 1;
                foreach (var existing in table.Indexes) if (existing.IsGlobal) globals++;
                if (globals > 20)
                    throw new DynamoException(DynamoErrorCode.LimitExceededException,
                        "Subscriber limit exceeded: The number of global secondary indexes per table exceeds the limit of 20");
            }
            else
            {
                var name = u.UpdateName ?? u.DeleteName!;
                var index = table.FindIndex(name);
                // An Update's text is AWS's for an Update carrying OnDemandThroughput (ack-api-quirks DDB-TABLE-456;
                // AWS was seen answering other Update payloads for a missing index otherwise: an HTTP 500 for
                // WarmThroughput, a blocked-action text for throughput); a Delete's is inferred.
                if (index is null)
                    throw DynamoException.ResourceNotFound(u.HasUpdate
                        ? "Requested resource not found: Index " + name + " for table " + table.Name
                        : "Requested resource not found: Index: " + name + " not found");
                if (!index.IsGlobal)
                    throw DynamoException.Validation((u.HasDelete ? "Cannot delete" : "Cannot update") + " an index that is not a GlobalSecondaryIndex: " + name);
                if (u.UpdateThroughput is { } t) SchemaJson.CheckThroughputBounds(t);
                if (u.HasUpdate) CheckUpdate(table, index, u, updates.IndexOf(u) + 1, billingMode, region);
            }
        }
        return created;
    }

    /// <summary>
    /// What an Update action must carry and may carry, against the table and the billing mode it will have. An
    /// on-demand index's Update must bring OnDemandThroughput or WarmThroughput (AWS's text, ack-api-quirks
    /// DDB-TABLE-456, also for an empty OnDemandThroughput); a provisioned one's, throughput or WarmThroughput (its
    /// refusal keeps the old model's member text, inferred). Ceilings and warm throughput follow the table's rules.
    /// </summary>
    private static void CheckUpdate(TableDefinition table, SecondaryIndexDefinition index, Update u, int position, string billingMode, string region)
    {
        bool onDemand = u.UpdateOnDemand is { IsEmpty: false }, warm = u.UpdateWarm is { IsEmpty: false };
        if (billingMode == "PAY_PER_REQUEST" && u.UpdateThroughput is null && !onDemand && !warm)
            throw DynamoException.Validation(Invalid + "The only Updates for index: " + index.IndexName + " when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput");
        if (billingMode != "PAY_PER_REQUEST" && u.UpdateThroughput is null && !onDemand && !warm)
            throw DynamoException.Validation("1 validation error detected: Value null at 'globalSecondaryIndexUpdates." + position
                + ".member.update.provisionedThroughput' failed to satisfy constraint: Member must not be null");
        if (onDemand) u.UpdateOnDemand!.CheckForUpdateTable(billingMode != "PAY_PER_REQUEST", region, OnDemandThroughputMember.ForIndex(index.IndexName));
        if (warm)
        {
            var (currentRead, currentWrite) = TableDescription.IndexWarmThroughput(table.BillingMode, index);
            u.UpdateWarm!.ResolveForUpdateTable(currentRead, currentWrite, region, WarmThroughputMember.ForIndex(index.IndexName));
        }
    }

    /// <summary>Applies resolved updates on the writer thread; new GSIs are then backfilled by the store.</summary>
    public sealed class Command(TableDefinition table, List<Update> updates, List<SecondaryIndexDefinition> created,
        List<(string? Name, string? Type)>? requestDefinitions, string region) : WriteCommand
    {
        public override bool NeedsSavepoint => true;

        public override void Apply(WriteContext context)
        {
            if (table.IsDeleted) throw DynamoException.TableNotFound(table.Name);
            var indexes = new List<SecondaryIndexDefinition>(table.Indexes);
            foreach (var u in updates)
            {
                if (u.HasDelete)
                {
                    var index = table.FindIndex(u.DeleteName!)
                        ?? throw DynamoException.ResourceNotFound("Requested resource not found: Index: " + u.DeleteName + " not found");
                    IndexStorage.Drop(context, index);
                    indexes.Remove(index);
                }
                else if (u.HasUpdate)
                {
                    var index = table.FindIndex(u.UpdateName!)
                        ?? throw DynamoException.ResourceNotFound("Requested resource not found: Index " + u.UpdateName + " for table " + table.Name);
                    if (u.UpdateThroughput is { Read: { } read, Write: { } write })
                    {
                        index.ReadCapacityUnits = read;
                        index.WriteCapacityUnits = write;
                    }
                    if (u.UpdateOnDemand is { IsEmpty: false } onDemand)
                        (index.MaxReadRequestUnits, index.MaxWriteRequestUnits) = onDemand.Merge(index.MaxReadRequestUnits, index.MaxWriteRequestUnits);
                    if (u.UpdateWarm is { IsEmpty: false } warm)
                    {
                        // Checked again here, on the writer thread, against the value as it is now.
                        var (currentRead, currentWrite) = TableDescription.IndexWarmThroughput(table.BillingMode, index);
                        (index.WarmReadUnitsPerSecond, index.WarmWriteUnitsPerSecond) = warm.ResolveForUpdateTable(currentRead, currentWrite, region, WarmThroughputMember.ForIndex(index.IndexName));
                    }
                }
            }
            foreach (var index in created)
            {
                if (table.FindIndex(index.IndexName) is not null) throw DynamoException.Validation("Attempting to create an index which already exists");
                IndexStorage.Create(context, table, index);
                indexes.Add(index);
            }
            table.Indexes = indexes;
            table.AttributeDefinitions = MergeDefinitions(table, indexes, requestDefinitions);
            TableMetadata.Persist(context, table);
        }
    }

    // The table keeps a definition for every attribute a key still uses: new index keys are added, and the keys of
    // a deleted index that nothing else uses are dropped, as DescribeTable shows in AWS.
    private static List<KeyAttribute> MergeDefinitions(TableDefinition table, List<SecondaryIndexDefinition> indexes,
        List<(string? Name, string? Type)>? requestDefinitions)
    {
        var all = new List<KeyAttribute>(table.AttributeDefinitions);
        if (requestDefinitions is not null)
            foreach (var (name, type) in requestDefinitions)
                if (!all.Exists(d => d.Name == name)) all.Add(new KeyAttribute(name!, Enum.Parse<AttributeType>(type!)));
        var used = new HashSet<string>(StringComparer.Ordinal) { table.Hash.Name };
        if (table.Range is not null) used.Add(table.Range.Name);
        foreach (var index in indexes)
        {
            used.Add(index.Hash.Name);
            if (index.Range is not null) used.Add(index.Range.Name);
        }
        return all.FindAll(d => used.Contains(d.Name));
    }
}
