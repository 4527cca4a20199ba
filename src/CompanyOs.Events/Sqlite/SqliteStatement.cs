using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace CompanyOs.Events.Sqlite;

/// <summary>
/// One statement prepared once on a connection's native handle and bound by position: the event store's writer uses it for
/// its hot path, the gateway server for its usage batches. Going through <see cref="SqliteCommand"/> for these cost more
/// than SQLite's own work: every execution looked up each parameter by name (a UTF-8 copy of the name per parameter),
/// created a data reader and checked for unbound parameters, and boxed every number. Bindings stay in place between
/// executions (SQLite keeps them across a reset), so values that do not change need binding once. Errors are raised as
/// <see cref="SqliteException"/>, exactly as the commands raise them.
/// </summary>
public sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    /// <summary>Prepares <paramref name="sql"/> (one statement) on <paramref name="connection"/>, which must be open.</summary>
    /// <exception cref="SqliteException">The SQL does not compile.</exception>
    public SqliteStatement(SqliteConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, _db);
        }

        _statement = statement!;
    }

    /// <summary>Binds a 64-bit integer to the 1-based parameter <paramref name="index"/>.</summary>
    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    /// <summary>Binds text (SQLite copies it), or NULL for a null string.</summary>
    public void Bind(int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(_statement, index) : raw.sqlite3_bind_text16(_statement, index, value.AsSpan()));

    /// <summary>Binds NULL to the 1-based parameter <paramref name="index"/>.</summary>
    public void BindNull(int index) => Check(raw.sqlite3_bind_null(_statement, index));

    /// <summary>Binds text from a span (SQLite copies it, so a stack buffer is fine).</summary>
    public void Bind(int index, ReadOnlySpan<char> value) => Check(raw.sqlite3_bind_text16(_statement, index, value));

    /// <summary>Binds UTF-8 text (SQLite copies it).</summary>
    public void BindUtf8(int index, ReadOnlySpan<byte> value) => Check(raw.sqlite3_bind_text(_statement, index, value));

    /// <summary>Binds a BLOB (SQLite copies it, so a stack buffer is fine).</summary>
    public void BindBlob(int index, ReadOnlySpan<byte> value) => Check(raw.sqlite3_bind_blob(_statement, index, value));

    /// <summary>Runs the statement to completion; returns the rows it inserted, updated or deleted.</summary>
    public int Execute()
    {
        Step();
        raw.sqlite3_reset(_statement);
        return raw.sqlite3_changes(_db);
    }

    /// <summary>Runs a query and passes its first row (if any) to <paramref name="read"/>; the statement is reset afterwards.</summary>
    public T QueryFirst<T>(Func<sqlite3_stmt, T> read, T none)
    {
        try
        {
            return Step() ? read(_statement) : none;
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Finalizes the prepared statement.</summary>
    public void Dispose() => _statement.Dispose();

    /// <summary>One step: true for a row, false when done; an error is thrown with SQLite's message and the statement reset.</summary>
    private bool Step()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        if (rc == raw.SQLITE_DONE)
        {
            return false;
        }

        try
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
            return false;
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
