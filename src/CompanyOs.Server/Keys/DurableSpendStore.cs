using System.Data.Common;
using System.Threading.Channels;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Server.Hosting;

namespace CompanyOs.Server.Keys;

/// <summary>
/// The gateway's <see cref="ISpendStore"/> over the server's store: settled spend is kept in <see cref="SpendLedger"/> (it
/// survives restarts, and every instance sharing a PostgreSQL store sees it), the reservations of calls in flight are this
/// process's.
/// <para>
/// Calls never wait for the disk. A reservation is decided in memory from the spend last read from the ledger, plus what
/// this process settled and has not written yet, plus its reservations. A value older than <see cref="RefreshAfter"/> is
/// re-read by one background read while calls go on with it (so another instance's settled calls count within about a
/// second at any steady rate of calls); only a call whose scope was never read, or was read longer than
/// <see cref="WaitAfter"/> ago (sparse traffic), waits for the read. Before, every call that found a value stale waited
/// for the re-read — and so for a ledger write in progress (an fsync, tens to hundreds of milliseconds on a busy disk):
/// once a second every call in flight on a budgeted key stalled behind the disk (issue 17, the p99 at 32 connections). A settlement is added in memory and written by one
/// background writer, which folds every settlement waiting into one transaction and then lingers (<see cref="DefaultLinger"/>)
/// before the next, so that the ledger costs at most one transaction (one fsync) and one writer wake-up per linger at any
/// rate of calls; a failed write is kept and retried, and disposing writes what is left (a graceful shutdown loses nothing;
/// a crash loses at most the settlements of the write in progress and of the linger). Before this, every reservation read the ledger and every settlement was its own transaction behind one gate:
/// a key with a budget served about ten calls a second.
/// </para>
/// </summary>
internal sealed class DurableSpendStore : ISpendStore, IAsyncDisposable
{
    /// <summary>How old the spend read from the ledger may be before a reservation starts a background re-read of it.</summary>
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(1);

    /// <summary>How old the spend read from the ledger may be before a reservation waits for a fresh read instead of using it.</summary>
    public static readonly TimeSpan WaitAfter = TimeSpan.FromSeconds(5);

    /// <summary>How long the writer waits after a write before the next one, folding the settlements made meanwhile into it.</summary>
    public static readonly TimeSpan DefaultLinger = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly TimeSpan _linger;
    private long _writes;

    private readonly SpendLedger _ledger;
    private readonly ILogger<DurableSpendStore> _logger;
    private readonly TimeProvider _time;

    // Reads of the ledger and writes to it take turns, so that a value read never includes a write that is then added again.
    private readonly SemaphoreSlim _ledgerTurn = new(1, 1);
    private readonly Lock _lock = new();
    private readonly Dictionary<BudgetScope, (SpendAmount Spent, long ReadAt)> _read = [];
    private readonly Dictionary<BudgetScope, SpendAmount> _unwritten = [];
    private readonly Dictionary<BudgetScope, SpendAmount> _reserved = [];
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private readonly Task _writer;

    // The background re-read in progress (at most one), awaited by DisposeAsync.
    private Task _refresh = Task.CompletedTask;

    /// <param name="ledger">The settled spend.</param>
    /// <param name="logger">For settlements not written.</param>
    /// <param name="time">The clock of the ledger's refresh and of the writer's linger.</param>
    /// <param name="linger">The writer's wait after a write (<see cref="DefaultLinger"/> when null); zero: none.</param>
    public DurableSpendStore(SpendLedger ledger, ILogger<DurableSpendStore> logger, TimeProvider? time = null, TimeSpan? linger = null)
    {
        _ledger = ledger;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _linger = linger ?? DefaultLinger;
        _writer = Task.Run(WriteLoopAsync);
    }

    public async ValueTask<ReservationResult> TryReserveAsync(IReadOnlyList<BudgetCheck> checks, SpendAmount amount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checks);
        await RefreshAsync(checks, cancellationToken);
        lock (_lock)
        {
            for (var i = 0; i < checks.Count; i++) // indexed: foreach over the list interface allocates an enumerator per call (every call's path)
            {
                var check = checks[i];
                var committed = Committed(check.Scope) + _reserved.GetValueOrDefault(check.Scope);
                var total = committed + amount;
                if (!check.Limit.Allows(total))
                {
                    return new ReservationResult(false, check, committed);
                }
            }

            for (var i = 0; i < checks.Count; i++)
            {
                var check = checks[i];
                _reserved[check.Scope] = _reserved.GetValueOrDefault(check.Scope) + amount;
            }
        }

        return ReservationResult.Grant;
    }

    public ValueTask SettleAsync(IReadOnlyList<BudgetCheck> checks, SpendAmount reserved, SpendAmount actual, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checks);
        lock (_lock)
        {
            for (var i = 0; i < checks.Count; i++)
            {
                var check = checks[i];
                Adjust(_reserved, check.Scope, default(SpendAmount) - reserved);
                if (actual != default)
                {
                    Adjust(_unwritten, check.Scope, actual);
                }
            }
        }

        if (actual != default)
        {
            _wake.Writer.TryWrite(true);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The ledger transactions attempted so far (by the writer and by <see cref="FlushAsync"/>).</summary>
    internal long Writes => Interlocked.Read(ref _writes);

    /// <summary>What <paramref name="scope"/> has spent: the ledger's value read now, plus this process's settlements not written yet.</summary>
    public async ValueTask<SpendAmount> GetSpentAsync(BudgetScope scope, CancellationToken cancellationToken = default)
    {
        await _ledgerTurn.WaitAsync(cancellationToken);
        try
        {
            var spent = (await _ledger.GetAsync([scope], cancellationToken))[0];
            lock (_lock)
            {
                _read[scope] = (spent, _time.GetTimestamp());
                return Committed(scope);
            }
        }
        finally
        {
            _ledgerTurn.Release();
        }
    }

    /// <summary>Writes every settlement made so far to the ledger (tests, shutdown).</summary>
    /// <exception cref="DbException">The ledger refused the write; the settlements stay queued.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (await WriteAsync(cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as ISpendStore: the container disposes it once per registration.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _wake.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _writer;
        Task refresh;
        lock (_lock)
        {
            refresh = _refresh; // none starts after _disposed is set
        }

        await refresh;
        if (await WriteAsync(CancellationToken.None) is { } failure)
        {
            LogUnwritten(failure);
        }

        _ledgerTurn.Dispose();
        _stopping.Dispose();
    }

    private SpendAmount Committed(BudgetScope scope) =>
        (_read.TryGetValue(scope, out var read) ? read.Spent : default) + _unwritten.GetValueOrDefault(scope);

    /// <summary>
    /// Reads the ledger, waiting, for the scopes never read or read longer than <see cref="WaitAfter"/> ago; starts one
    /// background read for those read longer than <see cref="RefreshAfter"/> ago and uses their value meanwhile.
    /// </summary>
    /// <exception cref="DbException">The ledger does not answer: the call is refused (503) rather than run unaccounted.</exception>
    private async Task RefreshAsync(IReadOnlyList<BudgetCheck> checks, CancellationToken cancellationToken)
    {
        if (Stale(checks, RefreshAfter) is null)
        {
            return;
        }

        if (Stale(checks, WaitAfter) is null)
        {
            RefreshInBackground(checks);
            return;
        }

        await ReadAsync(checks, WaitAfter, cancellationToken);
    }

    /// <summary>Starts a re-read of the scopes of <paramref name="checks"/> read longer than <see cref="RefreshAfter"/> ago, unless one runs.</summary>
    private void RefreshInBackground(IReadOnlyList<BudgetCheck> checks)
    {
        lock (_lock)
        {
            if (!_refresh.IsCompleted || _disposed != 0)
            {
                return;
            }

            BudgetCheck[] scopes = [.. checks]; // the caller's list is not ours to keep
            _refresh = Task.Run(async () =>
            {
                try
                {
                    await ReadAsync(scopes, RefreshAfter, _stopping.Token);
                }
                catch (Exception e) when (e is DbException or OperationCanceledException or ObjectDisposedException)
                {
                    // Calls go on with the value they have; once it is older than WaitAfter a call reads (and fails) itself.
                }
            });
        }
    }

    /// <summary>Reads the ledger for the scopes of <paramref name="checks"/> read longer than <paramref name="olderThan"/> ago (or never).</summary>
    private async Task ReadAsync(IReadOnlyList<BudgetCheck> checks, TimeSpan olderThan, CancellationToken cancellationToken)
    {
        await _ledgerTurn.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have read them while this one waited its turn.
            if (Stale(checks, olderThan) is not { } stale)
            {
                return;
            }

            // On a thread-pool worker, not the socket thread running the call (see ApiKeyStore.FindAsync).
            var spent = await Task.Run(() => _ledger.GetAsync(stale, cancellationToken), cancellationToken);
            var now = _time.GetTimestamp();
            lock (_lock)
            {
                for (var i = 0; i < stale.Count; i++)
                {
                    _read[stale[i]] = (spent[i], now);
                }
            }
        }
        finally
        {
            _ledgerTurn.Release();
        }
    }

    private List<BudgetScope>? Stale(IReadOnlyList<BudgetCheck> checks, TimeSpan olderThan)
    {
        List<BudgetScope>? stale = null;
        lock (_lock)
        {
            for (var i = 0; i < checks.Count; i++)
            {
                var check = checks[i];
                if (!_read.TryGetValue(check.Scope, out var read) || _time.GetElapsedTime(read.ReadAt) >= olderThan)
                {
                    (stale ??= []).Add(check.Scope);
                }
            }
        }

        return stale;
    }

    private async Task WriteLoopAsync()
    {
        while (await _wake.Reader.WaitToReadAsync())
        {
            _wake.Reader.TryRead(out _);
            if (await WriteAsync(CancellationToken.None) is { } failure)
            {
                LogUnwritten(failure);
                try
                {
                    await Task.Delay(RetryAfter, _time, _stopping.Token);
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    // Disposing: it writes what is left itself.
                }

                _wake.Writer.TryWrite(true);
            }
            else if (_linger > TimeSpan.Zero)
            {
                // Settlements made meanwhile only set the wake flag (no waiter to run): the next write takes them all.
                try
                {
                    await Task.Delay(_linger, _time, _stopping.Token);
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    // Disposing: it writes what is left itself.
                }
            }
        }
    }

    /// <summary>Writes what is settled and not written yet, in one transaction; null when done, else the failure (kept for a retry).</summary>
    private async Task<DbException?> WriteAsync(CancellationToken cancellationToken)
    {
        await _ledgerTurn.WaitAsync(cancellationToken);
        try
        {
            Dictionary<BudgetScope, SpendAmount> batch;
            lock (_lock)
            {
                if (_unwritten.Count == 0)
                {
                    return null;
                }

                batch = new(_unwritten);
            }

            Interlocked.Increment(ref _writes);
            try
            {
                await _ledger.AddAsync(batch, CancellationToken.None);
            }
            catch (DbException e)
            {
                return e;
            }

            lock (_lock)
            {
                // Settlements made during the write stay unwritten; what was written now counts as read from the ledger.
                foreach (var (scope, written) in batch)
                {
                    Adjust(_unwritten, scope, default(SpendAmount) - written);
                    if (_read.TryGetValue(scope, out var read))
                    {
                        _read[scope] = (read.Spent + written, read.ReadAt);
                    }
                }
            }

            return null;
        }
        finally
        {
            _ledgerTurn.Release();
        }
    }

    private void LogUnwritten(DbException failure)
    {
        List<KeyValuePair<BudgetScope, SpendAmount>> unwritten;
        lock (_lock)
        {
            unwritten = [.. _unwritten];
        }

        ServerLog.SpendNotRecorded(_logger, string.Join(", ", unwritten.Select(u => u.Key.ToString())),
            unwritten.Sum(u => u.Value.Usd), unwritten.Sum(u => u.Value.Tokens), failure.Message);
    }

    private static void Adjust(Dictionary<BudgetScope, SpendAmount> amounts, BudgetScope scope, SpendAmount by)
    {
        var left = amounts.GetValueOrDefault(scope) + by;
        if (left == default)
        {
            amounts.Remove(scope);
        }
        else
        {
            amounts[scope] = left;
        }
    }
}
