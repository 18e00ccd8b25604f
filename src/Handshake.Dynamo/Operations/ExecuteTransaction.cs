using System.Security.Cryptography;
using System.Text.Json;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.PartiQL;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// ExecuteTransaction: up to 100 statements, all SELECTs naming one item each (read together like TransactGetItems)
/// or all writes and EXISTS(SELECT ...) checks, which become one TransactWriteItems: the same
/// <see cref="TransactWriteCommand"/>, so all are applied or none, with CancellationReasons in statement order and
/// ClientRequestToken idempotency.
/// </summary>
internal static class ExecuteTransaction
{
    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        List<StatementMembers>? statements = null;
        string? token = null, returnCapacity = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("TransactStatements"u8)) { if (JsonRequest.ValueOf(ref reader)) statements = StatementMembers.ReadList(ref reader); }
            else if (reader.ValueTextEquals("ClientRequestToken"u8)) { if (JsonRequest.ValueOf(ref reader)) token = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ReturnConsumedCapacity"u8)) { if (JsonRequest.ValueOf(ref reader)) returnCapacity = JsonRequest.ReadString(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }

        var errors = new ValidationErrors();
        StatementMembers.ValidateList(statements, "transactStatements", "ParameterizedStatement", TransactWriteItems.MaxActions, errors);
        ConsumedCapacity.Validate(returnCapacity, errors);
        if (token is { Length: 0 }) errors.Add(token, "clientRequestToken", "Member must have length greater than or equal to 1");
        if (token is { Length: > 36 }) errors.Add(token, "clientRequestToken", "Member must have length less than or equal to 36");
        errors.ThrowIfAny();

        var parsed = new List<PartiQLStatement>(statements!.Count);
        for (int i = 0; i < statements.Count; i++)
        {
            var statement = statements[i].Parse();
            if (statement is UpdateStatement { Returning: not Returning.None } or DeleteStatement { Returning: not Returning.None })
                throw DynamoException.Validation("Validation failed in TransactStatements[" + i + "]: RETURNING clause is not supported in ExecuteTransaction.");
            parsed.Add(statement);
        }
        int reads = parsed.Count(s => s is SelectStatement { IsExists: false });
        if (reads > 0 && reads < parsed.Count)
            throw DynamoException.Validation("ExecuteTransaction API does not support both read and write operations in the same request.");
        var mode = ConsumedCapacity.Mode(returnCapacity);
        if (reads > 0)
        {
            await ReadAsync(store, parsed.ConvertAll(s => (SelectStatement)s), mode, response).ConfigureAwait(false);
            return;
        }

        var actions = new List<TransactAction>(parsed.Count);
        var seen = new HashSet<(long, PrimaryKey)>();
        long bytes = 0;
        for (int i = 0; i < parsed.Count; i++)
        {
            var action = PartiQLWrite.ToTransactAction(store, parsed[i], statements[i].ReturnOldOnFailure);
            if (!seen.Add((action.Table.InternalId, action.PrimaryKey)))
                throw DynamoException.Validation("Transaction request cannot include multiple operations on one item");
            bytes += action.RequestBytes;
            actions.Add(action);
        }
        TransactWriteItems.ThrowIfOverSizeLimit(bytes);

        var command = new TransactWriteCommand(actions, token, SHA256.HashData(body.Span), store.TransactionTokens, store.Clock);
        await store.WriteAsync(command).ConfigureAwait(false);

        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartArray("Responses"u8);
        for (int i = 0; i < actions.Count; i++)
        {
            w.WriteStartObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        TransactWriteItems.WriteCapacity(w, mode, actions, command);
        w.WriteEndObject();
    }

    // The reads, each naming one item of a table, in one snapshot taken on the writer (as TransactGetItems does).
    private static async Task ReadAsync(DynamoStore store, List<SelectStatement> selects, CapacityMode mode, ResponseBuffer response)
    {
        var tables = new List<TableDefinition>(selects.Count);
        var keys = new List<PrimaryKey>(selects.Count);
        var seen = new HashSet<(long, PrimaryKey)>();
        foreach (var select in selects)
        {
            if (select.IndexName is not null) throw DynamoException.Validation("Reads on indices are not supported within transactions.");
            var table = store.GetTable(select.TableName);
            var key = PartiQLSelect.SingleItemKey(table, select)
                ?? throw DynamoException.Validation("Select statements within ExecuteTransaction must specify the primary key in the where clause.");
            var primaryKey = PrimaryKey.FromKey(table, key);
            if (!seen.Add((table.InternalId, primaryKey)))
                throw DynamoException.Validation("Transaction request cannot include multiple operations on one item");
            tables.Add(table);
            keys.Add(primaryKey);
        }
        var command = new TransactReadCommand(tables, keys);
        await store.WriteAsync(command).ConfigureAwait(false);
        TransactWriteItems.ThrowIfOverSizeLimit(command.Bytes);

        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartArray("Responses"u8);
        for (int i = 0; i < selects.Count; i++)
        {
            w.WriteStartObject();
            if (PartiQLSelect.Select(command.Items[i], selects[i]) is { } item)
            {
                w.WritePropertyName("Item"u8);
                AttributeValueJson.WriteMap(w, item);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        TransactGetItems.WriteCapacity(w, mode, command);
        w.WriteEndObject();
    }
}
