using System.Globalization;
using System.Threading.RateLimiting;

namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>
/// Requests-per-window and tokens-per-window in one exact limiter: an acquisition of <c>n</c> permits (tokens) at time
/// <c>t</c> is admitted only if the acquisitions admitted in <c>(t − window, t]</c> plus this one stay within both limits.
/// Hence every window of that length, wherever it starts, holds at most the limits (segmented sliding windows and token
/// buckets only approximate this). Waiters queue FIFO, so a large request is never starved by small ones. Time comes from
/// the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class SlidingWindowLogRateLimiter : WindowRateLimiter
{
    private readonly Lock _lock = new();
    private readonly Queue<WindowEntry> _log = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly SlidingWindowLogOptions _options;
    private readonly TimeProvider _time;
    private readonly long _window;
    private readonly ITimer _timer;
    private long _requests;
    private long _tokens;
    private long _successful;
    private long _failed;
    private long _idleSince;
    private bool _disposed;

    public SlidingWindowLogRateLimiter(SlidingWindowLogOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Window, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.QueueLimit, nameof(options));
        _options = options;
        _window = ToTimestamp(options.Window);
        _idleSince = _time.GetTimestamp();
        _timer = _time.CreateTimer(static s => ((SlidingWindowLogRateLimiter)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The limits this limiter enforces.</summary>
    public override SlidingWindowLogOptions Options => _options;

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                return _log.Count == 0 && _waiters.Count == 0 ? _time.GetElapsedTime(_idleSince) : null;
            }
        }
    }

    /// <summary>Counts an admitted lease for <paramref name="actualTokens"/> instead of its estimate (0 requests when <paramref name="countRequest"/> is false).</summary>
    public override void Correct(RateLimitLease lease, long actualTokens, bool countRequest = true)
    {
        if (lease is not WindowLease { Entry: { } entry })
        {
            return;
        }

        List<Waiter>? granted;
        lock (_lock)
        {
            var requests = countRequest ? 1 : 0;
            if (!entry.Expired)
            {
                _tokens += actualTokens - entry.Tokens;
                _requests += requests - entry.Requests;
            }

            entry.Tokens = actualTokens;
            entry.Requests = requests;
            granted = DrainLocked(_time.GetTimestamp());
        }

        Complete(granted);
    }

    /// <summary>The current window: limits, what it holds and when each part is back to its initial state.</summary>
    public override RateLimitWindowState GetWindowState()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            ExpireLocked(now);
            long lastRequest = now, lastToken = now;
            foreach (var entry in _log)
            {
                lastRequest = entry.Requests > 0 ? entry.Timestamp + _window : lastRequest;
                lastToken = entry.Tokens > 0 ? entry.Timestamp + _window : lastToken;
            }

            return new RateLimitWindowState(_options.RequestLimit, _requests, _options.TokenLimit, _tokens,
                lastRequest > now ? FromTimestamp(lastRequest - now) : TimeSpan.Zero,
                lastToken > now ? FromTimestamp(lastToken - now) : TimeSpan.Zero);
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = _options.TokenLimit is { } t ? t - _tokens : (_options.RequestLimit ?? long.MaxValue) - _requests,
                CurrentQueuedCount = _waiters.Sum(w => (long)w.Permits),
                TotalFailedLeases = _failed,
                TotalSuccessfulLeases = _successful,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ThrowIfImpossible(permitCount);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _time.GetTimestamp();
            ExpireLocked(now);
            if (_waiters.Count == 0 && FitsLocked(permitCount))
            {
                return GrantLocked(permitCount, now);
            }

            _failed++;
            return WindowLease.Refused(RetryAfterLocked(permitCount, now), "rate limit reached");
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ThrowIfImpossible(permitCount);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RateLimitLease>(cancellationToken);
        }

        Waiter waiter;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _time.GetTimestamp();
            ExpireLocked(now);
            if (_waiters.Count == 0 && FitsLocked(permitCount))
            {
                return new ValueTask<RateLimitLease>(GrantLocked(permitCount, now));
            }

            if (_waiters.Count >= _options.QueueLimit)
            {
                _failed++;
                return new ValueTask<RateLimitLease>(WindowLease.Refused(RetryAfterLocked(permitCount, now), "rate limit queue is full"));
            }

            waiter = new Waiter(this, permitCount);
            waiter.Node = _waiters.AddLast(waiter);
            ScheduleLocked(now);
        }

        waiter.Registration = cancellationToken.UnsafeRegister(static (s, token) => ((Waiter)s!).Owner.Cancel((Waiter)s!, token), waiter);

        return new ValueTask<RateLimitLease>(waiter.Completion.Task);
    }

    protected override void Dispose(bool disposing)
    {
        try
        {
            if (disposing)
            {
                DisposeWaiters();
            }
        }
        finally
        {
            base.Dispose(disposing);
        }
    }

    private void DisposeWaiters()
    {
        List<Waiter> waiting;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            waiting = [.. _waiters];
            _waiters.Clear();
        }

        _timer.Dispose();
        foreach (var waiter in waiting)
        {
            waiter.Registration.Dispose();
            waiter.Completion.TrySetException(new ObjectDisposedException(nameof(SlidingWindowLogRateLimiter)));
        }
    }

    private void ThrowIfImpossible(int permitCount)
    {
        if (permitCount > _options.TokenLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount,
                string.Create(CultureInfo.InvariantCulture, $"{permitCount} permits can never be admitted: the limit is {_options.TokenLimit} per {_options.Window}."));
        }
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        List<Waiter>? granted = null;
        lock (_lock)
        {
            if (waiter.Node?.List is null)
            {
                return;
            }

            var wasHead = _waiters.First == waiter.Node;
            _waiters.Remove(waiter.Node);
            _failed++;
            if (wasHead)
            {
                granted = DrainLocked(_time.GetTimestamp());
            }
        }

        waiter.Completion.TrySetCanceled(token);
        Complete(granted);
    }

    private void OnTimer()
    {
        List<Waiter>? granted;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            granted = DrainLocked(_time.GetTimestamp());
        }

        Complete(granted);
    }

    private List<Waiter>? DrainLocked(long now)
    {
        ExpireLocked(now);
        List<Waiter>? granted = null;
        while (_waiters.First is { } node && FitsLocked(node.Value.Permits))
        {
            _waiters.RemoveFirst();
            node.Value.Lease = GrantLocked(node.Value.Permits, now);
            (granted ??= []).Add(node.Value);
        }

        ScheduleLocked(now);
        return granted;
    }

    private static void Complete(List<Waiter>? granted)
    {
        if (granted is null)
        {
            return;
        }

        foreach (var waiter in granted)
        {
            waiter.Registration.Dispose();
            waiter.Completion.TrySetResult(waiter.Lease!);
        }
    }

    private WindowLease GrantLocked(int permitCount, long now)
    {
        _successful++;
        if (permitCount == 0 && _options.RequestLimit is null)
        {
            return WindowLease.Check;
        }

        var entry = new WindowEntry(now, permitCount);
        _log.Enqueue(entry);
        _requests++;
        _tokens += permitCount;
        return WindowLease.Granted(entry);
    }

    private bool FitsLocked(long permits) =>
        (_options.RequestLimit is not { } rpm || _requests + 1 <= rpm) && (_options.TokenLimit is not { } tpm || _tokens + permits <= tpm);

    private void ExpireLocked(long now)
    {
        while (_log.TryPeek(out var oldest) && oldest.Timestamp + _window <= now)
        {
            _log.Dequeue();
            oldest.Expired = true;
            _requests -= oldest.Requests;
            _tokens -= oldest.Tokens;
        }

        if (_log.Count == 0)
        {
            _idleSince = now;
        }
    }

    /// <summary>Exact wait until <paramref name="permits"/> would fit, if nothing else were admitted meanwhile.</summary>
    private TimeSpan? RetryAfterLocked(long permits, long now)
    {
        long requests = _requests, tokens = _tokens;
        foreach (var entry in _log)
        {
            requests -= entry.Requests;
            tokens -= entry.Tokens;
            if ((_options.RequestLimit is not { } rpm || requests + 1 <= rpm) && (_options.TokenLimit is not { } tpm || tokens + permits <= tpm))
            {
                return FromTimestamp(entry.Timestamp + _window - now);
            }
        }

        return null;
    }

    private void ScheduleLocked(long now)
    {
        if (_waiters.Count > 0 && _log.TryPeek(out var oldest))
        {
            _timer.Change(FromTimestamp(oldest.Timestamp + _window - now), Timeout.InfiniteTimeSpan);
        }
    }

    private long ToTimestamp(TimeSpan span) => (long)Math.Ceiling(span.Ticks * (double)_time.TimestampFrequency / TimeSpan.TicksPerSecond);

    private TimeSpan FromTimestamp(long delta) =>
        TimeSpan.FromTicks(Math.Max(1, (long)Math.Ceiling(delta * (double)TimeSpan.TicksPerSecond / _time.TimestampFrequency)));
}
