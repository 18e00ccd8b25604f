using System.Text;
using Handshake.Dynamo.Model;
using Microsoft.Data.Sqlite;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// One stored row in key order: the key-space position (its own hash and range key, then the table's, which break
/// ties in an index), the item's DynamoDB size and its stored JSON.
/// </summary>
internal readonly record struct KeySpaceRow(byte[] Hash, byte[] Range, byte[] TableHash, byte[] TableRange, int Size, byte[] Item);

/// <summary>A sort-key range in encoded form: an optional lower and upper bound, each inclusive or not.</summary>
internal readonly record struct RangeBounds(byte[]? Lower, bool LowerInclusive, byte[]? Upper, bool UpperInclusive);

/// <summary>
/// A sorted space of items that Query and Scan read: the table itself or one of its secondary indexes. Query seeks
/// one partition (a hash key, optionally a sort-key range); Scan walks everything. Both resume strictly after an
/// exclusive start position and stream rows, so a page reads only what it returns.
/// </summary>
internal abstract class KeySpace(TableDefinition table)
{
    public TableDefinition Table { get; } = table;

    /// <summary>The key schema of this space (the index's for an index).</summary>
    public abstract KeyAttribute Hash { get; }
    public abstract KeyAttribute? Range { get; }

    /// <summary>Null for the table; the index otherwise.</summary>
    public virtual SecondaryIndexDefinition? Index => null;

    /// <summary>The attributes a LastEvaluatedKey holds: the space's keys, then the table's keys not among them.</summary>
    public List<KeyAttribute> PositionAttributes()
    {
        var list = new List<KeyAttribute> { Hash };
        if (Range is not null) list.Add(Range);
        if (list.TrueForAll(a => a.Name != Table.Hash.Name)) list.Add(Table.Hash);
        if (Table.Range is not null && list.TrueForAll(a => a.Name != Table.Range.Name)) list.Add(Table.Range);
        return list;
    }

    public abstract IEnumerable<KeySpaceRow> Read(SqliteConnection connection, byte[]? hash, RangeBounds range, KeySpaceRow? exclusiveStart, bool forward);

    protected static IEnumerable<KeySpaceRow> Stream(SqliteCommand command, bool withTableKey)
    {
        using (command)
        {
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var hash = (byte[])reader.GetValue(0);
                var range = (byte[])reader.GetValue(1);
                int column = withTableKey ? 4 : 2;
                yield return new KeySpaceRow(hash, range,
                    withTableKey ? (byte[])reader.GetValue(2) : hash, withTableKey ? (byte[])reader.GetValue(3) : range,
                    reader.GetInt32(column), (byte[])reader.GetValue(column + 1));
            }
        }
    }

    protected static void AppendRange(StringBuilder sql, SqliteCommand command, RangeBounds range)
    {
        if (range.Lower is not null)
        {
            sql.Append(range.LowerInclusive ? " AND range_key >= $lo" : " AND range_key > $lo");
            command.Parameters.AddWithValue("$lo", range.Lower);
        }
        if (range.Upper is not null)
        {
            sql.Append(range.UpperInclusive ? " AND range_key <= $hi" : " AND range_key < $hi");
            command.Parameters.AddWithValue("$hi", range.Upper);
        }
    }
}

/// <summary>The table's own items, ordered by (hash key, range key).</summary>
internal sealed class TableKeySpace(TableDefinition table) : KeySpace(table)
{
    public override KeyAttribute Hash => Table.Hash;
    public override KeyAttribute? Range => Table.Range;

    public override IEnumerable<KeySpaceRow> Read(SqliteConnection connection, byte[]? hash, RangeBounds range, KeySpaceRow? exclusiveStart, bool forward) =>
        Stream(CreateCommand(connection, hash, range, exclusiveStart, forward), withTableKey: false);

    /// <summary>The statement <see cref="Read"/> runs; tests check its plan is a primary-key seek.</summary>
    internal SqliteCommand CreateCommand(SqliteConnection connection, byte[]? hash, RangeBounds range, KeySpaceRow? exclusiveStart, bool forward)
    {
        var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT hash_key, range_key, size, item FROM items WHERE table_id = $t");
        command.Parameters.AddWithValue("$t", Table.InternalId);
        if (hash is not null)
        {
            sql.Append(" AND hash_key = $h");
            command.Parameters.AddWithValue("$h", hash);
        }
        AppendRange(sql, command, range);
        if (exclusiveStart is { } start)
        {
            sql.Append(forward ? " AND (hash_key, range_key) > ($sh, $sr)" : " AND (hash_key, range_key) < ($sh, $sr)");
            command.Parameters.AddWithValue("$sh", start.Hash);
            command.Parameters.AddWithValue("$sr", start.Range);
        }
        sql.Append(forward ? " ORDER BY hash_key, range_key" : " ORDER BY hash_key DESC, range_key DESC");
        command.CommandText = sql.ToString();
        return command;
    }
}
