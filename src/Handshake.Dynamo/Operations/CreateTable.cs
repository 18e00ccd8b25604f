using System.Text.Json;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>CreateTable: validates the schema in AWS's order, then creates the table in the writer's transaction.</summary>
internal static class CreateTable
{
    private const string Invalid = "One or more parameter values were invalid: ";

    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var request = Parse(body.Span);
        var definition = Validate(store, request, out string? streamViewType);
        var command = new CreateTableCommand(definition, streamViewType);
        await store.WriteAsync(command).ConfigureAwait(false);
        var w = response.Writer;
        w.WriteStartObject();
        w.WritePropertyName("TableDescription"u8);
        TableDescription.Write(w, command.Created!, "CREATING");
        w.WriteEndObject();
    }

    private sealed class Request
    {
        public string? TableName;
        public List<(string? Name, string? Type)>? AttributeDefinitions;
        public List<(string? Name, string? KeyType)>? KeySchema;
        public string? BillingMode;
        public SchemaJson.Throughput? ProvisionedThroughput;
        public List<SchemaJson.Index>? LocalSecondaryIndexes;
        public List<SchemaJson.Index>? GlobalSecondaryIndexes;
        public List<(string? Key, string? Value)>? Tags;
        public bool DeletionProtectionEnabled;
        public string? TableClass;
        public StreamSpecificationMember? StreamSpecification;
        public SSESpecificationMember? SSESpecification;
        public OnDemandThroughputMember? OnDemandThroughput;
        public WarmThroughputMember? WarmThroughput;
    }

    private static Request Parse(ReadOnlySpan<byte> body)
    {
        var reader = JsonRequest.Begin(body);
        var r = new Request();
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("TableName"u8)) { if (JsonRequest.ValueOf(ref reader)) r.TableName = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("AttributeDefinitions"u8)) { if (JsonRequest.ValueOf(ref reader)) r.AttributeDefinitions = SchemaJson.ReadPairs(ref reader, "AttributeName"u8, "AttributeType"u8); }
            else if (reader.ValueTextEquals("KeySchema"u8)) { if (JsonRequest.ValueOf(ref reader)) r.KeySchema = SchemaJson.ReadPairs(ref reader, "AttributeName"u8, "KeyType"u8); }
            else if (reader.ValueTextEquals("BillingMode"u8)) { if (JsonRequest.ValueOf(ref reader)) r.BillingMode = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ProvisionedThroughput"u8)) { if (JsonRequest.ValueOf(ref reader)) r.ProvisionedThroughput = SchemaJson.ReadThroughput(ref reader); }
            else if (reader.ValueTextEquals("LocalSecondaryIndexes"u8)) { if (JsonRequest.ValueOf(ref reader)) r.LocalSecondaryIndexes = SchemaJson.ReadIndexes(ref reader); }
            else if (reader.ValueTextEquals("GlobalSecondaryIndexes"u8)) { if (JsonRequest.ValueOf(ref reader)) r.GlobalSecondaryIndexes = SchemaJson.ReadIndexes(ref reader); }
            else if (reader.ValueTextEquals("Tags"u8)) { if (JsonRequest.ValueOf(ref reader)) r.Tags = SchemaJson.ReadPairs(ref reader, "Key"u8, "Value"u8); }
            else if (reader.ValueTextEquals("DeletionProtectionEnabled"u8)) { if (JsonRequest.ValueOf(ref reader)) r.DeletionProtectionEnabled = JsonRequest.ReadBoolean(ref reader); }
            else if (reader.ValueTextEquals("TableClass"u8)) { if (JsonRequest.ValueOf(ref reader)) r.TableClass = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("StreamSpecification"u8)) { if (JsonRequest.ValueOf(ref reader)) r.StreamSpecification = StreamSpecificationMember.Read(ref reader); }
            else if (reader.ValueTextEquals("SSESpecification"u8)) { if (JsonRequest.ValueOf(ref reader)) r.SSESpecification = SSESpecificationMember.Read(ref reader); }
            else if (reader.ValueTextEquals("OnDemandThroughput"u8)) { if (JsonRequest.ValueOf(ref reader)) r.OnDemandThroughput = OnDemandThroughputMember.Read(ref reader); }
            else if (reader.ValueTextEquals("WarmThroughput"u8)) { if (JsonRequest.ValueOf(ref reader)) r.WarmThroughput = WarmThroughputMember.Read(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }
        return r;
    }

    private static TableDefinition Validate(DynamoStore store, Request r, out string? streamViewType)
    {
        var errors = new ValidationErrors();
        if (r.AttributeDefinitions is null) errors.Add(null, "attributeDefinitions", "Member must not be null");
        else
        {
            for (int i = 0; i < r.AttributeDefinitions.Count; i++)
            {
                var (name, type) = r.AttributeDefinitions[i];
                errors.NotNull(name, $"attributeDefinitions.{i + 1}.member.attributeName");
                errors.MaxLength(name, $"attributeDefinitions.{i + 1}.member.attributeName", SchemaJson.MaxKeyAttributeNameLength);
                errors.NotNull(type, $"attributeDefinitions.{i + 1}.member.attributeType");
                errors.Enum(type, $"attributeDefinitions.{i + 1}.member.attributeType", "B, N, S", "B", "N", "S");
            }
        }
        errors.TableName(r.TableName);
        errors.Enum(r.BillingMode, "billingMode", "PROVISIONED, PAY_PER_REQUEST", "PROVISIONED", "PAY_PER_REQUEST");
        SchemaJson.ValidateThroughput(r.ProvisionedThroughput, "provisionedThroughput", errors);
        if (r.KeySchema is null) errors.Add(null, "keySchema", "Member must not be null");
        else SchemaJson.ValidateKeySchema(r.KeySchema, "keySchema", errors);
        r.StreamSpecification?.Validate(errors);
        r.SSESpecification?.Validate(errors);
        errors.ThrowIfAny();
        TableDescription.CheckTableClass(r.TableClass);
        streamViewType = r.StreamSpecification?.ForCreateTable();
        r.SSESpecification?.Check();

        bool payPerRequest = r.BillingMode == "PAY_PER_REQUEST";
        if (payPerRequest && r.ProvisionedThroughput is not null)
            throw DynamoException.Validation(Invalid + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
        if (!payPerRequest)
        {
            if (r.ProvisionedThroughput is not { Read: not null, Write: not null } pt)
                throw DynamoException.Validation(Invalid + "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
            SchemaJson.CheckThroughputBounds(pt);
        }
        // OnDemandThroughput and WarmThroughput are checked against the billing mode and capacity just settled (an
        // empty {} of either is accepted as absent, as AWS accepts it); where among the schema checks AWS runs them
        // is inferred.
        long capacityRead = payPerRequest ? 0 : r.ProvisionedThroughput!.Read!.Value;
        long capacityWrite = payPerRequest ? 0 : r.ProvisionedThroughput!.Write!.Value;
        string region = store.Options.Region;
        if (r.OnDemandThroughput is { IsEmpty: false } onDemand) onDemand.CheckForCreateTable(payPerRequest, region);
        var (warmRead, warmWrite) = r.WarmThroughput is { IsEmpty: false } warm
            ? warm.ResolveForCreateTable(payPerRequest, capacityRead, capacityWrite, region)
            : payPerRequest ? (WarmThroughputMember.OnDemandRead, WarmThroughputMember.OnDemandWrite) : (capacityRead, capacityWrite);

        var definitions = new List<KeyAttribute>();
        foreach (var (name, type) in r.AttributeDefinitions!) definitions.Add(new KeyAttribute(name!, Enum.Parse<AttributeType>(type!)));
        var keys = r.KeySchema!;
        var (hash, range) = SchemaJson.ResolveKeySchema(keys, definitions, tableLevel: true);
        var indexes = new List<SecondaryIndexDefinition>();
        SchemaJson.ResolveIndexes(r.LocalSecondaryIndexes, global: false, hash, range, definitions, payPerRequest, region, indexes);
        // Each GSI's OnDemandThroughput and WarmThroughput are checked and resolved here too, with the rest of the request.
        SchemaJson.ResolveIndexes(r.GlobalSecondaryIndexes, global: true, hash, range, definitions, payPerRequest, region, indexes);
        SchemaJson.CheckProjectedAttributeTotal(indexes);
        SchemaJson.CheckAllDefinitionsUsed(definitions, hash, range, indexes);
        // Checked as TagResource checks them, so that no table is created with a tag AWS would refuse (an empty list
        // is accepted here, unlike TagResource). Where among the table's checks AWS runs them is inferred.
        if (r.Tags is not null) TagRules.Check(r.Tags);
        if (!payPerRequest) SchemaJson.CheckTableMaximum(r.ProvisionedThroughput!, store.Options.Region);

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (r.Tags is not null) foreach (var (k, v) in r.Tags) tags[k!] = v!;
        var now = store.Clock.GetUtcNow();
        return new TableDefinition
        {
            InternalId = 0,
            Name = r.TableName!,
            TableId = Guid.NewGuid().ToString(),
            Arn = store.TableArn(r.TableName!),
            CreationDateTime = now,
            Hash = hash,
            Range = range,
            AttributeDefinitions = definitions,
            Indexes = indexes,
            BillingMode = payPerRequest ? "PAY_PER_REQUEST" : "PROVISIONED",
            ReadCapacityUnits = capacityRead,
            WriteCapacityUnits = capacityWrite,
            LastUpdateToPayPerRequestDateTime = payPerRequest ? now : null,
            DeletionProtectionEnabled = r.DeletionProtectionEnabled,
            MaxReadRequestUnits = r.OnDemandThroughput?.MaxRead,
            MaxWriteRequestUnits = r.OnDemandThroughput?.MaxWrite,
            WarmReadUnitsPerSecond = warmRead,
            WarmWriteUnitsPerSecond = warmWrite,
            TableClass = r.TableClass,
            KMSMasterKeyArn = r.SSESpecification is { RequestsKmsKey: true } sse ? sse.ResolveKeyArn(region, store.Options.AccountId) : null,
            Tags = tags,
        };
    }

    /// <summary>Inserts the table row; a name taken by the time the writer runs is AWS's ResourceInUseException.</summary>
    private sealed class CreateTableCommand(TableDefinition proposed, string? streamViewType) : WriteCommand
    {
        public TableDefinition? Created { get; private set; }

        public override bool NeedsSavepoint => proposed.Indexes.Count > 0 || streamViewType is not null;

        public override void Apply(WriteContext context)
        {
            if (context.Catalog.TryGet(proposed.Name, out _))
                throw DynamoException.ResourceInUse("Table already exists: " + proposed.Name);
            using var insert = context.CreateCommand("INSERT INTO tables(name, definition) VALUES ($n, $d) RETURNING id");
            insert.Parameters.AddWithValue("$n", proposed.Name);
            insert.Parameters.AddWithValue("$d", System.Text.Encoding.UTF8.GetString(TableDefinitionJson.Serialize(proposed)));
            long id = Convert.ToInt64(insert.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            Created = new TableDefinition
            {
                InternalId = id, Name = proposed.Name, TableId = proposed.TableId, Arn = proposed.Arn,
                CreationDateTime = proposed.CreationDateTime, Hash = proposed.Hash, Range = proposed.Range,
                AttributeDefinitions = proposed.AttributeDefinitions, Indexes = proposed.Indexes,
                BillingMode = proposed.BillingMode, ReadCapacityUnits = proposed.ReadCapacityUnits,
                WriteCapacityUnits = proposed.WriteCapacityUnits,
                LastUpdateToPayPerRequestDateTime = proposed.LastUpdateToPayPerRequestDateTime,
                DeletionProtectionEnabled = proposed.DeletionProtectionEnabled, Tags = proposed.Tags, TableClass = proposed.TableClass,
                KMSMasterKeyArn = proposed.KMSMasterKeyArn,
                MaxReadRequestUnits = proposed.MaxReadRequestUnits, MaxWriteRequestUnits = proposed.MaxWriteRequestUnits,
                WarmReadUnitsPerSecond = proposed.WarmReadUnitsPerSecond, WarmWriteUnitsPerSecond = proposed.WarmWriteUnitsPerSecond,
            };
            foreach (var index in Created.Indexes) IndexStorage.Create(context, Created, index);
            // Visible to later commands of the same batch at once; rebuilt from the database if the commit fails.
            context.Catalog.Add(Created);
            if (streamViewType is not null) StreamCatalog.Enable(context, Created, streamViewType, Created.CreationDateTime);
        }
    }
}
