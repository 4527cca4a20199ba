using System.Diagnostics;
using Npgsql;

namespace CompanyOs.Events.Postgres;

/// <summary>
/// The safe position: the highest position P such that every position up to P is settled — its event is committed, or
/// the transaction that took it has ended without committing it (a permanent gap). Readers only read up to P, so they
/// never move past a position whose event may still commit, and gaps never fill behind them.
/// </summary>
/// <remarks>
/// <para>Every append holds the schema's writers' lock (an advisory lock, shared) from before it takes its positions
/// until it commits or rolls back (<see cref="PostgresAppender"/>). An observation reads the sequence's last issued
/// value S, then (next statement) the transactions holding the writers' lock, W. Every position up to S was taken by a
/// transaction that held the lock before S was read, so it has ended or is in W. Once a later look at <c>pg_locks</c>
/// shows none of W left, everything up to S is settled — whatever is still missing below S then is a gap from a
/// rolled-back or failed append: known, not guessed. (PostgreSQL makes a commit visible before it releases locks.)
/// Between observations, the contiguous run of committed positions after P is settled too and moves P at once.</para>
/// <para>Transaction ids would not do: <c>pg_current_snapshot()</c> lists in-progress ids only below its xmax (one past
/// the latest <em>completed</em> id), so the newest appends in flight would be missed; and they include every other
/// transaction of the cluster.</para>
/// <para>Unlike Marten's high-water mark, gaps are never skipped on a timer: a reader waits (bounded by
/// <see cref="PostgresEventStoreOptions.InFlightWait"/>, then returns what is settled) rather than risk skipping an
/// event that commits late. One instance per store: its progress is shared by all readers of the store.</para>
/// </remarks>
internal sealed class PostgresSafePosition(string schema, TimeSpan inFlightWait) : IDisposable
{
    private const int PrefixScanLimit = 1000;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(50);

    private readonly string _issuedSql = $"SELECT COALESCE(pg_sequence_last_value('{PostgresSchema.PositionSequence(schema)}'), 0)";
    private readonly string _observeSql = $"""
        SELECT ARRAY(
                SELECT l.virtualtransaction FROM pg_locks AS l
                WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    AND l.classid = {PostgresSchema.WriterLockClass} AND l.objid = {PostgresSchema.WriterKey(schema)} AND l.objsubid = 2),
            (SELECT MAX(position) FROM (
                SELECT position, position - row_number() OVER (ORDER BY position) AS d FROM {PostgresSchema.Quote(schema)}.events
                WHERE position > @safe AND position <= @issued ORDER BY position LIMIT {PrefixScanLimit}) AS run
             WHERE d = @safe)
        """;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _safe;
    private Observation? _pending;

    /// <summary>
    /// Settles positions up to the last one issued when the call starts (so an append that returned before is covered),
    /// waiting for in-flight appends at most <c>inFlightWait</c>; returns the safe position reached.
    /// </summary>
    public async Task<long> SettleAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var target = await ReadIssuedAsync(connection, cancellationToken).ConfigureAwait(false);
            if (target <= _safe)
            {
                return _safe;
            }

            // Database time, not the store's TimeProvider (which tests fake): this waits for other transactions.
            var waited = Stopwatch.StartNew();
            var backoff = TimeSpan.FromMilliseconds(1);
            while (true)
            {
                await ObserveAsync(connection, cancellationToken).ConfigureAwait(false);
                if (_safe >= target || waited.Elapsed >= inFlightWait)
                {
                    return _safe;
                }

                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task ObserveAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // Two statements on purpose: the writers are looked up after the sequence was read.
        var issued = await ReadIssuedAsync(connection, cancellationToken).ConfigureAwait(false);
        string[] writers;
        long? committedRun;
        await using (var command = new NpgsqlCommand(_observeSql, connection))
        {
            command.Parameters.AddWithValue("safe", _safe);
            command.Parameters.AddWithValue("issued", issued);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            writers = reader.GetFieldValue<string[]>(0);
            committedRun = reader.IsDBNull(1) ? null : reader.GetInt64(1);
        }

        if (_pending is { } pending && !pending.Writers.Intersect(writers, StringComparer.Ordinal).Any())
        {
            _safe = Math.Max(_safe, pending.Issued);
            _pending = null;
        }

        if (committedRun is { } end)
        {
            _safe = Math.Max(_safe, end);
        }

        if (_pending is null && issued > _safe)
        {
            if (writers.Length == 0)
            {
                _safe = issued;
            }
            else
            {
                _pending = new Observation(issued, writers);
            }
        }
    }

    private async Task<long> ReadIssuedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_issuedSql, connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Positions up to <see cref="Issued"/> are settled once none of <see cref="Writers"/> (virtual transaction ids
    /// holding the writers' lock) holds it any more. PostgreSQL does not reuse a virtual transaction id for another
    /// transaction (the local counter of a backend slot survives its sessions).
    /// </summary>
    private sealed record Observation(long Issued, string[] Writers);
}
