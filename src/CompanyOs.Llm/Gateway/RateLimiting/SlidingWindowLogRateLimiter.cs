using System.Globalization;
using System.Threading.RateLimiting;

namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>
/// Requests-per-window and tokens-per-window in one limiter that never over-admits: an acquisition of <c>n</c> permits (tokens) at time
/// <c>t</c> is admitted only if the acquisitions still counted (all admitted in <c>(t − window, t]</c>, and some up to one
/// granularity older, below) plus this one stay within both limits.
/// Hence every window of that length, wherever it starts, holds at most the limits (segmented sliding windows and token
/// buckets only approximate this). Waiters queue FIFO, so a large request is never starved by small ones. Time comes from
/// the injected <see cref="TimeProvider"/>.
/// <para>
/// The log is coalesced to a granularity <c>G = window / 600</c> (100 ms for a 60 s window): an acquisition admitted within
/// <c>G</c> of the first one of the newest entry joins that entry, whose timestamp moves to this (last) admission; the
/// whole entry leaves the window at its last admission + window. So memory is O(window / G) entries, not one per request,
/// and the limiter stays conservative: no permit is released before its exact expiry, at most <c>G</c> after it.
/// </para>
/// </summary>
public sealed partial class SlidingWindowLogRateLimiter : WindowRateLimiter
{
    /// <summary>The log's granularity is the window divided by this: 100 ms for a 60 s window.</summary>
    internal const int GranularityDivisor = 600;

    private readonly Lock _lock = new();
    private readonly Queue<WindowEntry> _log = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly SlidingWindowLogOptions _options;
    private readonly TimeProvider _time;
    private readonly long _window;
    private readonly long _granularity;
    private readonly ITimer _timer;
    private long _requests;
    private long _tokens;
    private long _successful;
    private long _failed;
    private long _idleSince;
    private bool _disposed;

    // The newest entry of the log (its tail), which a grant within one granularity of its opening joins.
    private WindowEntry? _last;

    // The newest entries that count requests and tokens, for GetWindowState (asked on every response for the rate-limit
    // headers): kept as entries are granted and corrected, so that it need not walk a window of every request. Stale once
    // a correction zeroed one of them; then one walk finds them again.
    private WindowEntry? _newestRequest;
    private WindowEntry? _newestToken;
    private bool _newestStale;

    public SlidingWindowLogRateLimiter(SlidingWindowLogOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Window, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.QueueLimit, nameof(options));
        _options = options;
        _window = ToTimestamp(options.Window);
        _granularity = Math.Max(1, _window / GranularityDivisor);
        _idleSince = _time.GetTimestamp();
        _timer = _time.CreateTimer(static s => ((SlidingWindowLogRateLimiter)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>How many entries the log holds (for tests: O(window / granularity), not one per request).</summary>
    internal int LogCount
    {
        get
        {
            lock (_lock)
            {
                return _log.Count;
            }
        }
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

    /// <summary>
    /// Counts an admitted lease for <paramref name="actualTokens"/> instead of its estimate (0 requests when <paramref name="countRequest"/>
    /// is false): its entry, shared with the other acquisitions coalesced into it, moves by this lease's difference only.
    /// Nothing changes once the entry has left the window.
    /// </summary>
    public override void Correct(RateLimitLease lease, long actualTokens, bool countRequest = true)
    {
        if (lease is not WindowLease { Entry: { } entry } owned)
        {
            return;
        }

        List<Waiter>? granted;
        lock (_lock)
        {
            actualTokens = Math.Max(0, actualTokens);
            long requests = countRequest ? 1 : 0;
            if (entry.Expired)
            {
                owned.Tokens = actualTokens;
                owned.Requests = requests;
                return;
            }

            var tokens = Math.Max(0, entry.Tokens + actualTokens - owned.Tokens);
            _tokens += tokens - entry.Tokens;
            entry.Tokens = tokens;
            var entryRequests = Math.Max(0, entry.Requests + requests - owned.Requests);
            _requests += entryRequests - entry.Requests;
            entry.Requests = entryRequests;
            owned.Tokens = actualTokens;
            owned.Requests = requests;
            _newestRequest = Newest(_newestRequest, entry, entry.Requests > 0);
            _newestToken = Newest(_newestToken, entry, entry.Tokens > 0);

            // A correction that freed permits may let waiters in; with none waiting there is nothing to drain (the clock is
            // not read: expiry happens on the next acquisition or state read, which read it anyway).
            granted = _waiters.Count == 0 ? null : DrainLocked(_time.GetTimestamp());
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
            if (_newestStale)
            {
                FindNewestLocked();
            }

            var lastRequest = _newestRequest is { Expired: false } r ? r.Timestamp + _window : now;
            var lastToken = _newestToken is { Expired: false } t ? t.Timestamp + _window : now;
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

        // Coalesce: join the newest entry while within one granularity of its first admission (its timestamp moves to now,
        // so all of it is held until this admission leaves the window: at most G longer than exact, never shorter).
        var entry = _last;
        if (entry is { Expired: false } && now - entry.Opened < _granularity)
        {
            entry.Timestamp = now;
            entry.Requests++;
            entry.Tokens += permitCount;
        }
        else
        {
            entry = new WindowEntry(now, permitCount);
            _log.Enqueue(entry);
            _last = entry;
        }

        _newestRequest = entry;
        _newestToken = entry.Tokens > 0 ? entry : _newestToken;
        _requests++;
        _tokens += permitCount;
        return WindowLease.Granted(entry, permitCount);
    }

    /// <summary>
    /// The newest entry counting something after <paramref name="changed"/> was corrected (<paramref name="counts"/>: it now
    /// counts); marks the newest stale when it stopped counting (an older one must be found).
    /// </summary>
    private WindowEntry? Newest(WindowEntry? newest, WindowEntry changed, bool counts)
    {
        if (counts)
        {
            return newest is null || changed.Timestamp >= newest.Timestamp ? changed : newest;
        }

        _newestStale |= ReferenceEquals(newest, changed);
        return newest;
    }

    private void FindNewestLocked()
    {
        WindowEntry? request = null, token = null;
        foreach (var entry in _log)
        {
            request = entry.Requests > 0 ? entry : request;
            token = entry.Tokens > 0 ? entry : token;
        }

        _newestRequest = request;
        _newestToken = token;
        _newestStale = false;
    }

    private bool FitsLocked(long permits) =>
        (_options.RequestLimit is not { } rpm || _requests + 1 <= rpm) && (_options.TokenLimit is not { } tpm || _tokens + permits <= tpm);

    private void ExpireLocked(long now)
    {
        while (_log.TryPeek(out var oldest) && oldest.Timestamp + _window <= now)
        {
            _log.Dequeue();
            oldest.Expired = true;
            _last = ReferenceEquals(_last, oldest) ? null : _last;
            _requests -= oldest.Requests;
            _tokens -= oldest.Tokens;
        }

        if (_log.Count == 0)
        {
            _idleSince = now;
        }
    }

    /// <summary>
    /// Wait until <paramref name="permits"/> would fit, if nothing else were admitted meanwhile: exact up to the log's granularity
    /// (an entry frees its permits at its last admission + window), never too early.
    /// </summary>
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
