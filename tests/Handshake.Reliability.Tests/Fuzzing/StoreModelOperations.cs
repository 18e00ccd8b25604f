using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Handshake.Reliability.Tests.Infrastructure;
using static Handshake.Reliability.Tests.Fuzzing.ModelValues;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// A write the fuzz sends: what it is (for the failure message), what the model says it answers (applying its effect to
/// the model when it succeeds), and what the store answers, both as one comparable line: "ok" and the returned
/// attributes, "error" and AWS's type and message, or "cancelled" and the cancellation reasons' codes.
/// </summary>
internal abstract record ModelOperation
{
    public const string ConditionFailed = "error ConditionalCheckFailedException: The conditional request failed";

    public abstract string Describe();

    public abstract string Expect(StoreModel model);

    public abstract Task<string> RunAsync(IAmazonDynamoDB client);

    /// <summary>The items the operation reads or writes (table and key by value): operations on disjoint items commute.</summary>
    public abstract IEnumerable<string> Touches();

    protected static string ItemOf(string table, IReadOnlyDictionary<string, AttributeValue> key) =>
        key.ContainsKey("pk") && key.ContainsKey("sk") ? table + "/" + ModelTable.KeyOf(key) : table + "/?";

    /// <summary>Sends the request; any AWS error becomes its line, so a wrong error is a mismatch like a wrong item.</summary>
    protected static async Task<string> AnswerAsync(Func<Task<string>> send)
    {
        try
        {
            return await send().WaitAsync(Timeouts.Default);
        }
        catch (TransactionCanceledException e)
        {
            return "cancelled " + string.Join(",", e.CancellationReasons?.Select(r => r.Code + (r.Code == "ValidationError" ? " " + r.Message : "") + OldItem(r.Item)) ?? []);
        }
        catch (ConditionalCheckFailedException e)
        {
            return $"error {e.ErrorCode}: {e.Message}" + OldItem(e.Item);
        }
        catch (AmazonDynamoDBException e)
        {
            return $"error {e.ErrorCode}: {e.Message}";
        }
    }

    /// <summary>The item a failed condition returns under ReturnValuesOnConditionCheckFailure=ALL_OLD, when there is one.</summary>
    public static string OldItem(Dictionary<string, AttributeValue>? item) => item is { Count: > 0 } ? " item=" + Render(item) : "";

    protected static string Failed(Dictionary<string, AttributeValue>? old, string onFailure) => ConditionFailed + (onFailure == "ALL_OLD" ? OldItem(old) : "");

    protected static string Returned(Dictionary<string, AttributeValue>? attributes) => "ok " + Render(attributes);

    protected static string Text(ModelCondition? condition, ExpressionParts parts) =>
        (condition is null ? "" : $" ConditionExpression='{condition.Text}'") + " " + parts.Describe();

    public static ModelOperation Next(StoreModelGenerator g, StoreModel model)
    {
        ModelTableShape shape = g.Pick(model.Tables.Values.ToList()).Shape;
        Dictionary<string, AttributeValue> key = g.PrimaryKey(shape);
        ExpressionParts parts = new();
        ModelCondition? condition = g.Chance(0.35) ? g.Condition(parts) : null;
        string onFailure = condition is not null && g.Chance(0.3) ? "ALL_OLD" : "NONE";
        switch (g.Random.Next(10))
        {
            case < 3:
            {
                Dictionary<string, AttributeValue> item = g.Item(shape, key);
                if (condition is null && g.Chance(0.06))
                {
                    // A refused item: one key attribute of the wrong type, empty, or missing.
                    (string attribute, AttributeValue? value) = StoreModelValidation.Fault(g, shape, tableKeys: true);
                    if (value is null)
                    {
                        item.Remove(attribute);
                    }
                    else
                    {
                        item[attribute] = value;
                    }
                }

                return new PutItemOperation(shape.Name, item, condition, parts, g.Pick(["NONE", "ALL_OLD"]), onFailure);
            }
            case < 6:
            {
                bool mayFail = condition is null;
                List<ModelUpdateAction> actions = mayFail && g.Chance(0.05)
                    ? [StoreModelUpdates.Faulty(g, shape, parts)]
                    : StoreModelUpdates.Actions(g, shape, parts, mayFail);
                // UPDATED_* of a nested path returns only that path's part of the attribute: whole attributes only here.
                bool nested = actions.Any(a => a.Text.Contains('.', StringComparison.Ordinal) || a.Text.Contains('[', StringComparison.Ordinal));
                string returnValues = nested ? g.Pick(["NONE", "ALL_OLD", "ALL_NEW"]) : g.Pick(["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"]);
                return new UpdateItemOperation(shape.Name, key, actions, condition, parts, returnValues, onFailure);
            }

            case 6:
                return new DeleteItemOperation(shape.Name, key, condition, parts, g.Pick(["NONE", "ALL_OLD"]), onFailure);
            case 7 or 8:
                return BatchWriteItemOperation.Generate(g, model);
            default:
                return TransactWriteItemsOperation.Generate(g, model);
        }
    }
}

internal sealed record PutItemOperation(string Table, Dictionary<string, AttributeValue> Item, ModelCondition? Condition, ExpressionParts Parts, string ReturnValues, string OnFailure) : ModelOperation
{
    public override IEnumerable<string> Touches() => [ItemOf(Table, Item)];

    public override string Describe() => $"PutItem {Table} Item={Render(Item)}{Text(Condition, Parts)} ReturnValues={ReturnValues} ReturnValuesOnConditionCheckFailure={OnFailure}";

    public override string Expect(StoreModel model)
    {
        ModelTable table = model.Tables[Table];
        if (StoreModelValidation.Item(table.Shape, Item, fromUpdate: false) is { } invalid)
        {
            return "error ValidationException: " + invalid;
        }

        Dictionary<string, AttributeValue>? old = table.Get(Item);
        if (Condition is not null && !Condition.Holds(old))
        {
            return Failed(old, OnFailure);
        }

        table.Put(Item);
        return Returned(ReturnValues == "ALL_OLD" ? old : null);
    }

    public override Task<string> RunAsync(IAmazonDynamoDB client) => AnswerAsync(async () => Returned((await client.PutItemAsync(new PutItemRequest
    {
        TableName = Table,
        Item = Item,
        ConditionExpression = Condition?.Text,
        ExpressionAttributeNames = Parts.NamesOrNull,
        ExpressionAttributeValues = Parts.ValuesOrNull,
        ReturnValues = new ReturnValue(ReturnValues),
        ReturnValuesOnConditionCheckFailure = new ReturnValuesOnConditionCheckFailure(OnFailure),
    })).Attributes));
}

internal sealed record UpdateItemOperation(string Table, Dictionary<string, AttributeValue> Key, List<ModelUpdateAction> Actions, ModelCondition? Condition, ExpressionParts Parts, string ReturnValues, string OnFailure) : ModelOperation
{
    public override IEnumerable<string> Touches() => [ItemOf(Table, Key)];

    public override string Describe() => $"UpdateItem {Table} Key={Render(Key)} UpdateExpression='{StoreModelUpdates.Expression(Actions)}'{Text(Condition, Parts)} ReturnValues={ReturnValues} ReturnValuesOnConditionCheckFailure={OnFailure}";

    public override string Expect(StoreModel model)
    {
        ModelTable table = model.Tables[Table];
        Dictionary<string, AttributeValue>? old = table.Get(Key);
        if (Condition is not null && !Condition.Holds(old))
        {
            return Failed(old, OnFailure);
        }

        (Dictionary<string, AttributeValue> next, string? error) = StoreModelUpdates.Apply(Actions, old, Key);
        if ((error ?? StoreModelValidation.Item(table.Shape, next, fromUpdate: true)) is { } refused)
        {
            return "error ValidationException: " + refused;
        }

        table.Put(next);
        // UPDATED_*: only the attributes the expression names, as they were before or are after (where present).
        HashSet<string> touched = Actions.Select(a => a.Attribute).ToHashSet();
        return Returned(ReturnValues switch
        {
            "ALL_OLD" => old,
            "ALL_NEW" => next,
            "UPDATED_OLD" => old?.Where(p => touched.Contains(p.Key)).ToDictionary(),
            "UPDATED_NEW" => next.Where(p => touched.Contains(p.Key)).ToDictionary(),
            _ => null,
        });
    }

    public override Task<string> RunAsync(IAmazonDynamoDB client) => AnswerAsync(async () => Returned((await client.UpdateItemAsync(new UpdateItemRequest
    {
        TableName = Table,
        Key = Key,
        UpdateExpression = StoreModelUpdates.Expression(Actions),
        ConditionExpression = Condition?.Text,
        ExpressionAttributeNames = Parts.NamesOrNull,
        ExpressionAttributeValues = Parts.ValuesOrNull,
        ReturnValues = new ReturnValue(ReturnValues),
        ReturnValuesOnConditionCheckFailure = new ReturnValuesOnConditionCheckFailure(OnFailure),
    })).Attributes));
}

internal sealed record DeleteItemOperation(string Table, Dictionary<string, AttributeValue> Key, ModelCondition? Condition, ExpressionParts Parts, string ReturnValues, string OnFailure) : ModelOperation
{
    public override IEnumerable<string> Touches() => [ItemOf(Table, Key)];

    public override string Describe() => $"DeleteItem {Table} Key={Render(Key)}{Text(Condition, Parts)} ReturnValues={ReturnValues} ReturnValuesOnConditionCheckFailure={OnFailure}";

    public override string Expect(StoreModel model)
    {
        ModelTable table = model.Tables[Table];
        Dictionary<string, AttributeValue>? old = table.Get(Key);
        if (Condition is not null && !Condition.Holds(old))
        {
            return Failed(old, OnFailure);
        }

        table.Delete(Key);
        return Returned(ReturnValues == "ALL_OLD" ? old : null);
    }

    public override Task<string> RunAsync(IAmazonDynamoDB client) => AnswerAsync(async () => Returned((await client.DeleteItemAsync(new DeleteItemRequest
    {
        TableName = Table,
        Key = Key,
        ConditionExpression = Condition?.Text,
        ExpressionAttributeNames = Parts.NamesOrNull,
        ExpressionAttributeValues = Parts.ValuesOrNull,
        ReturnValues = new ReturnValue(ReturnValues),
        ReturnValuesOnConditionCheckFailure = new ReturnValuesOnConditionCheckFailure(OnFailure),
    })).Attributes));
}
