using System.Data.Common;
using System.Globalization;
using System.Text;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Storage;
using CompanyOs.Events;
using CompanyOs.Events.Postgres;
using CompanyOs.Events.Sqlite;
using Microsoft.Data.Sqlite;
using static CompanyOs.Agents.Storage.RunDatabase;

namespace CompanyOs.Agents.ReadModel;

/// <summary>
/// The runs table in the event store's own database. One SQL text serves SQLite and PostgreSQL (timestamps as Unix
/// microseconds, cost as invariant text, flags as integers); only opening a connection, naming the tables and the creation
/// lock differ. SQLite transactions are <c>BEGIN IMMEDIATE</c> (one writer); on PostgreSQL the checkpoint row's update,
/// done first, serializes concurrent projectors.
/// </summary>
internal sealed class SqlRunTable : IRunTable
{
    /// <summary>Bumped whenever the table's columns or meaning change: an older table is dropped and rebuilt from the events.</summary>
    private const int Layout = 1;

    private const string Columns =
        "run_id, org_id, agent_type, status, task, task_id, capability, prompt_name, prompt_version, iterations, input_tokens, output_tokens, "
        + "total_tokens, cost_usd, cost_incomplete, emulated, pending_count, pending, error, created_at, updated_at, ended_at, version, start_position";

    private readonly Func<CancellationToken, Task<DbConnection>> _open;
    private readonly Func<ValueTask> _close;
    private readonly string _runs;
    private readonly string _checkpoint;
    private readonly string _existsSql;
    private readonly string? _lockSql;
    private readonly string _where;
    private readonly string _upsertSql;

    private SqlRunTable(
        Func<CancellationToken, Task<DbConnection>> open, Func<ValueTask> close, string runs, string checkpoint, string existsSql, string? lockSql, string where)
    {
        _open = open;
        _close = close;
        _runs = runs;
        _checkpoint = checkpoint;
        _existsSql = existsSql;
        _lockSql = lockSql;
        _where = where;
        var names = Columns.Split(", ");
        _upsertSql = $"INSERT INTO {runs} AS cur ({Columns}) VALUES ({string.Join(", ", names.Select(n => "@" + n))}) "
            + $"ON CONFLICT (run_id) DO UPDATE SET {string.Join(", ", names.Skip(1).Select(n => $"{n} = excluded.{n}"))} "
            + "WHERE cur.version <= excluded.version";
    }

    public static SqlRunTable ForSqlite(SqliteEventStore store)
    {
        var connectionString = RunDatabase.SqliteConnectionString(store);
        return new SqlRunTable(
            ct => RunDatabase.OpenSqliteAsync(connectionString, ct),
            () =>
            {
                using var connection = new SqliteConnection(connectionString);
                SqliteConnection.ClearPool(connection);
                return ValueTask.CompletedTask;
            },
            "run_summaries",
            "run_summaries_checkpoint",
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'run_summaries_checkpoint'",
            null,
            store.DatabasePath);
    }

    public static SqlRunTable ForPostgres(PostgresEventStore store)
    {
        var s = "\"" + store.Schema + "\"";
        return new SqlRunTable(
            ct => RunDatabase.OpenPostgresAsync(store, ct),
            () => ValueTask.CompletedTask,
            $"{s}.run_summaries",
            $"{s}.run_summaries_checkpoint",
            $"SELECT CASE WHEN to_regclass('{s}.run_summaries_checkpoint') IS NULL THEN 0 ELSE 1 END",
            // The event store's advisory lock class ('EVTS'); object 1 guards the read model's DDL.
            "SELECT pg_advisory_xact_lock(1163285587, 1)",
            store.Location);
    }

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => InTransactionAsync("creating the runs table", async (connection, tx, ct) =>
    {
        if (_lockSql is not null)
        {
            await ExecuteAsync(connection, tx, _lockSql, ct).ConfigureAwait(false);
        }

        if (Convert.ToInt64(await ScalarAsync(connection, tx, _existsSql, ct).ConfigureAwait(false), CultureInfo.InvariantCulture) == 1)
        {
            var layout = Convert.ToInt64(await ScalarAsync(connection, tx, $"SELECT layout FROM {_checkpoint} WHERE id = 1", ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (layout == Layout)
            {
                return true;
            }

            await ExecuteAsync(connection, tx, $"DROP TABLE IF EXISTS {_runs}", ct).ConfigureAwait(false);
            await ExecuteAsync(connection, tx, $"DROP TABLE {_checkpoint}", ct).ConfigureAwait(false);
        }

        foreach (var ddl in Schema())
        {
            await ExecuteAsync(connection, tx, ddl, ct).ConfigureAwait(false);
        }

        return true;
    }, cancellationToken);

    public async Task<RunCheckpoint> ReadCheckpointAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync("reading the checkpoint", cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                using var command = Command(connection, null, $"SELECT position, generation FROM {_checkpoint} WHERE id = 1");
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                    ? new RunCheckpoint(reader.GetInt64(0), reader.GetInt64(1))
                    : throw new EventStoreException($"Run read model in {_where}: the checkpoint row is missing.");
            }
            catch (DbException ex)
            {
                throw Translate(ex, "reading the checkpoint");
            }
        }
    }

    public Task<bool> CommitAsync(RunCheckpoint from, long to, IReadOnlyList<RunRow> rows, CancellationToken cancellationToken) =>
        InTransactionAsync("projecting runs", async (connection, tx, ct) =>
        {
            using (var move = Command(connection, tx, $"UPDATE {_checkpoint} SET position = @to WHERE id = 1 AND position = @from AND generation = @generation"))
            {
                Add(move, "@to", to);
                Add(move, "@from", from.Position);
                Add(move, "@generation", from.Generation);
                if (await move.ExecuteNonQueryAsync(ct).ConfigureAwait(false) != 1)
                {
                    return false;
                }
            }

            foreach (var row in rows)
            {
                using var upsert = Command(connection, tx, _upsertSql);
                Bind(upsert, row);
                await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<RunRow>> QueryAsync(RunQuery query, long? before, int limit, CancellationToken cancellationToken)
    {
        var where = new StringBuilder("1 = 1");
        var parameters = new List<(string, object?)>();
        void Filter(string condition, string name, object? value)
        {
            where.Append(" AND ").Append(condition);
            parameters.Add((name, value));
        }

        if (query.OrgId is { } org)
        {
            Filter("org_id = @org", "@org", org);
        }

        if (query.Status is { } status)
        {
            Filter("status = @status", "@status", status.ToWireName());
        }

        if (query.AgentType is { } agent)
        {
            Filter("agent_type = @agent", "@agent", agent);
        }

        if (query.From is { } from)
        {
            Filter("created_at >= @from", "@from", Micros(from));
        }

        if (query.To is { } to)
        {
            Filter("created_at < @to", "@to", Micros(to));
        }

        if (before is { } position)
        {
            Filter("start_position < @before", "@before", position);
        }

        parameters.Add(("@limit", (long)limit));
        return SelectAsync($"SELECT {Columns} FROM {_runs} WHERE {where} ORDER BY start_position DESC LIMIT @limit", parameters, cancellationToken);
    }

    public async Task<RunRow?> GetAsync(string runId, CancellationToken cancellationToken) =>
        (await SelectAsync($"SELECT {Columns} FROM {_runs} WHERE run_id = @id", [("@id", runId)], cancellationToken).ConfigureAwait(false)) is [var row] ? row : null;

    public Task<IReadOnlyList<RunRow>> ListPendingAsync(string? orgId, CancellationToken cancellationToken) =>
        orgId is null
            ? SelectAsync($"SELECT {Columns} FROM {_runs} WHERE pending_count > 0", [], cancellationToken)
            : SelectAsync($"SELECT {Columns} FROM {_runs} WHERE pending_count > 0 AND org_id = @org", [("@org", orgId)], cancellationToken);

    public Task ResetAsync(CancellationToken cancellationToken) => InTransactionAsync("resetting the runs table", async (connection, tx, ct) =>
    {
        // The generation first: on PostgreSQL it locks the checkpoint row, so no projector commits between the two statements.
        await ExecuteAsync(connection, tx, $"UPDATE {_checkpoint} SET position = 0, generation = generation + 1 WHERE id = 1", ct).ConfigureAwait(false);
        await ExecuteAsync(connection, tx, $"DELETE FROM {_runs}", ct).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    public ValueTask DisposeAsync() => _close();

    private IEnumerable<string> Schema()
    {
        yield return $"""
            CREATE TABLE IF NOT EXISTS {_runs} (
                run_id          TEXT    PRIMARY KEY,
                org_id          TEXT,
                agent_type      TEXT    NOT NULL,
                status          TEXT    NOT NULL,
                task            TEXT    NOT NULL,
                task_id         TEXT,
                capability      TEXT,
                prompt_name     TEXT,
                prompt_version  TEXT,
                iterations      BIGINT  NOT NULL,
                input_tokens    BIGINT  NOT NULL,
                output_tokens   BIGINT  NOT NULL,
                total_tokens    BIGINT  NOT NULL,
                cost_usd        TEXT    NOT NULL,
                cost_incomplete BIGINT  NOT NULL,
                emulated        BIGINT  NOT NULL,
                pending_count   BIGINT  NOT NULL,
                pending         TEXT,
                error           TEXT,
                created_at      BIGINT  NOT NULL,
                updated_at      BIGINT  NOT NULL,
                ended_at        BIGINT,
                version         BIGINT  NOT NULL,
                start_position  BIGINT  NOT NULL UNIQUE
            )
            """;
        yield return $"CREATE INDEX IF NOT EXISTS run_summaries_by_org ON {_runs} (org_id, start_position)";
        yield return $"CREATE INDEX IF NOT EXISTS run_summaries_by_org_status ON {_runs} (org_id, status, start_position)";
        yield return $"CREATE INDEX IF NOT EXISTS run_summaries_by_org_agent ON {_runs} (org_id, agent_type, start_position)";
        yield return $"CREATE INDEX IF NOT EXISTS run_summaries_by_status ON {_runs} (status, start_position)";
        yield return $"CREATE INDEX IF NOT EXISTS run_summaries_pending ON {_runs} (org_id) WHERE pending_count > 0";
        yield return $"""
            CREATE TABLE IF NOT EXISTS {_checkpoint} (
                id         BIGINT PRIMARY KEY CHECK (id = 1),
                position   BIGINT NOT NULL,
                generation BIGINT NOT NULL,
                layout     BIGINT NOT NULL
            )
            """;
        yield return string.Create(CultureInfo.InvariantCulture, $"INSERT INTO {_checkpoint} (id, position, generation, layout) VALUES (1, 0, 1, {Layout}) ON CONFLICT (id) DO NOTHING");
    }

    private async Task<IReadOnlyList<RunRow>> SelectAsync(string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync("listing runs", cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                using var command = Command(connection, null, sql);
                foreach (var (name, value) in parameters)
                {
                    Add(command, name, value);
                }

                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                var rows = new List<RunRow>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(Read(reader));
                }

                return rows;
            }
            catch (DbException ex)
            {
                throw Translate(ex, "listing runs");
            }
        }
    }

    private static RunRow Read(DbDataReader r)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        var status = r.GetString(3);
        var summary = new RunSummary
        {
            RunId = r.GetString(0),
            OrgId = Text(1),
            AgentType = r.GetString(2),
            Status = RunStatusExtensions.TryParseWireName(status, out var parsed) ? parsed : throw new EventStoreException($"Run read model: unknown status '{status}' stored."),
            Task = r.GetString(4),
            TaskId = Text(5),
            Capability = Text(6),
            PromptName = Text(7),
            PromptVersion = Text(8),
            Iterations = (int)r.GetInt64(9),
            InputTokens = r.GetInt64(10),
            OutputTokens = r.GetInt64(11),
            TotalTokens = r.GetInt64(12),
            CostUsd = decimal.Parse(r.GetString(13), NumberStyles.Number, CultureInfo.InvariantCulture),
            CostIncomplete = r.GetInt64(14) != 0,
            Emulated = r.GetInt64(15) != 0,
            PendingCount = (int)r.GetInt64(16),
            Error = Text(18),
            CreatedAt = FromMicros(r.GetInt64(19)),
            UpdatedAt = FromMicros(r.GetInt64(20)),
            EndedAt = r.IsDBNull(21) ? null : FromMicros(r.GetInt64(21)),
            Version = r.GetInt64(22),
        };
        return new RunRow(summary, r.GetInt64(23), Text(17));
    }

    private static void Bind(DbCommand command, RunRow row)
    {
        var s = row.Summary;
        object?[] values =
        [
            s.RunId, s.OrgId, s.AgentType, s.Status.ToWireName(), s.Task, s.TaskId, s.Capability, s.PromptName, s.PromptVersion, (long)s.Iterations,
            s.InputTokens, s.OutputTokens, s.TotalTokens, s.CostUsd.ToString(CultureInfo.InvariantCulture), s.CostIncomplete ? 1L : 0L, s.Emulated ? 1L : 0L,
            (long)s.PendingCount, row.PendingJson, s.Error, Micros(s.CreatedAt), Micros(s.UpdatedAt), s.EndedAt is { } ended ? Micros(ended) : null, s.Version,
            row.StartPosition,
        ];
        foreach (var (name, value) in Columns.Split(", ").Zip(values))
        {
            Add(command, "@" + name, value);
        }
    }


    private async Task<T> InTransactionAsync<T>(string operation, Func<DbConnection, DbTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(operation, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (tx.ConfigureAwait(false))
                {
                    var result = await work(connection, tx, cancellationToken).ConfigureAwait(false);
                    if (result is false)
                    {
                        await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                    }

                    return result;
                }
            }
            catch (DbException ex)
            {
                throw Translate(ex, operation);
            }
        }
    }

    private async Task<DbConnection> OpenAsync(string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await _open(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex)
        {
            throw Translate(ex, operation);
        }
    }

    private EventStoreException Translate(DbException ex, string operation) => RunDatabase.Failure(ex, $"Run read model in {_where}", operation);

    private static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return command;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction tx, string sql, CancellationToken cancellationToken)
    {
        using var command = Command(connection, tx, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction tx, string sql, CancellationToken cancellationToken)
    {
        using var command = Command(connection, tx, sql);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }
}
