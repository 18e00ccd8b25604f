using System.Text.Json;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

internal enum TransactActionKind : byte
{
    ConditionCheck, Put, Delete, Update,
}

/// <summary>
/// One action of TransactWriteItems, read from its request member and resolved against its table before the
/// transaction runs: everything that does not depend on the items (member constraints, expressions, key schema,
/// index key emptiness) is a top-level ValidationException, as in DynamoDB; what depends on the items is decided on
/// the writer thread and becomes a cancellation reason.
/// </summary>
internal sealed class TransactAction
{
    public TransactActionKind Kind;
    public string? TableName, ConditionExpression, UpdateExpression, OnFailure;
    public Dictionary<string, AttributeValue>? Key, Item;
    public readonly ExpressionMembers Expressions = new();
    public string? ValueError;
    public bool HasMember;
    public int Members;

    // Resolved by Prepare.
    public TableDefinition Table = null!;

    /// <summary>
    /// The table as the action named it, name or ARN, which the response's ConsumedCapacity and ItemCollectionMetrics
    /// echo. A PartiQL statement (ExecuteTransaction) names its table in the statement and leaves TableName unset.
    /// </summary>
    public string RequestedName => TableName ?? Table.Name;
    public PrimaryKey PrimaryKey;
    public byte[]? ItemBytes;
    public int ItemSize;
    public ConditionNode? Condition;
    public UpdateExpression? Update;
    public bool ReturnOldOnFailure;

    /// <summary>The cancellation reason of a failed condition: a PartiQL INSERT's existing item is a DuplicateItem.</summary>
    public string ConditionFailedCode = "ConditionalCheckFailed";
    public string ConditionFailedMessage = "The conditional request failed";

    /// <summary>
    /// A table key of the wrong type (a list or map included): DynamoDB decides it per action and cancels the
    /// transaction with this ValidationError reason instead of refusing the request (as the public DynamoDB
    /// conformance suite captured from AWS). A missing or empty key attribute stays a top-level error.
    /// </summary>
    public string? KeyError;

    /// <summary>Reads one element of TransactItems (an object holding exactly one action).</summary>
    public static TransactAction Read(ref Utf8JsonReader reader)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
        var action = new TransactAction();
        while (JsonRequest.NextMember(ref reader))
        {
            TransactActionKind? kind = null;
            if (reader.ValueTextEquals("ConditionCheck"u8)) kind = TransactActionKind.ConditionCheck;
            else if (reader.ValueTextEquals("Put"u8)) kind = TransactActionKind.Put;
            else if (reader.ValueTextEquals("Delete"u8)) kind = TransactActionKind.Delete;
            else if (reader.ValueTextEquals("Update"u8)) kind = TransactActionKind.Update;
            if (kind is null || !JsonRequest.ValueOf(ref reader))
            {
                JsonRequest.SkipValue(ref reader);
                continue;
            }
            action.Kind = kind.Value;
            action.Members++;
            action.HasMember = true;
            action.ReadBody(ref reader);
        }
        return action;
    }

    private void ReadBody(ref Utf8JsonReader reader)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("TableName"u8)) { if (JsonRequest.ValueOf(ref reader)) TableName = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("Key"u8)) { if (JsonRequest.ValueOf(ref reader)) Key = AttributeValueJson.ReadMap(ref reader, ref ValueError); }
            else if (reader.ValueTextEquals("Item"u8)) { if (JsonRequest.ValueOf(ref reader)) Item = AttributeValueJson.ReadMap(ref reader, ref ValueError); }
            else if (reader.ValueTextEquals("ConditionExpression"u8)) { if (JsonRequest.ValueOf(ref reader)) ConditionExpression = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("UpdateExpression"u8)) { if (JsonRequest.ValueOf(ref reader)) UpdateExpression = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ExpressionAttributeNames"u8)) { if (JsonRequest.ValueOf(ref reader)) Expressions.ReadNames(ref reader); }
            else if (reader.ValueTextEquals("ExpressionAttributeValues"u8)) { if (JsonRequest.ValueOf(ref reader)) Expressions.ReadValues(ref reader); }
            else if (reader.ValueTextEquals("ReturnValuesOnConditionCheckFailure"u8)) { if (JsonRequest.ValueOf(ref reader)) OnFailure = JsonRequest.ReadString(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }
    }

    private string MemberPath(int index) => "transactItems." + (index + 1) + ".member." + Kind switch
    {
        TransactActionKind.ConditionCheck => "conditionCheck",
        TransactActionKind.Put => "put",
        TransactActionKind.Delete => "delete",
        _ => "update",
    };

    /// <summary>The member constraints of this action (reported with the request's other member errors).</summary>
    public void ValidateMembers(int index, ValidationErrors errors)
    {
        if (!HasMember) return;
        string path = MemberPath(index);
        errors.TableNameOrArn(TableName, path + ".tableName");
        if (Kind == TransactActionKind.Put) errors.NotNull(Item, path + ".item");
        else errors.NotNull(Key, path + ".key");
        if (Kind == TransactActionKind.ConditionCheck) errors.NotNull(ConditionExpression, path + ".conditionExpression");
        if (Kind == TransactActionKind.Update) errors.NotNull(UpdateExpression, path + ".updateExpression");
        errors.Enum(OnFailure, path + ".returnValuesOnConditionCheckFailure", "ALL_OLD, NONE", "ALL_OLD", "NONE");
    }

    /// <summary>Parses the expressions and resolves table and key; throws the top-level errors.</summary>
    public void Prepare(DynamoStore store)
    {
        if (Members != 1) throw DynamoException.Validation("TransactItems can only contain one of Check, Put, Update or Delete");
        if (ValueError is not null) throw DynamoException.Validation(ValueError);
        string names = Kind == TransactActionKind.Update ? "UpdateExpression and ConditionExpression" : "ConditionExpression";
        var attributes = Expressions.Prepare(ConditionExpression is not null || UpdateExpression is not null, names);
        if (UpdateExpression is not null) Update = ExpressionParser.ParseUpdate(UpdateExpression, attributes);
        if (ConditionExpression is not null) Condition = ExpressionParser.ParseCondition(ConditionExpression, attributes);
        attributes.ThrowIfUnused();
        ReturnOldOnFailure = OnFailure == "ALL_OLD";

        Table = store.GetTable(TableName!);
        if (Kind == TransactActionKind.Put)
        {
            ItemSize = Model.ItemSize.Of(Item!);
            if (ItemSize > Model.ItemSize.MaxItemBytes) throw DynamoException.Validation("Item size has exceeded the maximum allowed size");
            ItemNesting.Validate(Item!);
            SecondaryIndexKey.ValidateNotEmpty(Table, Item!, fromUpdateExpression: false);
            ItemBytes = StoredItem.Serialize(Item!);
            KeyError = WrongTypedKey(Item!, fromItem: true);
            if (KeyError is null) PrimaryKey = PrimaryKey.FromItem(Table, Item!);
            return;
        }
        KeyError = WrongTypedKey(Key!, fromItem: false);
        if (KeyError is null) PrimaryKey = PrimaryKey.FromKey(Table, Key!);
        if (Update is not null)
        {
            foreach (var action in Update.Actions)
            {
                var top = action.Path.TopLevelName;
                if (top == Table.Hash.Name || top == Table.Range?.Name)
                    throw DynamoException.Validation("One or more parameter values were invalid: Cannot update attribute " + top + ". This attribute is part of the key");
            }
        }
    }

    // The message PutItem (an item) or the key-only operations (a Key) give for a wrong-typed key; null when every key
    // attribute is present with its type, or when one is missing (PrimaryKey reports that at the top level).
    private string? WrongTypedKey(Dictionary<string, AttributeValue> values, bool fromItem)
    {
        if (!fromItem && values.Count != (Table.Range is null ? 1 : 2)) return null;
        foreach (var attribute in Table.Range is null ? [Table.Hash] : new[] { Table.Hash, Table.Range })
        {
            if (!values.TryGetValue(attribute.Name, out var value)) return null;
            if (value.Type != attribute.Type)
                return fromItem
                    ? "One or more parameter values were invalid: Type mismatch for key " + attribute.Name + " expected: " + attribute.Type + " actual: " + value.Type
                    : PrimaryKey.KeyMismatch;
        }
        return null;
    }

    /// <summary>The request size this action adds toward the 4 MB transaction limit.</summary>
    public int RequestBytes => ItemSize + (Key is null ? 0 : Model.ItemSize.Of(Key));
}
