using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace CompanyOs.Events.Postgres;

/// <summary>
/// The safe position: the highest position P such that every position up to P is settled — its event is committed, or
/// the transaction that took it has ended without committing it (a permanent gap). Readers only read up to P, so they
/// never move past a position whose event may still commit, and gaps never fill behind them.
/// </summary>
/// <remarks>
/// <para>An append takes its transaction id before its positions (<see cref="PostgresAppender"/>). An observation reads
/// the sequence's last issued value S, then (next statement, so a later snapshot) the snapshot's in-progress
/// transaction ids X. Every position up to S was taken by a transaction that already had its id when the snapshot was
/// taken, so it is either finished or in X. Once a later snapshot shows every id of X finished, everything up to S is
/// settled — whatever is still missing below S then is a gap from a rolled-back or failed append, known, not guessed.
/// Between observations, the contiguous run of committed positions after P is settled too and moves P at once.</para>
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
        SELECT pg_current_snapshot()::text,
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
        // Two statements on purpose: the snapshot of the second is taken after the sequence was read.
        var issued = await ReadIssuedAsync(connection, cancellationToken).ConfigureAwait(false);
        Snapshot snapshot;
        long? committedRun;
        await using (var command = new NpgsqlCommand(_observeSql, connection))
        {
            command.Parameters.AddWithValue("safe", _safe);
            command.Parameters.AddWithValue("issued", issued);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            snapshot = Snapshot.Parse(reader.GetString(0));
            committedRun = reader.IsDBNull(1) ? null : reader.GetInt64(1);
        }

        if (_pending is { } pending && snapshot.AllFinished(pending.InProgress))
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
            if (snapshot.InProgress.Length == 0)
            {
                _safe = issued;
            }
            else
            {
                _pending = new Observation(issued, snapshot.InProgress);
            }
        }
    }

    private async Task<long> ReadIssuedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_issuedSql, connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Positions up to <see cref="Issued"/> are settled once every transaction of <see cref="InProgress"/> has ended.</summary>
    private sealed record Observation(long Issued, ulong[] InProgress);

    /// <summary>A <c>pg_snapshot</c>: <c>xmin:xmax:xip,...</c> (ids below xmin are finished; xip are in progress).</summary>
    internal sealed record Snapshot(ulong Xmin, ulong[] InProgress)
    {
        public static Snapshot Parse(string text)
        {
            var parts = text.Split(':');
            if (parts.Length != 3)
            {
                throw new FormatException($"Unexpected pg_snapshot text '{text}'.");
            }

            var xip = parts[2].Length == 0
                ? []
                : parts[2].Split(',').Select(x => ulong.Parse(x, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
            return new Snapshot(ulong.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture), xip);
        }

        /// <summary>True when none of <paramref name="ids"/> (all taken before this snapshot) is still in progress.</summary>
        public bool AllFinished(ulong[] ids) => ids.All(id => id < Xmin || Array.IndexOf(InProgress, id) < 0);
    }
}
