using System.Text.Json;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.PartiQL;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// BatchExecuteStatement: up to 25 statements, all SELECTs naming one item each (read like BatchGetItem) or all
/// writes (each applied on its own, like separate ExecuteStatement calls, not as a transaction). A statement that
/// fails answers an Error {Code, Message} in its place and the others still run; only a mixed batch, two statements
/// on one item, or a member constraint refuse the whole request.
/// </summary>
internal static class BatchExecuteStatement
{
    public const int MaxStatements = 25;

    private sealed class Entry(StatementMembers members)
    {
        public StatementMembers Members { get; } = members;
        public PartiQLStatement? Statement;
        public DynamoException? Error;
        public TableDefinition? Table;
        public SelectStatement? Select;
        public Dictionary<string, AttributeValue>? Key;
        public PartiQLWrite? Write;
        public Dictionary<string, AttributeValue>? Item;
        public double Units;
        public List<IndexWriteUnits>? IndexUnits;
    }

    public static async Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var reader = JsonRequest.Begin(body.Span);
        List<StatementMembers>? statements = null;
        string? returnCapacity = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("Statements"u8)) { if (JsonRequest.ValueOf(ref reader)) statements = StatementMembers.ReadList(ref reader); }
            else if (reader.ValueTextEquals("ReturnConsumedCapacity"u8)) { if (JsonRequest.ValueOf(ref reader)) returnCapacity = JsonRequest.ReadString(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }

        var errors = new ValidationErrors();
        StatementMembers.ValidateList(statements, "statements", "BatchStatementRequest", MaxStatements, errors);
        ConsumedCapacity.Validate(returnCapacity, errors);
        errors.ThrowIfAny();

        var entries = statements!.ConvertAll(s => new Entry(s));
        bool reads = false, writes = false;
        foreach (var e in entries)
        {
            try
            {
                e.Statement = e.Members.Parse();
                if (e.Statement is SelectStatement { IsExists: true }) throw DynamoException.Validation(PartiQLErrors.ExistsOutsideTransaction);
                if (e.Statement.IsRead) reads = true;
                else writes = true;
            }
            catch (DynamoException x)
            {
                e.Error = x;
            }
        }
        if (reads && writes) throw DynamoException.Validation("Read and write requests together in the same batch is not supported.");

        var targets = new HashSet<(long, PrimaryKey)>();
        foreach (var e in entries)
        {
            if (e.Error is not null) continue;
            try
            {
                (long, PrimaryKey) target;
                if (e.Statement is SelectStatement select)
                {
                    if (select.IndexName is not null) throw DynamoException.Validation(PartiQLErrors.NotOnIndex);
                    e.Table = store.GetTable(select.TableName);
                    e.Select = select;
                    e.Key = PartiQLSelect.SingleItemKey(e.Table, select) ?? throw DynamoException.Validation(PartiQLErrors.IncompleteKey);
                    target = (e.Table.InternalId, PrimaryKey.FromKey(e.Table, e.Key));
                }
                else
                {
                    e.Write = PartiQLWrite.Prepare(store, e.Statement!, e.Members.ReturnOldOnFailure);
                    e.Table = e.Write.Table;
                    target = e.Write.Target;
                }
                if (!targets.Add(target)) throw DynamoException.Validation("Provided list of item keys contains duplicates");
            }
            catch (DynamoException x) when (x.Message != "Provided list of item keys contains duplicates")
            {
                e.Error = x;
            }
        }

        if (reads)
        {
            foreach (var e in entries)
            {
                if (e.Error is not null) continue;
                try
                {
                    e.Item = PartiQLSelect.ReadOne(store, e.Table!, e.Key!, e.Select!, out int size);
                    e.Units = ConsumedCapacity.ReadUnits(size, e.Members.ConsistentRead);
                }
                catch (DynamoException x)
                {
                    e.Error = x;
                }
            }
        }
        else
        {
            // The writes are independent: submitted together, they share group commits; each succeeds or fails alone.
            var runs = new List<(Entry Entry, Task Task)>();
            foreach (var e in entries) if (e.Error is null) runs.Add((e, e.Write!.RunAsync(store)));
            foreach (var (e, task) in runs)
            {
                try
                {
                    await task.ConfigureAwait(false);
                    e.Item = e.Write!.Returned();
                    (e.Units, e.IndexUnits) = e.Write.Capacity();
                }
                catch (DynamoException x)
                {
                    e.Error = x;
                }
            }
        }

        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartArray("Responses"u8);
        foreach (var e in entries)
        {
            w.WriteStartObject();
            if (e.Error is { } error)
            {
                w.WriteStartObject("Error"u8);
                w.WriteString("Code"u8, ErrorCode(error.Code));
                w.WriteString("Message"u8, error.Message);
                if (error.Item is { } old)
                {
                    w.WritePropertyName("Item"u8);
                    w.WriteRawValue(old, skipInputValidation: true);
                }
                w.WriteEndObject();
            }
            else
            {
                w.WriteString("TableName"u8, e.Table!.Name);
                if (e.Item is not null)
                {
                    w.WritePropertyName("Item"u8);
                    AttributeValueJson.WriteMap(w, e.Item);
                }
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        var mode = ConsumedCapacity.Mode(returnCapacity);
        if (mode != CapacityMode.None)
        {
            // Per table, in order of first appearance, over the statements that succeeded.
            var perTable = new List<(string Table, double Units)>();
            var indexUnits = new List<IndexWriteUnits>();
            foreach (var e in entries)
            {
                if (e.Error is not null) continue;
                int at = perTable.FindIndex(t => t.Table == e.Table!.Name);
                if (at < 0) perTable.Add((e.Table!.Name, e.Units));
                else perTable[at] = (perTable[at].Table, perTable[at].Units + e.Units);
                if (e.IndexUnits is not null) indexUnits.AddRange(e.IndexUnits);
            }
            if (perTable.Count > 0)
            {
                w.WriteStartArray("ConsumedCapacity"u8);
                foreach (var (table, units) in perTable) ConsumedCapacity.WriteValue(w, mode, table, units, CapacitySplit.None, indexUnits);
                w.WriteEndArray();
            }
        }
        w.WriteEndObject();
    }

    /// <summary>A statement's error as a BatchStatementError code (the exception's name without "Exception").</summary>
    public static string ErrorCode(string code) => code switch
    {
        DynamoErrorCode.ValidationException => "ValidationError",
        DynamoErrorCode.InternalServerError => "InternalServerError",
        _ when code.EndsWith("Exception", StringComparison.Ordinal) => code[..^"Exception".Length],
        _ => code,
    };
}
