using System.Security.Cryptography;
using System.Text;
using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Operations;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.PartiQL;

/// <summary>
/// A SELECT as the read it amounts to: equality on the table's whole primary key is a GetItem, equality on the
/// partition key of the table or index (with a sort-key condition, if any) a Query, anything else a Scan. The whole
/// WHERE clause is then applied to each item read as a filter, so a page holds what the underlying read evaluated
/// (Limit, 1 MB) and NextToken continues where it stopped.
/// </summary>
internal static class PartiQLSelect
{
    /// <summary>ExecuteStatement's response to a SELECT.</summary>
    public static void Respond(DynamoStore store, SelectStatement select, string statementText, IReadOnlyList<AttributeValue>? parameters,
        bool consistent, long? limit, string? nextToken, CapacityMode capacity, ResponseBuffer response)
    {
        var table = store.GetTable(select.TableName);
        var request = new ReadRequest
        {
            TableName = table.Name,
            IndexName = select.IndexName,
            ConsistentRead = consistent,
            Limit = limit,
            ReturnConsumedCapacity = capacity switch { CapacityMode.Total => "TOTAL", CapacityMode.Indexes => "INDEXES", _ => null },
            // KeySpaces decides from a projection whether a local index must fetch from the table.
            ProjectionExpression = select.Projection is null ? null : statementText,
        };
        if (select.IndexName is not null && table.FindIndex(select.IndexName) is { IsGlobal: true } && consistent)
            throw DynamoException.Validation("Strongly consistent read is not supported on Global Secondary Indexes");
        var space = KeySpaces.Resolve(table, request, select.Projection);
        var terms = StatementKeys.Conjuncts(select.Where);
        var hash = StatementKeys.Find(terms, space.Hash, out _);
        if (hash is not null && !StatementKeys.Usable(hash, space.Hash)) hash = null;
        var partitions = hash is null ? Partitions(terms, space.Hash) : null;
        CheckOrderBy(select, space, hash is not null || partitions is not null, partitions is { Count: > 1 });
        // ORDER BY the sort key DESC reads each partition backward; ORDER BY the partition key orders the partitions.
        bool forward = !(select.Descending && select.OrderBy == space.Range?.Name);

        if (select.IndexName is null && hash is not null && FullKey(table, terms, hash) is { } key)
        {
            RespondGet(store, table, key, select, consistent, capacity, response);
            return;
        }

        string tokenPrefix = TokenPrefix(statementText, parameters);
        KeySpaceRow? start = null;
        if (nextToken is not null) start = DecodeToken(nextToken, tokenPrefix, space);
        var page = new ReadPage
        {
            Limit = limit is { } l ? (int)Math.Min(l, int.MaxValue) : null,
            Filter = select.Where,
            Projection = select.Projection,
            Consistent = consistent,
            Capacity = capacity,
            NextToken = lastKey => EncodeToken(tokenPrefix, lastKey),
        };
        if (hash is not null)
        {
            byte[] hashBytes = ReadPage.Encode(hash);
            if (start is { } s && !s.Hash.AsSpan().SequenceEqual(hashBytes)) throw DynamoException.Validation(InvalidToken);
            var range = space.Range is null ? null : StatementKeys.RangePart(terms, space.Range);
            var bounds = Query.Bounds(range);
            page.Respond(store, response, space, connection => space.Read(connection, hashBytes, bounds, start, forward));
        }
        else if (partitions is not null)
        {
            // One Query per partition key value, read one after the other into the same page; where a page stopped
            // is a row of one of them, so its partition key says which Query a NextToken resumes.
            var encoded = partitions.ConvertAll(ReadPage.Encode);
            if (select.OrderBy is not null && select.OrderBy == space.Hash.Name)
            {
                encoded.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
                if (select.Descending) encoded.Reverse();
            }
            int first = 0;
            if (start is { } s)
            {
                first = encoded.FindIndex(e => e.AsSpan().SequenceEqual(s.Hash));
                if (first < 0) throw DynamoException.Validation(InvalidToken);
            }
            var range = space.Range is null ? null : StatementKeys.RangePart(terms, space.Range);
            var bounds = Query.Bounds(range);
            page.Respond(store, response, space, connection => ReadPartitions(space, connection, encoded, first, bounds, start, forward));
        }
        else
        {
            page.Respond(store, response, space, connection => space.Read(connection, null, default, start, forward: true));
        }
    }

    /// <summary>Most partition key values an IN may name (PartiQL operators, developer guide: "at max 50 hash attribute values").</summary>
    public const int MaxPartitions = 50;

    // The values of a top-level "partition key IN [...]" term, each usable as a key, without repeats; null when there is none.
    private static List<AttributeValue>? Partitions(List<ConditionNode> terms, KeyAttribute hash)
    {
        foreach (var term in terms)
        {
            if (term is not InNode @in || !StatementKeys.IsName(@in.Value, hash.Name)) continue;
            var values = new List<AttributeValue>();
            foreach (var candidate in @in.Candidates)
            {
                if (candidate is not ValueOperand v || !StatementKeys.Usable(v.Value, hash)) return null;
                if (!values.Exists(v.Value.ValueEquals)) values.Add(v.Value);
            }
            if (values.Count > MaxPartitions) throw DynamoException.Validation("Too many decomposed read operations for a given query.");
            return values;
        }
        return null;
    }

    private static IEnumerable<KeySpaceRow> ReadPartitions(KeySpace space, Microsoft.Data.Sqlite.SqliteConnection connection, List<byte[]> partitions,
        int first, RangeBounds bounds, KeySpaceRow? start, bool forward)
    {
        for (int i = first; i < partitions.Count; i++)
            foreach (var row in space.Read(connection, partitions[i], bounds, i == first ? start : null, forward))
                yield return row;
    }

    // The table's full key from the WHERE terms, when they name one item with usable key values.
    private static Dictionary<string, AttributeValue>? FullKey(TableDefinition table, List<ConditionNode> terms, AttributeValue hash)
    {
        var key = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { [table.Hash.Name] = hash };
        if (table.Range is not null)
        {
            if (StatementKeys.Find(terms, table.Range, out _) is not { } range || !StatementKeys.Usable(range, table.Range)) return null;
            key[table.Range.Name] = range;
        }
        return key;
    }

    private static void CheckOrderBy(SelectStatement select, KeySpace space, bool hasHash, bool manyPartitions)
    {
        if (select.OrderBy is null) return;
        if (select.Where is null) throw DynamoException.Validation("Must have WHERE clause in the statement when using ORDER BY clause.");
        if (select.OrderBy != space.Hash.Name && select.OrderBy != space.Range?.Name)
            throw DynamoException.Validation("Variable reference " + select.OrderBy + " in ORDER BY clause must be part of the primary key");
        if (!hasHash)
            throw DynamoException.Validation("Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.");
        if (manyPartitions && select.OrderBy != space.Hash.Name)
            throw DynamoException.Validation("Must have hash key in ORDER BY clause when more than one hash key condition specified in WHERE clause.");
    }

    // One item by its key, with the WHERE clause and projection applied, charged as GetItem is.
    private static void RespondGet(DynamoStore store, TableDefinition table, Dictionary<string, AttributeValue> key, SelectStatement select,
        bool consistent, CapacityMode capacity, ResponseBuffer response)
    {
        var item = ReadOne(store, table, key, select, out int size);
        var w = response.Writer;
        w.WriteStartObject();
        w.WriteStartArray("Items"u8);
        if (item is not null) AttributeValueJson.WriteMap(w, item);
        w.WriteEndArray();
        ConsumedCapacity.WriteMember(w, capacity, table.Name, ConsumedCapacity.ReadUnits(size, consistent));
        w.WriteEndObject();
    }

    /// <summary>The item a single-item SELECT returns (its WHERE clause holding, projected); null when none.</summary>
    public static Dictionary<string, AttributeValue>? ReadOne(DynamoStore store, TableDefinition table, Dictionary<string, AttributeValue> key,
        SelectStatement select, out int size)
    {
        var stored = store.ReadItem(table, PrimaryKey.FromKey(table, key), out size);
        return Select(stored, select);
    }

    /// <summary>A stored item as a SELECT returns it: null when absent or the WHERE clause fails, else projected.</summary>
    public static Dictionary<string, AttributeValue>? Select(byte[]? stored, SelectStatement select)
    {
        if (stored is null) return null;
        var item = StoredItem.Parse(stored);
        if (select.Where is not null && !select.Where.Evaluate(item)) return null;
        return select.Projection is null ? item : Projection.Apply(item, select.Projection);
    }

    /// <summary>
    /// The full key of a SELECT that must name one item (BatchExecuteStatement, ExecuteTransaction), or null when
    /// its WHERE clause does not give every key attribute by equality.
    /// </summary>
    public static Dictionary<string, AttributeValue>? SingleItemKey(TableDefinition table, SelectStatement select)
    {
        var terms = StatementKeys.Conjuncts(select.Where);
        return StatementKeys.Find(terms, table.Hash, out _) is { } hash ? FullKey(table, terms, hash) : null;
    }

    // ---- NextToken ----

    private const string InvalidToken = "Invalid NextToken";

    // A token carries a digest of the statement and its parameters, so it continues only the read that made it.
    private static string TokenPrefix(string statement, IReadOnlyList<AttributeValue>? parameters)
    {
        var map = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { ["s"] = AttributeValue.FromString(statement) };
        if (parameters is not null) map["p"] = AttributeValue.FromList([.. parameters]);
        return Convert.ToHexString(SHA256.HashData(StoredItem.Serialize(map)), 0, 8);
    }

    private static string EncodeToken(string prefix, Dictionary<string, AttributeValue> lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(prefix + Encoding.UTF8.GetString(StoredItem.Serialize(lastKey))));

    private static KeySpaceRow DecodeToken(string token, string prefix, KeySpace space)
    {
        string text;
        Dictionary<string, AttributeValue> lastKey;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.Length <= prefix.Length) throw DynamoException.Validation(InvalidToken);
            lastKey = AttributeValueJson.ParseStored(Encoding.UTF8.GetBytes(text[prefix.Length..]));
        }
        catch (Exception e) when (e is not DynamoException)
        {
            throw DynamoException.Validation(InvalidToken);
        }
        if (!text.StartsWith(prefix, StringComparison.Ordinal)) throw DynamoException.Validation("NextToken does not match request");
        try
        {
            return ReadPage.StartPosition(space, lastKey);
        }
        catch (DynamoException)
        {
            throw DynamoException.Validation(InvalidToken);
        }
    }
}
