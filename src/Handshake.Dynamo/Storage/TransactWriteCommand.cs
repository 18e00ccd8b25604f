using Handshake.Dynamo.Model;
using Handshake.Dynamo.Operations;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// A whole TransactWriteItems as one command of the group commit, inside a savepoint. The single writer thread
/// makes it serializable against every other write: first every action is evaluated against the items as they are
/// (conditions, the update's result, index key types, sizes), collecting one cancellation reason per action in
/// request order; only if none failed are the writes applied. A cancelled transaction writes nothing.
/// </summary>
internal sealed class TransactWriteCommand(List<TransactAction> actions, string? token, byte[] requestHash, TransactionTokens tokens, TimeProvider clock,
    string? returnItemCollectionMetrics = null)
    : WriteCommand
{
    public override bool NeedsSavepoint => true;

    /// <summary>The larger of each item's old and new size, for capacity.</summary>
    public int[] Sizes { get; } = new int[actions.Count];

    /// <summary>The index writes of each action, taken after it, so each name the request gives a table is charged its own.</summary>
    public List<IndexWriteUnits>?[] IndexUnits { get; } = new List<IndexWriteUnits>?[actions.Count];

    /// <summary>
    /// The item collections the Put, Update and Delete actions wrote (a ConditionCheck writes none), measured after
    /// the writes when ReturnItemCollectionMetrics=SIZE; empty for a replay, which wrote nothing.
    /// </summary>
    public List<(TableDefinition Table, string RequestedName, byte[] Hash, long Bytes)> Collections { get; private set; } = [];

    /// <summary>True when the token matched an earlier identical transaction: nothing was applied again.</summary>
    public bool Replayed { get; private set; }

    public override void Apply(WriteContext context)
    {
        if (token is not null && tokens.Check(token, requestHash, clock.GetUtcNow()))
        {
            Replayed = true;
            return;
        }
        foreach (var a in actions) if (a.Table.IsDeleted) throw DynamoException.ResourceNotFound();

        var reasons = new CancellationReason[actions.Count];
        var newItems = new (byte[] Bytes, int Size)?[actions.Count];
        var existed = new (bool Existed, int Size)[actions.Count];
        var oldItems = new byte[]?[actions.Count];
        bool cancelled = false;
        for (int i = 0; i < actions.Count; i++)
        {
            var a = actions[i];
            if (a.KeyError is not null)
            {
                reasons[i] = new CancellationReason("ValidationError", a.KeyError, null);
                cancelled = true;
                continue;
            }
            bool wantItem = a.Condition is not null || a.Kind == TransactActionKind.Update || a.Table.Stream is not null;
            bool exists = context.TryReadItem(a.Table, a.PrimaryKey, wantItem, out int oldSize, out var oldBytes);
            existed[i] = (exists, oldSize);
            oldItems[i] = oldBytes;
            var old = oldBytes is null ? null : StoredItem.Parse(oldBytes);
            if (a.Condition is not null && !a.Condition.Evaluate(old))
            {
                reasons[i] = new CancellationReason(a.ConditionFailedCode, a.ConditionFailedMessage, a.ReturnOldOnFailure ? oldBytes : null);
                cancelled = true;
                continue;
            }
            try
            {
                newItems[i] = Compute(a, old);
            }
            catch (DynamoException e) when (e.Code == DynamoErrorCode.ValidationException && !e.Message.StartsWith("One or more parameter values are not valid.", StringComparison.Ordinal))
            {
                reasons[i] = new CancellationReason("ValidationError", e.Message, null);
                cancelled = true;
            }
            Sizes[i] = Math.Max(oldSize, newItems[i]?.Size ?? 0);
        }
        if (cancelled) throw TransactionCanceled.Create(reasons);

        for (int i = 0; i < actions.Count; i++)
        {
            var a = actions[i];
            if (newItems[i] is { } item) context.Upsert(a.Table, a.PrimaryKey, item.Size, item.Bytes, existed[i].Existed, existed[i].Size, oldItems[i]);
            else if (a.Kind == TransactActionKind.Delete && existed[i].Existed) context.Delete(a.Table, a.PrimaryKey, existed[i].Size, oldItems[i]);
            IndexUnits[i] = context.TakeIndexUnits();
        }
        Collections = ItemCollectionMetrics.Measure(context, returnItemCollectionMetrics,
            actions.Where(a => a.Kind != TransactActionKind.ConditionCheck).Select(a => (a.Table, a.RequestedName, a.PrimaryKey.Hash)));
        // Remembered now, in memory and in the same savepoint as the writes: a retry with the same token may sit in
        // the same group commit and must already see it. A failed commit rolls the row back and the store reloads the
        // tokens from the database (LoadCatalog), so a retry runs.
        if (token is not null) tokens.Remember(context, token, requestHash, clock.GetUtcNow());
    }

    // The item an action writes (null: it writes none). Throws the item-dependent validation errors; an empty index
    // key set by an UpdateExpression stays a top-level error, as DynamoDB checks it before the transaction.
    private static (byte[], int)? Compute(TransactAction a, Dictionary<string, AttributeValue>? old)
    {
        switch (a.Kind)
        {
            case TransactActionKind.Put:
                SecondaryIndexKey.Validate(a.Table, a.Item!);
                return (a.ItemBytes!, a.ItemSize);
            case TransactActionKind.Update:
            {
                var basis = old ?? new Dictionary<string, AttributeValue>(a.Key!, StringComparer.Ordinal);
                var updated = a.Update!.Apply(basis);
                int size = ItemSize.Of(updated);
                if (size > ItemSize.MaxItemBytes) throw DynamoException.Validation("Item size to update has exceeded the maximum allowed size");
                // As UpdateItem checks the item it produces: an update must not store what PutItem would refuse.
                ItemNesting.Validate(updated);
                SecondaryIndexKey.Validate(a.Table, updated, fromUpdateExpression: true);
                return (StoredItem.Serialize(updated), size);
            }
            default:
                return null;
        }
    }
}

/// <summary>One entry of TransactionCanceledException.CancellationReasons.</summary>
internal readonly record struct CancellationReason(string? Code, string? Message, byte[]? Item);

/// <summary>TransactionCanceledException with its reasons, one per action in request order ("None" for the rest).</summary>
internal static class TransactionCanceled
{
    public static DynamoException Create(CancellationReason[] reasons)
    {
        var codes = new string[reasons.Length];
        for (int i = 0; i < reasons.Length; i++) codes[i] = reasons[i].Code ?? "None";
        return new DynamoException(DynamoErrorCode.TransactionCanceledException,
            "Transaction cancelled, please refer cancellation reasons for specific reasons [" + string.Join(", ", codes) + "]")
        {
            WriteExtraMembers = w =>
            {
                w.WriteStartArray("CancellationReasons"u8);
                foreach (var r in reasons)
                {
                    w.WriteStartObject();
                    if (r.Item is not null)
                    {
                        w.WritePropertyName("Item"u8);
                        w.WriteRawValue(r.Item, skipInputValidation: true);
                    }
                    w.WriteString("Code"u8, r.Code ?? "None");
                    if (r.Message is not null) w.WriteString("Message"u8, r.Message);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            },
        };
    }
}
