using System.Data.Common;
using System.Text;
using CompanyOs.Agents.Storage;
using CompanyOs.Events;
using CompanyOs.Events.Postgres;
using CompanyOs.Events.Sqlite;
using static CompanyOs.Agents.Storage.RunDatabase;

namespace CompanyOs.Agents.Leases;

/// <summary>
/// Run leases as rows of a <c>run_leases</c> table in the event store's own database (the SQLite file or the PostgreSQL
/// schema, next to the run events and the <c>run_summaries</c> read model). One SQL text serves both engines (times as
/// Unix microseconds). Acquiring is a single <c>INSERT … ON CONFLICT DO UPDATE … WHERE</c> that increments the fencing
/// token; renewing and releasing are single <c>UPDATE</c>s matching holder and token. The table is created on first use.
/// </summary>
internal sealed class SqlRunLeaseStore : IRunLeaseStore
{
    private const string Columns = "run_id, holder, token, expires_at";

    private readonly Func<CancellationToken, Task<DbConnection>> _open;
    private readonly string _table;
    private readonly string? _lockSql;
    private readonly string _where;
    private volatile bool _created;

    private SqlRunLeaseStore(Func<CancellationToken, Task<DbConnection>> open, string table, string? lockSql, string where)
    {
        _open = open;
        _table = table;
        _lockSql = lockSql;
        _where = where;
    }

    public static SqlRunLeaseStore ForSqlite(SqliteEventStore store)
    {
        var connectionString = RunDatabase.SqliteConnectionString(store);
        return new SqlRunLeaseStore(
            ct => RunDatabase.OpenSqliteAsync(connectionString, ct),
            "run_leases",
            null,
            store.DatabasePath);
    }

    public static SqlRunLeaseStore ForPostgres(PostgresEventStore store) =>
        new(
            ct => RunDatabase.OpenPostgresAsync(store, ct),
            $"\"{store.Schema}\".run_leases",
            // The event store's advisory lock class ('EVTS'); object 2 guards the lease table's DDL (1 is the run read model's).
            "SELECT pg_advisory_xact_lock(1163285587, 2)",
            store.Location);

    /// <inheritdoc />
    public async Task<RunLeaseAttempt> TryAcquireAsync(string runId, string owner, string? orgId, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var expires = now + duration;
        var token = await RunAsync("taking a run lease", async (connection, ct) =>
        {
            using var command = Command(connection, $"""
                INSERT INTO {_table} AS cur (run_id, holder, token, expires_at, org_id, updated_at)
                VALUES (@run, @holder, 1, @expires, @org, @now)
                ON CONFLICT (run_id) DO UPDATE SET
                    holder = excluded.holder, token = cur.token + 1, expires_at = excluded.expires_at,
                    org_id = COALESCE(excluded.org_id, cur.org_id), updated_at = excluded.updated_at
                WHERE cur.holder IS NULL OR cur.expires_at <= @now OR cur.holder = excluded.holder
                RETURNING token
                """);
            Add(command, "@run", runId);
            Add(command, "@holder", owner);
            Add(command, "@expires", Micros(expires));
            Add(command, "@org", orgId);
            Add(command, "@now", Micros(now));
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        if (token is not null and not DBNull)
        {
            return new RunLeaseAttempt(new RunLease(runId, owner, FromMicros(Micros(expires)), Convert.ToInt64(token, System.Globalization.CultureInfo.InvariantCulture)), null);
        }

        return new RunLeaseAttempt(null, await GetAsync(runId, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<RunLease?> RenewAsync(RunLease lease, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var expires = Micros(now + duration);
        var changed = await UpdateHeldAsync("renewing a run lease", "expires_at = @expires, updated_at = @now", lease, expires, Micros(now), cancellationToken).ConfigureAwait(false);
        return changed ? lease with { ExpiresAt = FromMicros(expires) } : null;
    }

    /// <inheritdoc />
    public Task<bool> ReleaseAsync(RunLease lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return UpdateHeldAsync("releasing a run lease", "holder = NULL, expires_at = @expires, updated_at = @now", lease, Micros(now), Micros(now), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<StoredRunLease?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var rows = await SelectAsync("reading a run lease", $"SELECT {Columns} FROM {_table} WHERE run_id = @run", [("@run", runId)], cancellationToken).ConfigureAwait(false);
        return rows is [var row] ? row : null;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredRunLease>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return SelectAsync(
            "listing expired run leases",
            $"SELECT {Columns} FROM {_table} WHERE holder IS NOT NULL AND expires_at <= @now ORDER BY expires_at, run_id LIMIT @limit",
            [("@now", Micros(now)), ("@limit", (long)limit)],
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListUnheldAsync(IReadOnlyCollection<string> runIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in runIds.Distinct(StringComparer.Ordinal).Chunk(200))
        {
            var sql = new StringBuilder($"SELECT {Columns} FROM {_table} WHERE holder IS NOT NULL AND expires_at > @now AND run_id IN (");
            var parameters = new List<(string, object?)> { ("@now", Micros(now)) };
            for (var i = 0; i < chunk.Length; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append("@r").Append(i);
                parameters.Add(("@r" + i, chunk[i]));
            }

            sql.Append(')');
            foreach (var row in await SelectAsync("listing held run leases", sql.ToString(), parameters, cancellationToken).ConfigureAwait(false))
            {
                held.Add(row.RunId);
            }
        }

        return [.. runIds.Where(id => !held.Contains(id))];
    }

    private async Task<bool> UpdateHeldAsync(string operation, string set, RunLease lease, long expires, long now, CancellationToken cancellationToken)
    {
        var changed = await RunAsync(operation, async (connection, ct) =>
        {
            using var command = Command(connection, $"UPDATE {_table} SET {set} WHERE run_id = @run AND holder = @holder AND token = @token");
            Add(command, "@run", lease.RunId);
            Add(command, "@holder", lease.Owner);
            Add(command, "@token", lease.Token);
            Add(command, "@expires", expires);
            Add(command, "@now", now);
            return (object)await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return (int)changed! == 1;
    }

    private async Task<IReadOnlyList<StoredRunLease>> SelectAsync(
        string operation, string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken cancellationToken)
    {
        var rows = new List<StoredRunLease>();
        await RunAsync(operation, async (connection, ct) =>
        {
            using var command = Command(connection, sql);
            foreach (var (name, value) in parameters)
            {
                Add(command, name, value);
            }

            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                rows.Add(new StoredRunLease(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), FromMicros(reader.GetInt64(3)), reader.GetInt64(2)));
            }

            return null;
        }, cancellationToken).ConfigureAwait(false);
        return rows;
    }

    private async Task<object?> RunAsync(string operation, Func<DbConnection, CancellationToken, Task<object?>> work, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            var connection = await _open(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                return await work(connection, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (DbException ex)
        {
            throw Translate(ex, operation);
        }
    }

    private async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        // Idempotent DDL (IF NOT EXISTS; on PostgreSQL under an advisory lock), so callers racing here may all run it.
        if (_created)
        {
            return;
        }

        try
        {
            var connection = await _open(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (tx.ConfigureAwait(false))
                {
                    foreach (var ddl in Schema())
                    {
                        using var command = Command(connection, ddl);
                        command.Transaction = tx;
                        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            _created = true;
        }
        catch (DbException ex)
        {
            throw Translate(ex, "creating the run_leases table");
        }
    }

    private IEnumerable<string> Schema()
    {
        if (_lockSql is not null)
        {
            yield return _lockSql;
        }

        yield return $"""
            CREATE TABLE IF NOT EXISTS {_table} (
                run_id     TEXT   PRIMARY KEY,
                holder     TEXT,
                token      BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                org_id     TEXT,
                updated_at BIGINT NOT NULL
            )
            """;
        yield return $"CREATE INDEX IF NOT EXISTS run_leases_held ON {_table} (expires_at) WHERE holder IS NOT NULL";
    }

    private EventStoreException Translate(DbException ex, string operation) => RunDatabase.Failure(ex, $"Run leases in {_where}", operation);

    private static DbCommand Command(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

}
