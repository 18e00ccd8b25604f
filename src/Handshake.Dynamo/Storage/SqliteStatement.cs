using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// One statement of the write path, prepared once on the writer connection and driven through SQLite's own API.
/// Every write runs BEGIN, a read, an upsert, a counter update and COMMIT; through SqliteCommand each of those costs a
/// transaction object, a data reader, a statement enumerator, boxed parameter values and a parameter lookup by name
/// (measured: about a third of the write path's CPU). Here a statement binds by index, copies blobs from spans and
/// resets in place, with no allocation.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    /// <summary>Binds parameter <paramref name="index"/> (1-based, in the order of the SQL text).</summary>
    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    // An empty span pins to a null pointer, which SQLite would bind as NULL: a hash-only key's range is X'', not NULL.
    public void Bind(int index, ReadOnlySpan<byte> value) =>
        Check(value.IsEmpty ? raw.sqlite3_bind_zeroblob(_statement, index, 0) : raw.sqlite3_bind_blob(_statement, index, value));

    /// <summary>Runs the statement to completion (a write or a control statement); returns the rows it changed.</summary>
    public int Execute()
    {
        try
        {
            int rc = raw.sqlite3_step(_statement);
            if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW) Check(rc);
            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Steps to the first row; on true the caller reads columns and then calls <see cref="Reset"/>.</summary>
    public bool Step()
    {
        int rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW) return true;
        // A statement must be reset before it is bound again, also after running to its end.
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE) Check(rc);
        return false;
    }

    public int ColumnInt32(int column) => raw.sqlite3_column_int(_statement, column);

    public ReadOnlySpan<byte> ColumnBlob(int column) => raw.sqlite3_column_blob(_statement, column);

    public void Reset() => raw.sqlite3_reset(_statement);

    /// <summary>True while a transaction is open on the connection (SQLite may roll one back by itself on I/O errors).</summary>
    public static bool InTransaction(SqliteConnection connection) => raw.sqlite3_get_autocommit(connection.Handle) == 0;

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(_db));
    }

    public void Dispose() => _statement.Dispose();
}
