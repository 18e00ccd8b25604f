using System.Text;
using Handshake.Dynamo.Model;
using Microsoft.Data.Sqlite;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// A secondary index as a key space: its index_items rows ordered by (index hash, index range, table hash, table
/// range), so rows with equal index keys come in table-key order and a position holding both resumes exactly.
/// Rows hold the projected item. A local index can also answer with the table's whole item
/// (<paramref name="fetchTableItems"/>), as DynamoDB fetches non-projected attributes of an LSI from the table.
/// </summary>
internal sealed class IndexKeySpace(TableDefinition table, SecondaryIndexDefinition index, bool fetchTableItems = false) : KeySpace(table)
{
    public override KeyAttribute Hash => index.Hash;
    public override KeyAttribute? Range => index.Range;
    public override SecondaryIndexDefinition? Index => index;

    public override IEnumerable<KeySpaceRow> Read(SqliteConnection connection, byte[]? hash, RangeBounds range, KeySpaceRow? exclusiveStart, bool forward)
    {
        var command = connection.CreateCommand();
        // The correlated lookups name the items table's own hash_key/range_key, which shadow index_items' there.
        var sql = new StringBuilder(fetchTableItems
            ? "SELECT hash_key, range_key, table_hash, table_range, "
              + "(SELECT size FROM items WHERE table_id = $t AND hash_key = index_items.table_hash AND range_key = index_items.table_range), "
              + "(SELECT item FROM items WHERE table_id = $t AND hash_key = index_items.table_hash AND range_key = index_items.table_range) "
              + "FROM index_items WHERE index_id = $i"
            : "SELECT hash_key, range_key, table_hash, table_range, size, item FROM index_items WHERE index_id = $i");
        command.Parameters.AddWithValue("$i", index.InternalId);
        if (fetchTableItems) command.Parameters.AddWithValue("$t", Table.InternalId);
        if (hash is not null)
        {
            sql.Append(" AND hash_key = $h");
            command.Parameters.AddWithValue("$h", hash);
        }
        AppendRange(sql, command, range);
        if (exclusiveStart is { } start)
        {
            sql.Append(forward
                ? " AND (hash_key, range_key, table_hash, table_range) > ($sh, $sr, $sth, $str)"
                : " AND (hash_key, range_key, table_hash, table_range) < ($sh, $sr, $sth, $str)");
            command.Parameters.AddWithValue("$sh", start.Hash);
            command.Parameters.AddWithValue("$sr", start.Range);
            command.Parameters.AddWithValue("$sth", start.TableHash);
            command.Parameters.AddWithValue("$str", start.TableRange);
        }
        sql.Append(forward
            ? " ORDER BY hash_key, range_key, table_hash, table_range"
            : " ORDER BY hash_key DESC, range_key DESC, table_hash DESC, table_range DESC");
        command.CommandText = sql.ToString();
        return Stream(command, withTableKey: true);
    }
}
