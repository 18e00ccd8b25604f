using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Operations;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.PartiQL;

/// <summary>
/// An INSERT, UPDATE or DELETE as the store's own write commands: INSERT is PutItem conditioned on the item not
/// existing (a failure becomes DuplicateItemException), UPDATE is UpdateItem conditioned on the item existing and on
/// the rest of the WHERE clause, DELETE is DeleteItem conditioned on the rest of the WHERE clause when the item
/// exists (deleting a missing item is a no-op, as on AWS).
/// </summary>
internal sealed class PartiQLWrite
{
    private PartiQLWrite(PartiQLStatement statement, TableDefinition table, WriteCommand command)
    {
        Statement = statement;
        Table = table;
        Command = command;
    }

    public PartiQLStatement Statement { get; }
    public TableDefinition Table { get; }
    public WriteCommand Command { get; }

    /// <summary>The table and key the write names (for duplicate detection in a batch).</summary>
    public (long Table, PrimaryKey Key) Target => (Table.InternalId, _key);

    private PrimaryKey _key;

    /// <summary>Validates the statement against its table and builds the command (nothing is written yet).</summary>
    public static PartiQLWrite Prepare(DynamoStore store, PartiQLStatement statement, bool returnOldOnFailure)
    {
        if (statement.IndexName is not null) throw DynamoException.Validation(PartiQLErrors.NotOnIndex);
        var table = store.GetTable(statement.TableName);
        switch (statement)
        {
            case InsertStatement insert:
            {
                var item = insert.Item;
                int size = ItemSize.Of(item);
                if (size > ItemSize.MaxItemBytes) throw DynamoException.Validation("Item size has exceeded the maximum allowed size");
                ItemNesting.Validate(item);
                var key = PrimaryKey.FromItem(table, item);
                SecondaryIndexKey.Validate(table, item);
                var command = new PutItem.PutItemCommand(table, key, StoredItem.Serialize(item), size, StatementKeys.Exists(table, false),
                    returnOld: false, returnOldOnFailure: false, returnItemCollectionMetrics: null);
                return new PartiQLWrite(statement, table, command) { _key = key };
            }
            case UpdateStatement update:
            {
                var keyValues = StatementKeys.FullKey(table, update.Where, PartiQLErrors.IncompleteKey, out var rest);
                var key = PrimaryKey.FromKey(table, keyValues);
                foreach (var action in update.Actions)
                {
                    var top = action.Path.TopLevelName;
                    if (top == table.Hash.Name || top == table.Range?.Name)
                        throw DynamoException.Validation("One or more parameter values were invalid: Cannot update attribute " + top + ". This attribute is part of the key");
                }
                ConditionNode condition = StatementKeys.Exists(table, true);
                if (rest is not null) condition = new AndNode(condition, rest);
                string returnValues = update.Returning switch
                {
                    Returning.AllOld => "ALL_OLD",
                    Returning.ModifiedOld => "UPDATED_OLD",
                    Returning.AllNew => "ALL_NEW",
                    Returning.ModifiedNew => "UPDATED_NEW",
                    _ => "NONE",
                };
                var command = new UpdateItem.UpdateItemCommand(table, key, keyValues, new UpdateExpression(update.Actions), condition, returnValues,
                    returnOldOnFailure, returnItemCollectionMetrics: null);
                return new PartiQLWrite(statement, table, command) { _key = key };
            }
            case DeleteStatement delete:
            {
                var keyValues = StatementKeys.FullKey(table, delete.Where, PartiQLErrors.IncompleteKey, out var rest);
                var key = PrimaryKey.FromKey(table, keyValues);
                // The rest of the WHERE clause is a condition on an existing item only: a missing item is not deleted
                // and does not fail.
                ConditionNode? condition = rest is null ? null : new OrNode(StatementKeys.Exists(table, false), rest);
                var command = new DeleteItem.DeleteItemCommand(table, key, condition, returnOld: delete.Returning == Returning.AllOld,
                    returnOldOnFailure, returnItemCollectionMetrics: null);
                return new PartiQLWrite(statement, table, command) { _key = key };
            }
            default:
                throw new InvalidOperationException("not a write");
        }
    }

    /// <summary>Runs the write through the group commit; an INSERT over an existing item is DuplicateItemException.</summary>
    public async Task RunAsync(DynamoStore store)
    {
        try
        {
            await store.WriteAsync(Command).ConfigureAwait(false);
        }
        catch (DynamoException e) when (Statement is InsertStatement && e.Code == DynamoErrorCode.ConditionalCheckFailedException)
        {
            throw PartiQLErrors.DuplicateItemException();
        }
    }

    /// <summary>The item RETURNING asks for after the write; null when there is none (Items is then empty).</summary>
    public Dictionary<string, AttributeValue>? Returned()
    {
        switch (Command)
        {
            case UpdateItem.UpdateItemCommand u:
                return u.ReturnedAttributes() is { Count: > 0 } attributes ? attributes : null;
            case DeleteItem.DeleteItemCommand d when ((DeleteStatement)Statement).Returning == Returning.AllOld && d.OldItem is { } old:
                return StoredItem.Parse(old);
            default:
                return null;
        }
    }

    /// <summary>Write units as the underlying PutItem, UpdateItem or DeleteItem reports them, and the index writes.</summary>
    public (double Units, List<IndexWriteUnits>? Indexes) Capacity() => Command switch
    {
        UpdateItem.UpdateItemCommand u => (ConsumedCapacity.WriteUnits(u.OldSize, u.NewSize), u.IndexUnits),
        PutItem.PutItemCommand p => (ConsumedCapacity.WriteUnits(p.OldSize, p.WrittenSize), p.IndexUnits),
        ConditionalWriteCommand c => (ConsumedCapacity.WriteUnits(c.OldSize, 0), c.IndexUnits),
        _ => (0, null),
    };

    /// <summary>
    /// The same statement as one action of a write transaction (TransactWriteItems' Put, Update, Delete or
    /// ConditionCheck), decided in the one TransactWriteCommand with the others.
    /// </summary>
    public static TransactAction ToTransactAction(DynamoStore store, PartiQLStatement statement, bool returnOldOnFailure)
    {
        if (statement.IndexName is not null) throw DynamoException.Validation("Operations on indices are not supported in transactions");
        var table = store.GetTable(statement.TableName);
        var action = new TransactAction { Table = table, ReturnOldOnFailure = returnOldOnFailure };
        switch (statement)
        {
            case InsertStatement insert:
            {
                var item = insert.Item;
                action.Kind = TransactActionKind.Put;
                action.Item = item;
                action.ItemSize = ItemSize.Of(item);
                if (action.ItemSize > ItemSize.MaxItemBytes) throw DynamoException.Validation("Item size has exceeded the maximum allowed size");
                ItemNesting.Validate(item);
                SecondaryIndexKey.ValidateNotEmpty(table, item, fromUpdateExpression: false);
                action.PrimaryKey = PrimaryKey.FromItem(table, item);
                action.ItemBytes = StoredItem.Serialize(item);
                action.Condition = StatementKeys.Exists(table, false);
                action.ConditionFailedCode = "DuplicateItem";
                action.ConditionFailedMessage = PartiQLErrors.DuplicateItem;
                action.ReturnOldOnFailure = false;
                return action;
            }
            case UpdateStatement update:
            {
                var prepared = Prepare(store, update, returnOldOnFailure);
                var command = (UpdateItem.UpdateItemCommand)prepared.Command;
                action.Kind = TransactActionKind.Update;
                action.Key = StatementKeys.FullKey(table, update.Where, PartiQLErrors.IncompleteKey, out var rest);
                action.PrimaryKey = command.Key;
                action.Update = new UpdateExpression(update.Actions);
                ConditionNode condition = StatementKeys.Exists(table, true);
                action.Condition = rest is null ? condition : new AndNode(condition, rest);
                return action;
            }
            case DeleteStatement delete:
            {
                action.Kind = TransactActionKind.Delete;
                action.Key = StatementKeys.FullKey(table, delete.Where, PartiQLErrors.IncompleteKey, out var rest);
                action.PrimaryKey = PrimaryKey.FromKey(table, action.Key);
                action.Condition = rest is null ? null : new OrNode(StatementKeys.Exists(table, false), rest);
                return action;
            }
            case SelectStatement { IsExists: true } exists:
            {
                action.Kind = TransactActionKind.ConditionCheck;
                action.Key = StatementKeys.FullKey(table, exists.Where, "EXISTS() must contain a single item read with additional condition", out var rest);
                action.PrimaryKey = PrimaryKey.FromKey(table, action.Key);
                ConditionNode condition = StatementKeys.Exists(table, true);
                action.Condition = rest is null ? condition : new AndNode(condition, rest);
                return action;
            }
            default:
                throw new InvalidOperationException("not a write");
        }
    }
}
