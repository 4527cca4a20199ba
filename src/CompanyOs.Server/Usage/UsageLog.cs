using System.Data.Common;
using System.Globalization;
using CompanyOs.Server.Keys;
using Microsoft.Data.Sqlite;
using CompanyOs.Events.Sqlite;

namespace CompanyOs.Server.Usage;

/// <summary>One charged gateway call, as the usage log keeps it (a struct: <see cref="UsageRecorder"/> queues them by value).</summary>
internal readonly record struct UsageRecord(
    string Org, string? KeyId, string Provider, string Model, string? Agent, long InputTokens, long OutputTokens, decimal? CostUsd,
    bool Emulated, DateTimeOffset At)
{
    /// <summary>The UTC calendar day of <see cref="At"/> (<c>yyyy-MM-dd</c>), what stats group and filter by.</summary>
    public string Day => At.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>The calls of one org summed by provider, model, agent, key and day (the finest grouping stats offer).</summary>
internal sealed record UsageTotals(
    string Provider, string Model, string? Agent, string? KeyId, string Day, long Calls, long InputTokens, long OutputTokens, decimal CostUsd,
    long UnpricedCalls, long EmulatedCalls = 0);

/// <summary>The durable usage log (table <c>usage_records</c>) in the server's store.</summary>
internal sealed class UsageLog(StoreDatabase database)
{
    // In the order AppendAsync binds them.
    private static readonly string[] InsertParameters =
        ["@org", "@key", "@provider", "@model", "@agent", "@input", "@output", "@cost", "@emulated", "@at", "@day"];

    private const string InsertSql = """
        INSERT INTO usage_records (org, key_id, provider, model, agent, input_tokens, output_tokens, cost_nanos, emulated, at, day)
        VALUES (@org, @key, @provider, @model, @agent, @input, @output, @cost, @emulated, @at, @day)
        """;

    /// <summary>
    /// Appends <paramref name="records"/> in one transaction, through one statement whose parameters are re-bound per record: SQLite
    /// parses and prepares the INSERT once per batch instead of once per record (a batch holds up to hundreds of calls).
    /// </summary>
    public async Task AppendAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (connection is SqliteConnection sqlite)
        {
            AppendSqlite(sqlite, records, cancellationToken);
        }
        else
        {
            await AppendCommandAsync(connection, transaction, records, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// SQLite: the statement bound through SQLitePCL directly, text as UTF-16 spans and numbers as integers. A command's parameters
    /// would allocate a binder, a UTF-8 copy of each text and a boxed number per value and record, on every call's path; this
    /// allocates nothing per record. The transaction (begun IMMEDIATE, holding the write lock) is the connection's, so these
    /// INSERTs are part of it.
    /// </summary>
    private static void AppendSqlite(SqliteConnection connection, IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        using var statement = new SqliteStatement(connection, InsertSql);
        Span<char> at = stackalloc char[40];
        Span<char> day = stackalloc char[16];
        foreach (var record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var utc = record.At.UtcDateTime;
            if (!utc.TryFormat(at, out var atLength, "O", CultureInfo.InvariantCulture)
                || !utc.TryFormat(day, out var dayLength, "yyyy-MM-dd", CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException($"The usage record's time {record.At:O} did not fit its column's format buffer.");
            }

            statement.Bind(1, record.Org);
            statement.Bind(2, record.KeyId);
            statement.Bind(3, record.Provider);
            statement.Bind(4, record.Model);
            statement.Bind(5, record.Agent);
            statement.Bind(6, record.InputTokens);
            statement.Bind(7, record.OutputTokens);
            if (record.CostUsd is { } cost)
            {
                statement.Bind(8, StoreDatabase.ToNanos(cost));
            }
            else
            {
                statement.BindNull(8);
            }

            statement.Bind(9, record.Emulated ? 1 : 0);
            statement.Bind(10, at[..atLength]);
            statement.Bind(11, day[..dayLength]);
            statement.Execute();
        }
    }

    /// <summary>Any other store (PostgreSQL): one command, its parameters re-bound per record.</summary>
    private static async Task AppendCommandAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertSql;
        foreach (var name in InsertParameters)
        {
            command.With(name, null);
        }

        var parameters = command.Parameters;
        foreach (var record in records)
        {
            Bind(parameters[0], record.Org);
            Bind(parameters[1], record.KeyId);
            Bind(parameters[2], record.Provider);
            Bind(parameters[3], record.Model);
            Bind(parameters[4], record.Agent);
            Bind(parameters[5], record.InputTokens);
            Bind(parameters[6], record.OutputTokens);
            Bind(parameters[7], record.CostUsd is { } cost ? StoreDatabase.ToNanos(cost) : null);
            Bind(parameters[8], record.Emulated ? 1 : 0);
            Bind(parameters[9], record.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            Bind(parameters[10], record.Day);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static void Bind(DbParameter parameter, object? value) => parameter.Value = value ?? DBNull.Value;

    /// <summary>The calls of <paramref name="org"/> — and only of it — from day <paramref name="from"/> to <paramref name="to"/> (inclusive, UTC).</summary>
    public async Task<IReadOnlyList<UsageTotals>> SummarizeAsync(string org, DateOnly? from, DateOnly? to, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT provider, model, agent, key_id, day, COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cost_nanos),
                   SUM(CASE WHEN cost_nanos IS NULL THEN 1 ELSE 0 END), SUM(emulated)
            FROM usage_records
            WHERE org = @org{(from is null ? "" : " AND day >= @from")}{(to is null ? "" : " AND day <= @to")}
            GROUP BY provider, model, agent, key_id, day
            """;
        command.With("@org", org);
        if (from is { } f)
        {
            command.With("@from", f.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        if (to is { } t)
        {
            command.With("@to", t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        var rows = new List<UsageTotals>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new UsageTotals(
                reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), Long(reader.GetValue(5)), Long(reader.GetValue(6)), Long(reader.GetValue(7)),
                StoreDatabase.FromNanos(Long(reader.GetValue(8))), Long(reader.GetValue(9)), Long(reader.GetValue(10))));
        }

        return rows;
    }

    private static long Long(object value) => value is DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
}
