using System.Text.Json;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// Parsing and validation of the schema members shared by CreateTable and UpdateTable: key schemas, attribute
/// definitions, provisioned throughput and secondary indexes, with AWS's messages.
/// </summary>
internal static class SchemaJson
{
    private const string Invalid = "One or more parameter values were invalid: ";

    /// <summary>
    /// Key attribute names (KeySchemaAttributeName, also AttributeDefinitions' names) and projected attribute names
    /// (NonKeyAttributeName) are at most 255 characters in AWS's model, where other attribute names may reach 64 KB.
    /// </summary>
    public const int MaxKeyAttributeNameLength = 255;

    /// <summary>An index's NonKeyAttributes hold at most 20 names (NonKeyAttributeNameList in AWS's model).</summary>
    public const int MaxNonKeyAttributes = 20;

    public sealed record Throughput(long? Read, long? Write);

    public sealed class Index
    {
        public string? IndexName;
        public List<(string? Name, string? KeyType)>? KeySchema;
        public bool HasProjection;
        public string? ProjectionType;
        public List<string>? NonKeyAttributes;
        public Throughput? ProvisionedThroughput;

        /// <summary>A GSI's members (AWS's model has them on GlobalSecondaryIndex and CreateGlobalSecondaryIndexAction,
        /// not on LocalSecondaryIndex): read from any index, as ProvisionedThroughput is, but used only for a GSI.</summary>
        public OnDemandThroughputMember? OnDemandThroughput;
        public WarmThroughputMember? WarmThroughput;
    }

    /// <summary>Reads a list of two-string structures, e.g. KeySchema or Tags.</summary>
    public static List<(string?, string?)> ReadPairs(ref Utf8JsonReader reader, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        JsonRequest.ExpectArray(ref reader);
        var list = new List<(string?, string?)>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Null) continue;
            JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
            string? a = null, b = null;
            while (JsonRequest.NextMember(ref reader))
            {
                if (reader.ValueTextEquals(first)) { if (JsonRequest.ValueOf(ref reader)) a = JsonRequest.ReadString(ref reader); }
                else if (reader.ValueTextEquals(second)) { if (JsonRequest.ValueOf(ref reader)) b = JsonRequest.ReadString(ref reader); }
                else JsonRequest.SkipValue(ref reader);
            }
            list.Add((a, b));
        }
        return list;
    }

    public static Throughput ReadThroughput(ref Utf8JsonReader reader)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
        long? read = null, write = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("ReadCapacityUnits"u8)) { if (JsonRequest.ValueOf(ref reader)) read = JsonRequest.ReadLong(ref reader); }
            else if (reader.ValueTextEquals("WriteCapacityUnits"u8)) { if (JsonRequest.ValueOf(ref reader)) write = JsonRequest.ReadLong(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }
        return new Throughput(read, write);
    }

    public static List<Index> ReadIndexes(ref Utf8JsonReader reader)
    {
        JsonRequest.ExpectArray(ref reader);
        var list = new List<Index>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Null) continue;
            list.Add(ReadIndex(ref reader));
        }
        return list;
    }

    /// <summary>Reads one index structure (CreateTable's indexes, UpdateTable's GSI Create).</summary>
    public static Index ReadIndex(ref Utf8JsonReader reader)
    {
        {
            JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
            var index = new Index();
            while (JsonRequest.NextMember(ref reader))
            {
                if (reader.ValueTextEquals("IndexName"u8)) { if (JsonRequest.ValueOf(ref reader)) index.IndexName = JsonRequest.ReadString(ref reader); }
                else if (reader.ValueTextEquals("KeySchema"u8)) { if (JsonRequest.ValueOf(ref reader)) index.KeySchema = ReadPairs(ref reader, "AttributeName"u8, "KeyType"u8); }
                else if (reader.ValueTextEquals("ProvisionedThroughput"u8)) { if (JsonRequest.ValueOf(ref reader)) index.ProvisionedThroughput = ReadThroughput(ref reader); }
                else if (reader.ValueTextEquals("OnDemandThroughput"u8)) { if (JsonRequest.ValueOf(ref reader)) index.OnDemandThroughput = OnDemandThroughputMember.Read(ref reader); }
                else if (reader.ValueTextEquals("WarmThroughput"u8)) { if (JsonRequest.ValueOf(ref reader)) index.WarmThroughput = WarmThroughputMember.Read(ref reader); }
                else if (reader.ValueTextEquals("Projection"u8))
                {
                    if (!JsonRequest.ValueOf(ref reader)) continue;
                    JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
                    index.HasProjection = true;
                    while (JsonRequest.NextMember(ref reader))
                    {
                        if (reader.ValueTextEquals("ProjectionType"u8)) { if (JsonRequest.ValueOf(ref reader)) index.ProjectionType = JsonRequest.ReadString(ref reader); }
                        else if (reader.ValueTextEquals("NonKeyAttributes"u8))
                        {
                            if (!JsonRequest.ValueOf(ref reader)) continue;
                            JsonRequest.ExpectArray(ref reader);
                            index.NonKeyAttributes = [];
                            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                                if (reader.TokenType != JsonTokenType.Null) index.NonKeyAttributes.Add(JsonRequest.ReadString(ref reader));
                        }
                        else JsonRequest.SkipValue(ref reader);
                    }
                }
                else JsonRequest.SkipValue(ref reader);
            }
            return index;
        }
    }

    public static void ValidateThroughput(Throughput? t, string path, ValidationErrors errors)
    {
        if (t is null) return;
        if (t.Write is null) errors.Add(null, path + ".writeCapacityUnits", "Member must not be null");
        else if (t.Write < 1) errors.Add(t.Write.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), path + ".writeCapacityUnits", "Member must have value greater than or equal to 1");
        if (t.Read is null) errors.Add(null, path + ".readCapacityUnits", "Member must not be null");
        else if (t.Read < 1) errors.Add(t.Read.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), path + ".readCapacityUnits", "Member must have value greater than or equal to 1");
    }

    /// <summary>NonKeyAttributes: each name at most 255 characters, at most 20 names (AWS's model constraints).</summary>
    public static void ValidateNonKeyAttributes(List<string>? names, string path, ValidationErrors errors)
    {
        if (names is null) return;
        for (int i = 0; i < names.Count; i++) errors.MaxLength(names[i], $"{path}.{i + 1}.member", MaxKeyAttributeNameLength);
        if (names.Count > MaxNonKeyAttributes)
            errors.Add("[" + string.Join(", ", names) + "]", path, "Member must have length less than or equal to " + MaxNonKeyAttributes);
    }

    public static void CheckThroughputBounds(Throughput t)
    {
        const long Max = 1_000_000_000_000;
        if (t.Read > Max) throw DynamoException.Validation($"Given value {t.Read} for ReadCapacityUnits is out of bounds");
        if (t.Write > Max) throw DynamoException.Validation($"Given value {t.Write} for WriteCapacityUnits is out of bounds");
    }

    /// <summary>
    /// A table's provisioned capacity above the account's per-table quota (40,000, what DescribeLimits reports) is
    /// AWS's LimitExceededException, checked after every validation (AWS answers it seconds later than a validation
    /// error). The ReadCapacityUnits text is AWS's (ack-api-quirks DDB-TABLE-443, CreateTable and UpdateTable); the
    /// WriteCapacityUnits one follows it (inferred). An index's own quota check is not made (its text was not found whole).
    /// </summary>
    public static void CheckTableMaximum(Throughput t, string region)
    {
        foreach (var (name, value) in new[] { ("ReadCapacityUnits", t.Read), ("WriteCapacityUnits", t.Write) })
        {
            if (value > OnDemandThroughputMember.TableMaximum)
                throw new DynamoException(DynamoErrorCode.LimitExceededException,
                    $"The requested {name}, {value}, is above the per table maximum for the account in {region}. Per table maximum: {OnDemandThroughputMember.TableMaximum}. "
                    + "Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.");
        }
    }

    public static void ValidateKeySchema(List<(string? Name, string? KeyType)> keys, string path, ValidationErrors errors)
    {
        for (int i = 0; i < keys.Count; i++)
        {
            errors.NotNull(keys[i].Name, $"{path}.{i + 1}.member.attributeName");
            errors.MaxLength(keys[i].Name, $"{path}.{i + 1}.member.attributeName", MaxKeyAttributeNameLength);
            errors.NotNull(keys[i].KeyType, $"{path}.{i + 1}.member.keyType");
            errors.Enum(keys[i].KeyType, $"{path}.{i + 1}.member.keyType", "HASH, RANGE", "HASH", "RANGE");
        }
        if (keys.Count < 1) errors.Add("[]", path, "Member must have length greater than or equal to 1");
        if (keys.Count > 2) errors.Add("[" + string.Join(", ", keys.ConvertAll(k => "KeySchemaElement(attributeName=" + k.Name + ", keyType=" + k.KeyType + ")")) + "]", path, "Member must have length less than or equal to 2");
    }

    /// <summary>Checks a key schema against the definitions (AWS's custom checks, in its order).</summary>
    public static (KeyAttribute Hash, KeyAttribute? Range) ResolveKeySchema(
        List<(string? Name, string? KeyType)> keys, List<KeyAttribute> definitions, bool tableLevel)
    {
        var names = new List<string>();
        foreach (var (name, _) in keys) names.Add(name!);
        if (tableLevel && keys.Count > definitions.Count)
            throw DynamoException.Validation("Invalid KeySchema: Some index key attribute have no definition");
        foreach (var name in names)
        {
            if (Find(definitions, name) is null)
                throw DynamoException.Validation(Invalid + "Some index key attributes are not defined in AttributeDefinitions. Keys: ["
                    + string.Join(", ", names) + "], AttributeDefinitions: [" + string.Join(", ", definitions.ConvertAll(d => d.Name)) + "]");
        }
        if (keys.Count == 2 && names[0] == names[1])
            throw DynamoException.Validation("Both the Hash Key and the Range Key element in the KeySchema have the same name");
        if (keys[0].KeyType != "HASH")
            throw DynamoException.Validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
        if (keys.Count == 2 && keys[1].KeyType != "RANGE")
            throw DynamoException.Validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
        return (Find(definitions, names[0])!, keys.Count == 2 ? Find(definitions, names[1]) : null);
    }

    /// <param name="payPerRequest">The billing mode the table will have.</param>
    /// <param name="region">The store's region, named by the quota texts of a GSI's OnDemandThroughput and WarmThroughput.</param>
    /// <param name="createTable">
    /// CreateTable's indexes (its text for a provisioned GSI without throughput is `... is not specified for index`,
    /// ack-api-quirks DDB-TABLE-442), or an UpdateTable index create (`... must be specified for index`).
    /// </param>
    public static void ResolveIndexes(List<Index>? indexes, bool global, KeyAttribute tableHash, KeyAttribute? tableRange,
        List<KeyAttribute> definitions, bool payPerRequest, string region, List<SecondaryIndexDefinition> resolved, bool createTable = true)
    {
        if (indexes is null) return;
        string kind = global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes";
        var errors = new ValidationErrors();
        for (int i = 0; i < indexes.Count; i++)
        {
            var index = indexes[i];
            string path = (global ? "globalSecondaryIndexes" : "localSecondaryIndexes") + "." + (i + 1) + ".member";
            errors.NotNull(index.IndexName, path + ".indexName");
            if (index.IndexName is { } n)
            {
                if (!TableNames.MatchesPattern(n)) errors.Add(n, path + ".indexName", "Member must satisfy regular expression pattern: " + TableNames.Pattern);
                if (n.Length < 3) errors.Add(n, path + ".indexName", "Member must have length greater than or equal to 3");
                if (n.Length > 255) errors.Add(n, path + ".indexName", "Member must have length less than or equal to 255");
            }
            if (index.KeySchema is null) errors.Add(null, path + ".keySchema", "Member must not be null");
            else ValidateKeySchema(index.KeySchema, path + ".keySchema", errors);
            if (!index.HasProjection) errors.Add(null, path + ".projection", "Member must not be null");
            errors.Enum(index.ProjectionType, path + ".projection.projectionType", "ALL, INCLUDE, KEYS_ONLY", "ALL", "INCLUDE", "KEYS_ONLY");
            ValidateNonKeyAttributes(index.NonKeyAttributes, path + ".projection.nonKeyAttributes", errors);
            ValidateThroughput(index.ProvisionedThroughput, path + ".provisionedThroughput", errors);
        }
        errors.ThrowIfAny();
        if (indexes.Count == 0) throw DynamoException.Validation(Invalid + "List of " + kind + " is empty");
        if (!global && tableRange is null)
            throw DynamoException.Validation(Invalid + "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
        foreach (var index in indexes)
        {
            var (hash, range) = ResolveKeySchema(index.KeySchema!, definitions, tableLevel: false);
            if (!global)
            {
                if (range is null)
                    throw DynamoException.Validation(Invalid + "Index KeySchema does not have a range key for index: " + index.IndexName);
                if (hash.Name != tableHash.Name)
                    throw DynamoException.Validation(Invalid + "Index KeySchema does not have the same leading hash key as table KeySchema for index: "
                        + index.IndexName + ". index hash key: " + hash.Name + ", table hash key: " + tableHash.Name);
            }
            if (index.ProjectionType is null) throw DynamoException.Validation(Invalid + "Unknown ProjectionType: null");
            if (index.NonKeyAttributes is not null && index.ProjectionType != "INCLUDE")
                throw DynamoException.Validation(Invalid + "ProjectionType is " + index.ProjectionType + ", but NonKeyAttributes is specified");
            // AWS's texts for the other two ways an INCLUDE projection can be wrong (ack-api-quirks DDB-TABLE-442,
            // captured from AWS); an INCLUDE without its list projected keys only, and a name listed twice was kept twice.
            if (index.ProjectionType == "INCLUDE" && index.NonKeyAttributes is null)
                throw DynamoException.Validation(Invalid + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
            if (index.NonKeyAttributes is { } nonKey)
                for (int i = 1; i < nonKey.Count; i++)
                    if (nonKey.IndexOf(nonKey[i]) < i) throw DynamoException.Validation(Invalid + "Duplicate element in NonKeyAttributes: " + nonKey[i]);
            if (global && payPerRequest && index.ProvisionedThroughput is not null)
                throw DynamoException.Validation(Invalid + "ProvisionedThroughput should not be specified for index: " + index.IndexName + " when BillingMode is PAY_PER_REQUEST");
            if (global && !payPerRequest && index.ProvisionedThroughput is null)
                throw DynamoException.Validation(Invalid + "ProvisionedThroughput " + (createTable ? "is not" : "must be") + " specified for index: " + index.IndexName);
            foreach (var existing in resolved)
                if (existing.IndexName == index.IndexName)
                    throw DynamoException.Validation(Invalid + "Duplicate index name: " + index.IndexName);
            var definition = new SecondaryIndexDefinition(index.IndexName!, global, hash, range, index.ProjectionType, index.NonKeyAttributes,
                index.ProvisionedThroughput?.Read ?? 0, index.ProvisionedThroughput?.Write ?? 0);
            if (global) ResolveThroughputSettings(index, definition, payPerRequest, region);
            resolved.Add(definition);
        }
        int count = 0;
        foreach (var r in resolved) if (r.IsGlobal == global) count++;
        if (!global && count > 5)
            throw DynamoException.Validation(Invalid + "Number of LocalSecondaryIndexes exceeds per-table limit of 5");
        if (global && count > 20)
            throw DynamoException.Validation(Invalid + "GlobalSecondaryIndex count exceeds the per-table limit of 20");
    }

    /// <summary>
    /// A new GSI's OnDemandThroughput and WarmThroughput, checked with the table's rules in the index forms of the texts an
    /// index's Update action gets, and kept on the index as an Update action keeps them (so DescribeTable shows them the
    /// same way and they are stored with the table's definition). Checked here, before anything is written, so that a
    /// refused request creates nothing. An empty {} of either counts as absent, as CreateTable takes the table's (for an
    /// index, inferred); where among the index's other checks AWS makes these is inferred.
    /// </summary>
    private static void ResolveThroughputSettings(Index index, SecondaryIndexDefinition definition, bool payPerRequest, string region)
    {
        if (index.OnDemandThroughput is { IsEmpty: false } onDemand)
        {
            onDemand.CheckForNewIndex(!payPerRequest, region, index.IndexName!);
            (definition.MaxReadRequestUnits, definition.MaxWriteRequestUnits) = (onDemand.MaxRead, onDemand.MaxWrite);
        }
        if (index.WarmThroughput is { IsEmpty: false } warm)
            (definition.WarmReadUnitsPerSecond, definition.WarmWriteUnitsPerSecond) = warm.ResolveForCreateTable(
                payPerRequest, definition.ReadCapacityUnits, definition.WriteCapacityUnits, region, WarmThroughputMember.ForIndex(index.IndexName!));
    }

    /// <summary>
    /// AWS's limit of 100 projected non-key attributes across all of a table's indexes (documented: only INCLUDE
    /// lists count, and a name projected into two indexes counts twice). The text after AWS's usual prefix is quoted
    /// by a public CloudFormation preflight linter as CreateTable's (not a capture); the prefix, UpdateTable's use of
    /// it and where it comes among the other checks are inferred.
    /// </summary>
    public static void CheckProjectedAttributeTotal(IEnumerable<SecondaryIndexDefinition> indexes)
    {
        int total = 0;
        foreach (var index in indexes) if (index.ProjectionType == "INCLUDE") total += index.NonKeyAttributes?.Count ?? 0;
        if (total > 100) throw DynamoException.Validation(Invalid + "Number of projected attributes in all indexes exceeds limit of 100");
    }

    public static void CheckAllDefinitionsUsed(List<KeyAttribute> definitions, KeyAttribute hash, KeyAttribute? range, List<SecondaryIndexDefinition> indexes)
    {
        var used = new HashSet<string>(StringComparer.Ordinal) { hash.Name };
        if (range is not null) used.Add(range.Name);
        foreach (var index in indexes)
        {
            used.Add(index.Hash.Name);
            if (index.Range is not null) used.Add(index.Range.Name);
        }
        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in definitions)
        {
            // AWS's text, for a name defined twice with the same type or with two (ack-api-quirks DDB-TABLE-042, captured
            // from AWS); DynamoDB Local says "Cannot have two attributes with the same name". Where among the schema
            // checks AWS makes it is inferred.
            if (!defined.Add(d.Name))
                throw DynamoException.Validation("Attribute Name is duplicated: " + d.Name);
        }
        if (defined.SetEquals(used)) return;
        if (indexes.Count == 0)
            throw DynamoException.Validation(Invalid + "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
        throw DynamoException.Validation(Invalid + "Some AttributeDefinitions are not used. AttributeDefinitions: ["
            + string.Join(", ", definitions.ConvertAll(d => d.Name)) + "], keys used: [" + string.Join(", ", used) + "]");
    }

    private static KeyAttribute? Find(List<KeyAttribute> definitions, string name)
    {
        foreach (var d in definitions) if (d.Name == name) return d;
        return null;
    }
}
