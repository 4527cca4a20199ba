using System.Globalization;
using System.Threading.RateLimiting;
using CompanyOs.Llm.Gateway.RateLimiting;
using StackExchange.Redis;

namespace CompanyOs.Llm.Redis;

/// <summary>
/// An RPM/TPM limiter whose window is shared by every instance using the same Redis and name: each admission is checked
/// and recorded by one atomic script (<see cref="RedisWindowScripts.Acquire"/>) over a sorted set of the window's
/// admissions, so the limits hold in every window, wherever it starts, across all instances together — not per instance.
/// <para>
/// Waiting: callers of one instance queue FIFO (at most <see cref="SlidingWindowLogOptions.QueueLimit"/>); the head asks
/// Redis again after the exact wait Redis computed (at most <see cref="MaxPoll"/>). Instances do not queue for each other,
/// so across instances the order is not FIFO. Estimates are corrected with the actual tokens after the call, like the
/// in-process limiter (fire-and-forget: a lost correction leaves the estimate counted, which only errs on the safe side).
/// </para>
/// <para>
/// Only in a Redis outage (<see cref="RedisConnection.IsOutage"/>: the connection down for at least the connect timeout)
/// does this instance fall back to an in-process limiter with each limit divided by <see cref="RedisConnection.Instances"/>,
/// going back to Redis as soon as a command succeeds again. A command that fails or times out while the connection is up,
/// or a connection down for less than that, refuses the request (Retry-After <see cref="UnansweredRetryAfter"/>): the other
/// instances may still be admitting the whole shared limit, so admitting locally could exceed it.
/// </para>
/// </summary>
public sealed class RedisWindowRateLimiter : WindowRateLimiter
{
    /// <summary>Longest sleep of a waiting caller between two checks with Redis.</summary>
    public static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(5);

    /// <summary>Retry-After of a request refused because Redis did not answer (a failed command, or the connection briefly down).</summary>
    public static readonly TimeSpan UnansweredRetryAfter = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan UnknownWait = TimeSpan.FromSeconds(1);
    private static long s_sequence;

    private readonly RedisConnection _redis;
    private readonly SlidingWindowLogOptions _options;
    private readonly TimeProvider _time;
    private readonly RedisKey[] _keys;
    private readonly RedisValue _window;
    private readonly RedisValue _requestLimit;
    private readonly RedisValue _tokenLimit;
    private readonly SlidingWindowLogRateLimiter _fallback;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly string _idPrefix = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 6)) + ":";
    private readonly Lock _lock = new();
    private RateLimitWindowState _last;
    private long _lastAt;
    private int _queued;
    private long _successful;
    private long _failed;

    /// <param name="redis">The shared Redis.</param>
    /// <param name="name">The limit's name; instances sharing a limit use the same one (e.g. <c>provider:openai</c>).</param>
    /// <param name="options">The limits (the whole limit across instances) and this instance's queue length.</param>
    /// <param name="time">Local clock for waits and the fallback limiter (the window itself runs on Redis's clock).</param>
    public RedisWindowRateLimiter(RedisConnection redis, string name, SlidingWindowLogOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Window, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.QueueLimit, nameof(options));
        _redis = redis;
        _options = options;
        _time = time ?? TimeProvider.System;
        // One hash tag: both keys live in the same cluster slot, as a script's keys must.
        var key = redis.KeyPrefix + "rl:{" + name + "}";
        _keys = [key, key + ":n"];
        _window = (long)Math.Ceiling(options.Window.Ticks / 10.0);
        _requestLimit = options.RequestLimit ?? -1;
        _tokenLimit = options.TokenLimit ?? -1;
        FallbackOptions = options with
        {
            RequestLimit = options.RequestLimit is { } rpm ? Share(rpm, redis.Instances) : null,
            TokenLimit = options.TokenLimit is { } tpm ? Share(tpm, redis.Instances) : null,
            QueueLimit = 0,
        };
        _fallback = new SlidingWindowLogRateLimiter(FallbackOptions, _time);
        _last = new RateLimitWindowState(options.RequestLimit, 0, options.TokenLimit, 0, TimeSpan.Zero, TimeSpan.Zero);
        _lastAt = _time.GetTimestamp();
    }

    public override SlidingWindowLogOptions Options => _options;

    /// <summary>What this instance enforces alone during a Redis outage (<see cref="RedisConnection.IsOutage"/>): each limit ÷ instances (at least 1).</summary>
    public SlidingWindowLogOptions FallbackOptions { get; }

    public override TimeSpan? IdleDuration => null;

    public override RateLimiterStatistics? GetStatistics()
    {
        var state = GetWindowState();
        return new RateLimiterStatistics
        {
            CurrentAvailablePermits = state.RemainingTokens ?? state.RemainingRequests ?? long.MaxValue,
            CurrentQueuedCount = Volatile.Read(ref _queued),
            TotalFailedLeases = Interlocked.Read(ref _failed),
            TotalSuccessfulLeases = Interlocked.Read(ref _successful),
        };
    }

    /// <summary>
    /// The window as of this instance's last check with Redis (another instance's admissions since then are not seen: the
    /// figures are for <c>x-ratelimit-*</c> headers, not for decisions); the fallback limiter's window while Redis is down.
    /// </summary>
    public override RateLimitWindowState GetWindowState()
    {
        if (_redis.IsOutage)
        {
            return _fallback.GetWindowState();
        }

        lock (_lock)
        {
            var elapsed = _time.GetElapsedTime(_lastAt);
            static TimeSpan Less(TimeSpan span, TimeSpan by) => span > by ? span - by : TimeSpan.Zero;
            return Less(_last.RequestsResetIn, elapsed) == TimeSpan.Zero
                ? _last with { Requests = 0, Tokens = 0, RequestsResetIn = TimeSpan.Zero, TokensResetIn = TimeSpan.Zero }
                : _last with { RequestsResetIn = Less(_last.RequestsResetIn, elapsed), TokensResetIn = Less(_last.TokensResetIn, elapsed) };
        }
    }

    public override void Correct(RateLimitLease lease, long actualTokens, bool countRequest = true)
    {
        switch (lease)
        {
            case RedisWindowLease admitted:
                var requests = countRequest ? 1 : 0;
                if (admitted.Tokens == actualTokens && admitted.Requests == requests)
                {
                    return;
                }

                try
                {
                    _redis.Database.ScriptEvaluate(RedisWindowScripts.Correct, _keys,
                        [admitted.Id, admitted.Tokens, admitted.Requests, actualTokens, requests], CommandFlags.FireAndForget);
                }
                catch (Exception e) when (RedisConnection.IsUnavailable(e))
                {
                    // The estimate stays counted: safe, and gone with the window.
                    _redis.MarkDown(e);
                }

                break;
            case WindowLease:
                _fallback.Correct(lease, actualTokens, countRequest);
                break;
        }
    }

    public override async ValueTask<RateLimitLease> AttemptAcquireAsync(int permitCount, CancellationToken cancellationToken = default)
    {
        ThrowIfImpossible(permitCount);
        if (Volatile.Read(ref _queued) > 0)
        {
            // Callers of this instance are waiting: join the queue rather than overtake them.
            Interlocked.Increment(ref _failed);
            return WindowLease.Refused(null, "rate limit reached; callers are waiting");
        }

        return Count(await TryOnceAsync(permitCount).ConfigureAwait(false));
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ThrowIfImpossible(permitCount);
        if (Volatile.Read(ref _queued) > 0)
        {
            Interlocked.Increment(ref _failed);
            return WindowLease.Refused(null, "rate limit reached; callers are waiting");
        }

        if (!TryStart(permitCount, out var local, out var args))
        {
            return Count(local!);
        }

        try
        {
            return Count(Admitted(_redis.Database.ScriptEvaluate(RedisWindowScripts.Acquire, _keys, args), args));
        }
        catch (Exception e) when (RedisConnection.IsUnavailable(e))
        {
            return Count(Unanswered(e));
        }
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ThrowIfImpossible(permitCount);
        cancellationToken.ThrowIfCancellationRequested();
        if (Volatile.Read(ref _queued) == 0)
        {
            var first = await TryOnceAsync(permitCount).ConfigureAwait(false);
            if (first.IsAcquired)
            {
                return Count(first);
            }

            first.Dispose();
        }

        if (Interlocked.Increment(ref _queued) > _options.QueueLimit)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _failed);
            return WindowLease.Refused(null, "rate limit queue is full");
        }

        try
        {
            // SemaphoreSlim releases async waiters in arrival order: this instance's callers are served FIFO.
            await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                while (true)
                {
                    var lease = await TryOnceAsync(permitCount).ConfigureAwait(false);
                    if (lease.IsAcquired)
                    {
                        return Count(lease);
                    }

                    var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : UnknownWait;
                    lease.Dispose();
                    await Task.Delay(wait > MaxPoll ? MaxPoll : wait + TimeSpan.FromMilliseconds(1), _time, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _turn.Release();
            }
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _failed);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _queued);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _fallback.Dispose();
            _turn.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<RateLimitLease> TryOnceAsync(int permitCount)
    {
        if (!TryStart(permitCount, out var local, out var args))
        {
            return local!;
        }

        try
        {
            return Admitted(await _redis.Database.ScriptEvaluateAsync(RedisWindowScripts.Acquire, _keys, args).ConfigureAwait(false), args);
        }
        catch (Exception e) when (RedisConnection.IsUnavailable(e))
        {
            return Unanswered(e);
        }
    }

    /// <summary>False with the answer when no Redis call is made (a pure token check of 0, or the connection is down).</summary>
    private bool TryStart(int permitCount, out RateLimitLease? answer, out RedisValue[] args)
    {
        args = [];
        if (permitCount == 0 && _options.RequestLimit is null)
        {
            answer = WindowLease.Check;
            return false;
        }

        switch (_redis.State())
        {
            case RedisState.Outage:
                answer = Fallback(permitCount);
                return false;
            case RedisState.Disconnected:
                // Maybe only this instance lost Redis, maybe only for a moment: never admit outside the shared window.
                answer = WindowLease.Refused(UnansweredRetryAfter, "the shared rate-limit window (Redis) is not reachable right now; not admitted");
                return false;
        }

        answer = null;
        var id = _idPrefix + Interlocked.Increment(ref s_sequence).ToString("x", CultureInfo.InvariantCulture);
        args = [_window, _requestLimit, _tokenLimit, permitCount, id];
        return true;
    }

    private RateLimitLease Admitted(RedisResult result, RedisValue[] args) => Admitted(result, (string)args[4]!, (int)args[3]);

    private RateLimitLease Admitted(RedisResult result, string id, int permitCount)
    {
        _redis.MarkUp();
        var values = (long[])result!;
        var reset = FromMicros(values[4]);
        lock (_lock)
        {
            _last = new RateLimitWindowState(_options.RequestLimit, values[1], _options.TokenLimit, values[2], reset, reset);
            _lastAt = _time.GetTimestamp();
        }

        return values[0] == 1
            ? new RedisWindowLease(id, permitCount, 1, values[5])
            : WindowLease.Refused(values[3] < 0 ? null : FromMicros(values[3]), "rate limit reached");
    }

    /// <summary>A command failed while the connection is (believed) up: refuse rather than admit outside the shared window.</summary>
    private WindowLease Unanswered(Exception failure)
    {
        _redis.MarkDown(failure);
        return WindowLease.Refused(UnansweredRetryAfter, "the shared rate-limit window (Redis) did not answer in time; not admitted");
    }

    private RateLimitLease Fallback(int permitCount) =>
        permitCount > FallbackOptions.TokenLimit
            ? WindowLease.Refused(null, string.Create(CultureInfo.InvariantCulture,
                $"Redis is unavailable and this instance's share of the token limit ({FallbackOptions.TokenLimit}) is smaller than the request ({permitCount})"))
            : _fallback.AttemptAcquire(permitCount);

    private RateLimitLease Count(RateLimitLease lease)
    {
        Interlocked.Increment(ref lease.IsAcquired ? ref _successful : ref _failed);
        return lease;
    }

    private void ThrowIfImpossible(int permitCount)
    {
        if (permitCount > _options.TokenLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount,
                string.Create(CultureInfo.InvariantCulture, $"{permitCount} permits can never be admitted: the limit is {_options.TokenLimit} per {_options.Window}."));
        }
    }

    private static int Share(int limit, int instances) => Math.Max(1, limit / instances);

    private static long Share(long limit, int instances) => Math.Max(1, limit / instances);

    private static TimeSpan FromMicros(long micros) => TimeSpan.FromTicks(Math.Max(1, micros) * 10);

    /// <summary>An admission recorded in Redis: its id and what it is counted for (for <see cref="Correct"/>).</summary>
    internal sealed class RedisWindowLease(string id, long tokens, int requests, long admittedAtMicros) : RateLimitLease
    {
        /// <summary>When Redis admitted it, in microseconds of Redis's clock (Unix epoch).</summary>
        public long AdmittedAtMicros { get; } = admittedAtMicros;

        public string Id { get; } = id;

        public long Tokens { get; } = tokens;

        public int Requests { get; } = requests;

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
