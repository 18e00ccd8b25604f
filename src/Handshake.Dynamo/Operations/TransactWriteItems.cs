using System.Security.Cryptography;
using System.Text.Json;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// TransactWriteItems: up to 100 ConditionCheck, Put, Delete and Update actions on distinct items, at most 4 MB,
/// all applied or none (<see cref="TransactWriteCommand"/>). A ClientRequestToken makes a retry within 10 minutes
/// a no-op. Transactions cost twice the capacity of the equivalent plain writes.
/// </summary>
internal static class TransactWriteItems
{
    public const int MaxActions = 100;
    public const int MaxRequestBytes = 4 * 1024 * 1024;

    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        List<TransactAction>? actions = null;
        string? token = null, returnCapacity = null, metrics = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("TransactItems"u8))
            {
                if (!JsonRequest.ValueOf(ref reader)) continue;
                JsonRequest.ExpectArray(ref reader);
                actions = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    if (reader.TokenType != JsonTokenType.Null) actions.Add(TransactAction.Read(ref reader));
            }
            else if (reader.ValueTextEquals("ClientRequestToken"u8)) { if (JsonRequest.ValueOf(ref reader)) token = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ReturnConsumedCapacity"u8)) { if (JsonRequest.ValueOf(ref reader)) returnCapacity = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ReturnItemCollectionMetrics"u8)) { if (JsonRequest.ValueOf(ref reader)) metrics = JsonRequest.ReadString(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }

        var errors = new ValidationErrors();
        ValidateCount(actions, "TransactWriteItem", errors);
        if (actions is not null) for (int i = 0; i < actions.Count; i++) actions[i].ValidateMembers(i, errors);
        ConsumedCapacity.Validate(returnCapacity, errors);
        ReturnValuesMember.ValidateItemCollectionMetrics(metrics, errors);
        if (token is { Length: 0 }) errors.Add(token, "clientRequestToken", "Member must have length greater than or equal to 1");
        if (token is { Length: > 36 }) errors.Add(token, "clientRequestToken", "Member must have length less than or equal to 36");
        errors.ThrowIfAny();

        var seen = new HashSet<(long, PrimaryKey)>();
        long bytes = 0;
        foreach (var action in actions!)
        {
            action.Prepare(store);
            bytes += action.RequestBytes;
            if (action.KeyError is null && !seen.Add((action.Table.InternalId, action.PrimaryKey)))
                throw DynamoException.Validation("Transaction request cannot include multiple operations on one item");
        }
        ThrowIfOverSizeLimit(bytes);

        var command = new TransactWriteCommand(actions, token, SHA256.HashData(body.Span), store.TransactionTokens, store.Clock, metrics);
        await store.WriteAsync(command).ConfigureAwait(false);

        var w = response.Writer;
        w.WriteStartObject();
        WriteCapacity(w, ConsumedCapacity.Mode(returnCapacity), actions, command);
        ItemCollectionMetrics.WritePerTable(w, command.Collections);
        w.WriteEndObject();
    }

    /// <summary>ConsumedCapacity of a committed (or replayed) write transaction; ExecuteTransaction reports the same.</summary>
    internal static void WriteCapacity(System.Text.Json.Utf8JsonWriter w, CapacityMode mode, List<TransactAction> actions, TransactWriteCommand command)
    {
        if (mode != CapacityMode.None)
        {
            // Per table as the actions named it (name or ARN), in order of first appearance; a transaction costs twice
            // its plain writes, index writes too. AWS documents only that an ARN in the input comes back as the ARN
            // (API reference, ConsumedCapacity.TableName), not what one table named both ways answers: like
            // BatchWriteItem, each name gets its own entry with the units of its own actions.
            var perTable = new List<(string Requested, TableDefinition Table, double Units, List<IndexWriteUnits>? Indexes)>();
            for (int i = 0; i < actions.Count; i++)
            {
                double units = 2 * ConsumedCapacity.WriteUnits(command.Sizes[i], 0);
                string requested = actions[i].RequestedName;
                int at = perTable.FindIndex(t => t.Requested == requested);
                if (at < 0) perTable.Add((requested, actions[i].Table, units, null));
                else perTable[at] = perTable[at] with { Units = perTable[at].Units + units };
                // A replay applied nothing: like DynamoDB, it reports read capacity for looking the token up.
                if (!command.Replayed && command.IndexUnits[i] is { } raw)
                {
                    at = at < 0 ? perTable.Count - 1 : at;
                    var indexes = perTable[at].Indexes ?? [];
                    foreach (var u in raw) indexes.Add(u with { Units = 2 * u.Units });
                    perTable[at] = perTable[at] with { Indexes = indexes };
                }
            }
            w.WriteStartArray("ConsumedCapacity"u8);
            foreach (var (requested, table, units, indexes) in perTable)
                ConsumedCapacity.WriteValue(w, mode, table.Name, units, command.Replayed ? CapacitySplit.Read : CapacitySplit.Write, indexes, requested);
            w.WriteEndArray();
        }
    }

    /// <summary>
    /// The 4 MB a transaction may carry: the request's items and keys here, the items read for TransactGetItems
    /// (which AWS rejects as a whole when they exceed it).
    /// </summary>
    public static void ThrowIfOverSizeLimit(long bytes)
    {
        if (bytes > MaxRequestBytes)
            throw DynamoException.Validation("Transaction request size has exceeded the maximum allowed size of 4 MB");
    }

    /// <summary>
    /// TransactItems must be present with 1 to 100 actions (the message AWS's model validation gives, which echoes
    /// the list as its element shape's name: TransactWriteItem or TransactGetItem).
    /// </summary>
    public static void ValidateCount<T>(List<T>? actions, string shape, ValidationErrors errors)
    {
        if (actions is null)
        {
            errors.Add(null, "transactItems", "Member must not be null");
            return;
        }
        if (actions.Count == 0) errors.Add("[]", "transactItems", "Member must have length greater than or equal to 1");
        if (actions.Count > MaxActions)
            errors.Add("[" + string.Join(", ", Enumerable.Repeat(shape, actions.Count)) + "]", "transactItems",
                "Member must have length less than or equal to " + MaxActions);
    }
}
