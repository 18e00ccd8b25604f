using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// One page of a Query or Scan, as DynamoDB builds it: rows are read in key order until Limit rows have been
/// evaluated or 1 MB has been read (both counted before the filter), the filter then decides which are returned,
/// and the last row read becomes the LastEvaluatedKey whenever a limit stopped the page. Capacity is the sum of the
/// sizes read, rounded up to 4 KB once.
/// </summary>
internal sealed class ReadPage
{
    public const int MaxPageBytes = 1024 * 1024;

    public int? Limit { get; init; }
    public ConditionNode? Filter { get; init; }
    public List<AttributePath>? Projection { get; init; }
    public bool CountOnly { get; init; }
    public bool Consistent { get; init; }
    public CapacityMode Capacity { get; init; }

    /// <summary>
    /// Set for a PartiQL SELECT (ExecuteStatement): the page has no Count or ScannedCount, and where it stopped is
    /// also given as the NextToken this function makes of the LastEvaluatedKey.
    /// </summary>
    public Func<Dictionary<string, AttributeValue>, string>? NextToken { get; init; }

    /// <summary>The table as the request named it (name or ARN), echoed in ConsumedCapacity; null: its name.</summary>
    public string? RequestedTableName { get; init; }

    /// <summary>Rows that belong to the request (a parallel scan's segment); null takes every row.</summary>
    public Func<KeySpaceRow, bool>? Include { get; init; }

    /// <summary>The page a Query or Scan asks for: its Limit, Select=COUNT, ConsistentRead and capacity mode.</summary>
    public static ReadPage For(ReadRequest request, ConditionNode? filter, List<AttributePath>? projection, Func<KeySpaceRow, bool>? include = null) => new()
    {
        Limit = request.Limit is { } limit ? (int)Math.Min(limit, int.MaxValue) : null,
        Filter = filter,
        Projection = projection,
        CountOnly = request.Select == "COUNT",
        Consistent = request.ConsistentRead,
        Capacity = ConsumedCapacity.Mode(request.ReturnConsumedCapacity),
        Include = include,
        RequestedTableName = request.TableName,
    };

    /// <summary>Reads the rows on one of the store's read connections and writes the page as the response.</summary>
    public void Respond(DynamoStore store, ResponseBuffer response, KeySpace space, Func<Microsoft.Data.Sqlite.SqliteConnection, IEnumerable<KeySpaceRow>> read) =>
        store.Read(session =>
        {
            Write(response, space, read(session.Connection));
            return 0;
        });

    public void Write(ResponseBuffer response, KeySpace space, IEnumerable<KeySpaceRow> rows)
    {
        var w = response.Writer;
        w.WriteStartObject();
        if (!CountOnly) w.WriteStartArray("Items"u8);
        int scanned = 0, count = 0;
        long bytes = 0;
        KeySpaceRow? last = null;
        bool stopped = false;
        foreach (var row in rows)
        {
            if (Include is not null && !Include(row)) continue;
            scanned++;
            bytes += row.Size;
            last = row;
            var item = Filter is null && Projection is null ? null : StoredItem.Parse(row.Item);
            if (Filter is null || Filter.Evaluate(item))
            {
                count++;
                if (!CountOnly)
                {
                    if (Projection is null) response.WriteRawValue(row.Item);
                    else AttributeValueJson.WriteMap(w, Expressions.Projection.Apply(item!, Projection));
                }
            }
            if (scanned == Limit || bytes >= MaxPageBytes)
            {
                stopped = true;
                break;
            }
        }
        if (!CountOnly) w.WriteEndArray();
        if (NextToken is null)
        {
            w.WriteNumber("Count"u8, count);
            w.WriteNumber("ScannedCount"u8, scanned);
        }
        if (stopped && last is { } position)
        {
            var lastKey = LastEvaluatedKey(space, position);
            if (NextToken is not null) w.WriteString("NextToken"u8, NextToken(lastKey));
            w.WritePropertyName("LastEvaluatedKey"u8);
            AttributeValueJson.WriteMap(w, lastKey);
        }
        double units = ConsumedCapacity.ReadUnits((int)Math.Min(bytes, int.MaxValue), Consistent);
        // A read of an index is charged to the index (INDEXES mode shows it under its name, the table at 0).
        if (space.Index is { } index)
            ConsumedCapacity.WriteMember(w, Capacity, space.Table.Name, 0, [new IndexWriteUnits(space.Table, index, units)], RequestedTableName);
        else
            ConsumedCapacity.WriteMember(w, Capacity, space.Table.Name, units, requestedName: RequestedTableName);
        w.WriteEndObject();
    }

    /// <summary>The position of a row as AWS returns it: the space's key attributes plus the table's.</summary>
    public static Dictionary<string, AttributeValue> LastEvaluatedKey(KeySpace space, KeySpaceRow row)
    {
        var key = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        key[space.Hash.Name] = PrimaryKey.Decode(space.Hash.Type, row.Hash);
        if (space.Range is not null) key[space.Range.Name] = PrimaryKey.Decode(space.Range.Type, row.Range);
        key.TryAdd(space.Table.Hash.Name, PrimaryKey.Decode(space.Table.Hash.Type, row.TableHash));
        if (space.Table.Range is not null) key.TryAdd(space.Table.Range.Name, PrimaryKey.Decode(space.Table.Range.Type, row.TableRange));
        return key;
    }

    private const string InvalidStartKey = "The provided starting key is invalid: The provided key element does not match the schema";

    /// <summary>
    /// Validates an ExclusiveStartKey (exactly the position attributes, of the schema's types) and encodes it as a
    /// position. It need not name an existing item.
    /// </summary>
    public static KeySpaceRow StartPosition(KeySpace space, Dictionary<string, AttributeValue> startKey)
    {
        var attributes = space.PositionAttributes();
        if (startKey.Count != attributes.Count) throw DynamoException.Validation(InvalidStartKey);
        foreach (var attribute in attributes)
            if (!startKey.TryGetValue(attribute.Name, out var value) || value.Type != attribute.Type)
                throw DynamoException.Validation(InvalidStartKey);
        var tableKey = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { [space.Table.Hash.Name] = startKey[space.Table.Hash.Name] };
        if (space.Table.Range is not null) tableKey[space.Table.Range.Name] = startKey[space.Table.Range.Name];
        PrimaryKey table;
        try
        {
            table = PrimaryKey.FromKey(space.Table, tableKey);
        }
        catch (DynamoException e)
        {
            throw DynamoException.Validation("The provided starting key is invalid: " + e.Message);
        }
        byte[] hash = Encode(startKey[space.Hash.Name]);
        byte[] range = space.Range is null ? [] : Encode(startKey[space.Range.Name]);
        return new KeySpaceRow(hash, range, table.Hash, table.Range, 0, []);
    }

    /// <summary>A key value in the order-preserving storage encoding (see <see cref="PrimaryKey"/>): one encoding
    /// for table and index keys, so a seek bound compares with the stored rows byte for byte.</summary>
    public static byte[] Encode(AttributeValue value) => SecondaryIndexKey.Encode(value);
}
