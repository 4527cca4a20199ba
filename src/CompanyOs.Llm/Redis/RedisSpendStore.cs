using System.Globalization;
using CompanyOs.Llm.Gateway.Budgets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace CompanyOs.Llm.Redis;

/// <summary>
/// Budget spend shared by every instance using the same Redis: a call's reservation is checked against and added to every
/// scope it concerns in one atomic script (<see cref="RedisSpendScripts.Reserve"/>), and settled the same way, so a budget
/// holds across instances — including the reservations of fallback attempts, which reserve through the same store.
/// <para>
/// Settled totals live in Redis; a scope Redis does not have yet is seeded from the ledger given to the constructor (the durable
/// store's total) once. Every settlement is also given to that ledger, which keeps the durable record (it survives a Redis
/// restart). Reservations are held per instance under a lease that this store renews; a crashed instance's reservations are
/// dropped once its lease ends (<see cref="InstanceLease"/>).
/// </para>
/// <para>
/// Redis not answering: reservations are refused with <see cref="SpendStoreUnavailableException"/> (the server answers
/// 503) — never unlimited spend; settlements are kept in memory and applied when Redis is back (the ledger has them at once).
/// </para>
/// </summary>
public sealed partial class RedisSpendStore : ISpendStore, IAsyncDisposable
{
    /// <summary>How long an instance's reservations stay counted without a renewal (renewed every third of it).</summary>
    public static readonly TimeSpan InstanceLease = TimeSpan.FromSeconds(30);

    /// <summary>A scope untouched this long leaves Redis; its next reservation seeds it again from the ledger.</summary>
    public static readonly TimeSpan ScopeTtl = TimeSpan.FromDays(7);

    private const decimal NanosPerUsd = 1_000_000_000m;

    private readonly RedisConnection _redis;
    private readonly ISpendStore? _ledger;
    private readonly ILogger _logger;
    private readonly RedisKey _instances;
    private readonly RedisKey _applied;
    private readonly RedisValue _me = Guid.NewGuid().ToString("N");
    private readonly RedisValue _leaseMs;
    private readonly RedisValue _ttlMs = (long)ScopeTtl.TotalMilliseconds;
    private readonly Lock _lock = new();
    private readonly List<(RedisKey[] Keys, RedisValue[] Args)> _pending = [];
    private readonly ITimer _heartbeat;
    private int _flushing;
    private long _operations;

    /// <param name="redis">The shared Redis.</param>
    /// <param name="ledger">
    /// The durable spend store: seeds scopes Redis does not have and records every settlement; null: seeds are zero and
    /// nothing is recorded elsewhere.
    /// </param>
    /// <param name="time">Clock of the lease renewal.</param>
    /// <param name="logger">Where settlements waiting for Redis are reported.</param>
    /// <param name="instanceLease">How long this instance's reservations stay counted without a renewal; default <see cref="InstanceLease"/>.</param>
    public RedisSpendStore(RedisConnection redis, ISpendStore? ledger = null, TimeProvider? time = null, ILogger? logger = null, TimeSpan? instanceLease = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var lease = instanceLease ?? InstanceLease;
        ArgumentOutOfRangeException.ThrowIfLessThan(lease, TimeSpan.FromMilliseconds(100), nameof(instanceLease));
        _leaseMs = (long)lease.TotalMilliseconds;
        _redis = redis;
        _ledger = ledger;
        _logger = logger ?? NullLogger.Instance;
        _instances = redis.KeyPrefix + "{spend}:instances";
        _applied = redis.KeyPrefix + "{spend}:applied:" + _me;
        var renew = lease / 3;
        _heartbeat = (time ?? TimeProvider.System).CreateTimer(static s => _ = ((RedisSpendStore)s!).RenewAsync(), this, renew, renew);
    }

    public async ValueTask<ReservationResult> TryReserveAsync(IReadOnlyList<BudgetCheck> checks, SpendAmount amount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checks);
        if (checks.Count == 0)
        {
            return ReservationResult.Grant;
        }

        if (!_redis.CanTry())
        {
            throw Unavailable(null);
        }

        var keys = KeysOf(checks);
        var operation = NextOperation('r');
        var args = new RedisValue[6 + (4 * checks.Count)];
        args[0] = _me;
        args[1] = _leaseMs;
        args[2] = ToNanos(amount.Usd);
        args[3] = amount.Tokens;
        args[4] = _ttlMs;
        args[5] = operation;
        for (var i = 0; i < checks.Count; i++)
        {
            var limit = checks[i].Limit;
            args[6 + (4 * i)] = limit.MaxUsd is { } usd ? (long)decimal.Floor(usd * NanosPerUsd) : -1;
            args[7 + (4 * i)] = limit.MaxTokens ?? -1;
            args[8 + (4 * i)] = string.Empty;
            args[9 + (4 * i)] = string.Empty;
        }

        try
        {
            await FlushPendingAsync().ConfigureAwait(false);
            var result = (long[])(await _redis.Database.ScriptEvaluateAsync(RedisSpendScripts.Reserve, keys, args).ConfigureAwait(false))!;
            if (result[0] == 2)
            {
                // First use of these scopes in Redis: seed them from the durable totals, then decide.
                foreach (var index in result.Skip(1))
                {
                    var i = (int)index - 1;
                    var seed = _ledger is null ? default : await _ledger.GetSpentAsync(checks[i].Scope, cancellationToken).ConfigureAwait(false);
                    args[8 + (4 * i)] = ToNanos(seed.Usd);
                    args[9 + (4 * i)] = seed.Tokens;
                }

                result = (long[])(await _redis.Database.ScriptEvaluateAsync(RedisSpendScripts.Reserve, keys, args).ConfigureAwait(false))!;
            }

            _redis.MarkUp();
            return result[0] == 1
                ? ReservationResult.Grant
                : new ReservationResult(false, checks[(int)result[1] - 1], new SpendAmount(FromNanos(result[2]), result[3]));
        }
        catch (Exception e) when (RedisConnection.IsUnavailable(e))
        {
            // The reservation may have run before the failure (a timeout): release it if it did, once Redis answers.
            _redis.MarkDown(e);
            Keep(Settlement(keys, amount, default, required: operation));
            throw Unavailable(e);
        }
    }

    public async ValueTask SettleAsync(IReadOnlyList<BudgetCheck> checks, SpendAmount reserved, SpendAmount actual, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checks);
        if (checks.Count == 0)
        {
            return;
        }

        if (_ledger is not null && actual != default)
        {
            await _ledger.SettleAsync(checks, default, actual, cancellationToken).ConfigureAwait(false);
        }

        var settlement = Settlement(KeysOf(checks), reserved, actual, required: string.Empty);
        if (!_redis.CanTry())
        {
            Keep(settlement);
            return;
        }

        try
        {
            await _redis.Database.ScriptEvaluateAsync(RedisSpendScripts.Settle, settlement.Keys, settlement.Args).ConfigureAwait(false);
            _redis.MarkUp();
        }
        catch (Exception e) when (RedisConnection.IsUnavailable(e))
        {
            _redis.MarkDown(e);
            Keep(settlement);
        }
    }

    /// <summary>What <paramref name="scope"/> has spent (settled): Redis's total, else the ledger's.</summary>
    /// <exception cref="SpendStoreUnavailableException">Redis does not answer and there is no ledger.</exception>
    public async ValueTask<SpendAmount> GetSpentAsync(BudgetScope scope, CancellationToken cancellationToken = default)
    {
        if (_redis.CanTry())
        {
            try
            {
                var values = await _redis.Database.HashGetAsync(KeyOf(scope), ["usd", "tok"]).ConfigureAwait(false);
                _redis.MarkUp();
                if (!values[0].IsNull)
                {
                    return new SpendAmount(FromNanos((long)values[0]), (long)values[1]);
                }
            }
            catch (Exception e) when (RedisConnection.IsUnavailable(e))
            {
                _redis.MarkDown(e);
                if (_ledger is null)
                {
                    throw Unavailable(e);
                }
            }
        }
        else if (_ledger is null)
        {
            throw Unavailable(null);
        }

        return _ledger is null ? default : await _ledger.GetSpentAsync(scope, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Settlements made while Redis did not answer, not applied yet.</summary>
    public int PendingSettlements
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _heartbeat.DisposeAsync().ConfigureAwait(false);
        try
        {
            await FlushPendingAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (RedisConnection.IsUnavailable(e))
        {
            LogUnapplied(_logger, PendingSettlements);
        }
    }

    private async Task RenewAsync()
    {
        if (!_redis.CanTry())
        {
            return;
        }

        try
        {
            await _redis.Database.ScriptEvaluateAsync(RedisSpendScripts.Heartbeat, [_instances], [_me, _leaseMs]).ConfigureAwait(false);
            _redis.MarkUp();
            await FlushPendingAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (RedisConnection.IsUnavailable(e))
        {
            _redis.MarkDown(e);
        }
        catch (ObjectDisposedException)
        {
            // Shutting down.
        }
    }

    /// <summary>Applies the settlements kept while Redis was down, oldest first (one flush at a time).</summary>
    private async Task FlushPendingAsync()
    {
        if (Volatile.Read(ref _flushing) == 1 || PendingSettlements == 0 || Interlocked.Exchange(ref _flushing, 1) == 1)
        {
            return;
        }

        try
        {
            while (true)
            {
                (RedisKey[] Keys, RedisValue[] Args) next;
                lock (_lock)
                {
                    if (_pending.Count == 0)
                    {
                        return;
                    }

                    next = _pending[0];
                }

                await _redis.Database.ScriptEvaluateAsync(RedisSpendScripts.Settle, next.Keys, next.Args).ConfigureAwait(false);
                lock (_lock)
                {
                    _pending.RemoveAt(0);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _flushing, 0);
        }
    }

    /// <summary>A settlement with its own operation id, so that replaying it after an ambiguous failure applies it at most once.</summary>
    private (RedisKey[] Keys, RedisValue[] Args) Settlement(RedisKey[] keys, SpendAmount reserved, SpendAmount actual, RedisValue required) =>
        (keys, [_me, _leaseMs, ToNanos(reserved.Usd), reserved.Tokens, ToNanos(actual.Usd), actual.Tokens, _ttlMs, NextOperation('s'), required]);

    private string NextOperation(char kind) => kind + Interlocked.Increment(ref _operations).ToString(CultureInfo.InvariantCulture);

    private void Keep((RedisKey[] Keys, RedisValue[] Args) settlement)
    {
        int count;
        lock (_lock)
        {
            _pending.Add(settlement);
            count = _pending.Count;
        }

        if (count == 1)
        {
            LogKept(_logger);
        }
    }

    private RedisKey[] KeysOf(IReadOnlyList<BudgetCheck> checks)
    {
        var keys = new RedisKey[checks.Count + 2];
        keys[0] = _instances;
        keys[1] = _applied;
        for (var i = 0; i < checks.Count; i++)
        {
            keys[i + 2] = KeyOf(checks[i].Scope);
        }

        return keys;
    }

    // One hash tag for every spend key: a call's scopes are updated by one script, so they share a cluster slot.
    private RedisKey KeyOf(BudgetScope scope) =>
        _redis.KeyPrefix + "{spend}:" + scope.Kind.ToString().ToLowerInvariant() + ":" + scope.Id;

    private static long ToNanos(decimal usd) => (long)decimal.Ceiling(usd * NanosPerUsd);

    private static decimal FromNanos(long nanos) => nanos / NanosPerUsd;

    private static SpendStoreUnavailableException Unavailable(Exception? cause) => new(
        "The shared budget store (Redis) is unavailable, so this call's spend cannot be reserved; the call was refused rather than run without its budget checked. Retry shortly.",
        cause);

    [LoggerMessage(EventId = 4610, Level = LogLevel.Warning,
        Message = "Redis is unavailable: settlements are kept in memory until it answers (the durable ledger records them meanwhile).")]
    private static partial void LogKept(ILogger logger);

    [LoggerMessage(EventId = 4611, Level = LogLevel.Warning,
        Message = "Shutting down with {Count} settlements not applied to Redis (the durable ledger has them; Redis reseeds from it when their scopes expire).")]
    private static partial void LogUnapplied(ILogger logger, int count);
}
