using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using static Handshake.Reliability.Tests.Fuzzing.ModelValues;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// BatchWriteItem over the fuzz's tables: puts and deletes, all applied. Two requests on one item (keys equal by value,
/// so 1E2 and 100 collide) are refused whole with AWS's message.
/// </summary>
internal sealed record BatchWriteItemOperation(List<(string Table, WriteRequest Request)> Requests) : ModelOperation
{
    public const string Duplicates = "error ValidationException: Provided list of item keys contains duplicates";

    public static BatchWriteItemOperation Generate(StoreModelGenerator g, StoreModel model)
    {
        List<(string, WriteRequest)> requests = [];
        for (int i = g.Random.Next(1, 6); i > 0; i--)
        {
            ModelTableShape shape = g.Pick(model.Tables.Values.ToList()).Shape;
            Dictionary<string, AttributeValue> key = g.PrimaryKey(shape);
            requests.Add((shape.Name, g.Chance(0.7)
                ? new WriteRequest(new PutRequest(g.Item(shape, key)))
                : new WriteRequest(new DeleteRequest(key))));
        }

        return new(requests);
    }

    private static Dictionary<string, AttributeValue> KeyOf(WriteRequest request) => request.PutRequest?.Item ?? request.DeleteRequest.Key;

    public override IEnumerable<string> Touches() => Requests.Select(r => ItemOf(r.Table, KeyOf(r.Request)));

    public override string Describe() => "BatchWriteItem " + string.Join(" ", Requests.Select(r =>
        r.Request.PutRequest is { } put ? $"{r.Table}:Put{Render(put.Item)}" : $"{r.Table}:Delete{Render(r.Request.DeleteRequest.Key)}"));

    public override string Expect(StoreModel model)
    {
        if (Requests.Select(r => r.Table + "/" + ModelTable.KeyOf(KeyOf(r.Request))).Distinct(StringComparer.Ordinal).Count() < Requests.Count)
        {
            return Duplicates;
        }

        foreach ((string table, WriteRequest request) in Requests)
        {
            if (request.PutRequest is { } put)
            {
                model.Tables[table].Put(put.Item);
            }
            else
            {
                model.Tables[table].Delete(request.DeleteRequest.Key);
            }
        }

        return "ok unprocessed 0";
    }

    public override Task<string> RunAsync(IAmazonDynamoDB client) => AnswerAsync(async () =>
    {
        BatchWriteItemResponse response = await client.BatchWriteItemAsync(new BatchWriteItemRequest
        {
            RequestItems = Requests.GroupBy(r => r.Table).ToDictionary(t => t.Key, t => t.Select(r => r.Request).ToList()),
        });
        return "ok unprocessed " + (response.UnprocessedItems?.Sum(t => t.Value.Count) ?? 0);
    });
}

/// <summary>One action of a transaction: its kind, item, condition and (for Update) clauses.</summary>
internal sealed record TransactAction(string Kind, string Table, Dictionary<string, AttributeValue> Key, Dictionary<string, AttributeValue>? Item, List<ModelUpdateAction>? Actions, ModelCondition? Condition, ExpressionParts Parts, string OnFailure);

/// <summary>
/// TransactWriteItems: all or nothing. Any failed condition cancels the whole transaction, with a reason per action in
/// request order (None or ConditionalCheckFailed); two actions on one item are refused with AWS's message.
/// </summary>
internal sealed record TransactWriteItemsOperation(List<TransactAction> Actions) : ModelOperation
{
    public const string MultipleOperations = "error ValidationException: Transaction request cannot include multiple operations on one item";

    public static TransactWriteItemsOperation Generate(StoreModelGenerator g, StoreModel model)
    {
        List<TransactAction> actions = [];
        for (int i = g.Random.Next(1, 5); i > 0; i--)
        {
            ModelTableShape shape = g.Pick(model.Tables.Values.ToList()).Shape;
            Dictionary<string, AttributeValue> key = g.PrimaryKey(shape);
            ExpressionParts parts = new();
            string kind = g.Pick(["Put", "Update", "Delete", "ConditionCheck"]);
            ModelCondition? condition = kind == "ConditionCheck" || g.Chance(0.4) ? g.Condition(parts) : null;
            string onFailure = condition is not null && g.Chance(0.3) ? "ALL_OLD" : "NONE";
            actions.Add(kind switch
            {
                "Put" => new(kind, shape.Name, key, g.Item(shape, key), null, condition, parts, onFailure),
                // An update that is refused (a missing operand, an invalid path) cancels the transaction with a
                // ValidationError reason; never together with a condition, whose order against it is not documented.
                "Update" => new(kind, shape.Name, key, null, StoreModelUpdates.Actions(g, shape, parts, mayFail: condition is null), condition, parts, onFailure),
                _ => new(kind, shape.Name, key, null, null, condition, parts, onFailure),
            });
        }

        return new(actions);
    }

    public override IEnumerable<string> Touches() => Actions.Select(a => ItemOf(a.Table, a.Key));

    public override string Describe() => "TransactWriteItems " + string.Join(" ", Actions.Select(a => $"{a.Table}:{a.Kind}"
        + (a.Item is null ? $" Key={Render(a.Key)}" : $" Item={Render(a.Item)}")
        + (a.Actions is null ? "" : $" UpdateExpression='{StoreModelUpdates.Expression(a.Actions)}'") + Text(a.Condition, a.Parts) + (a.OnFailure == "ALL_OLD" ? " ReturnValuesOnConditionCheckFailure=ALL_OLD" : "") + ";"));

    public override string Expect(StoreModel model)
    {
        if (Actions.Select(a => a.Table + "/" + ModelTable.KeyOf(a.Key)).Distinct(StringComparer.Ordinal).Count() < Actions.Count)
        {
            return MultipleOperations;
        }

        // Every condition reads the state before the transaction.
        // A failed one's reason carries the item under ReturnValuesOnConditionCheckFailure=ALL_OLD.
        List<string> reasons = Actions.Select(a => model.Tables[a.Table].Get(a.Key) is var old && (a.Condition is null || a.Condition.Holds(old))
            ? a.Actions is not null && StoreModelUpdates.Apply(a.Actions, old, a.Key).Error is { } error ? "ValidationError " + error : "None"
            : "ConditionalCheckFailed" + (a.OnFailure == "ALL_OLD" ? OldItem(old) : "")).ToList();
        if (reasons.Any(r => r != "None"))
        {
            return "cancelled " + string.Join(",", reasons);
        }

        foreach (TransactAction action in Actions)
        {
            ModelTable table = model.Tables[action.Table];
            switch (action.Kind)
            {
                case "Put":
                    table.Put(action.Item!);
                    break;
                case "Update":
                    table.Put(StoreModelUpdates.Apply(action.Actions!, table.Get(action.Key), action.Key).Item);
                    break;
                case "Delete":
                    table.Delete(action.Key);
                    break;
            }
        }

        return "ok {}";
    }

    public override Task<string> RunAsync(IAmazonDynamoDB client) => AnswerAsync(async () =>
    {
        await client.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = Actions.Select(Request).ToList() });
        return "ok {}";
    });

    private static TransactWriteItem Request(TransactAction a) => a.Kind switch
    {
        "Put" => new() { Put = new Put { TableName = a.Table, Item = a.Item, ConditionExpression = a.Condition?.Text, ExpressionAttributeNames = a.Parts.NamesOrNull, ExpressionAttributeValues = a.Parts.ValuesOrNull, ReturnValuesOnConditionCheckFailure = new ReturnValuesOnConditionCheckFailure(a.OnFailure) } },
        "Update" => new() { Update = new Update { TableName = a.Table, Key = a.Key, UpdateExpression = StoreModelUpdates.Expression(a.Actions!), ConditionExpression = a.Condition?.Text, ExpressionAttributeNames = a.Parts.NamesOrNull, ExpressionAttributeValues = a.Parts.ValuesOrNull, ReturnValuesOnConditionCheckFailure = new ReturnValuesOnConditionCheckFailure(a.OnFailure) } },
        "Delete" => new() { Delete = new Delete { TableName = a.Table, Key = a.Key, ConditionExpression = a.Condition?.Text, ExpressionAttributeNames = a.Parts.NamesOrNull, ExpressionAttributeValues = a.Parts.ValuesOrNull, ReturnValuesOnConditionCheckFailure = new ReturnValuesOnConditionCheckFailure(a.OnFailure) } },
        _ => new() { ConditionCheck = new ConditionCheck { TableName = a.Table, Key = a.Key, ConditionExpression = a.Condition!.Text, ExpressionAttributeNames = a.Parts.NamesOrNull, ExpressionAttributeValues = a.Parts.ValuesOrNull, ReturnValuesOnConditionCheckFailure = new ReturnValuesOnConditionCheckFailure(a.OnFailure) } },
    };
}
