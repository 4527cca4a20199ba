using System.Threading.RateLimiting;
using CompanyOs.Llm.Gateway.RateLimiting;

namespace CompanyOs.Server.Keys;

/// <summary>
/// Per-key requests per minute (<c>keys create --rpm N</c>), with the gateway's sliding-window-log limiter: every 60-second
/// window holds at most N requests of the key. Refused at once (no queue), with the wait until a request would fit.
/// </summary>
internal sealed class KeyRateLimits(TimeProvider time) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SlidingWindowLogRateLimiter> _limiters = new(StringComparer.Ordinal);

    /// <summary>
    /// True when <paramref name="key"/> may make one more request now (<paramref name="remaining"/>: requests left in the
    /// current window, null without a limit); otherwise how long to wait.
    /// </summary>
    public bool TryAdmit(ApiKeyRecord key, out TimeSpan retryAfter, out long? remaining)
    {
        retryAfter = TimeSpan.Zero;
        remaining = null;
        if (key.Rpm is not { } rpm)
        {
            return true;
        }

        SlidingWindowLogRateLimiter limiter;
        lock (_gate)
        {
            if (!_limiters.TryGetValue(key.Id, out limiter!))
            {
                limiter = new SlidingWindowLogRateLimiter(new SlidingWindowLogOptions { RequestLimit = rpm, QueueLimit = 0 }, time);
                _limiters.Add(key.Id, limiter);
            }
        }

        using var lease = limiter.AttemptAcquire(1);
        remaining = Math.Max(0, limiter.GetStatistics()?.CurrentAvailablePermits ?? 0);
        if (lease.IsAcquired)
        {
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        return false;
    }

    /// <summary>The current window of the key's RPM limit; null when it has none (or has made no request since start).</summary>
    public RateLimitWindowState? StateOf(string keyId)
    {
        SlidingWindowLogRateLimiter? limiter;
        lock (_gate)
        {
            _limiters.TryGetValue(keyId, out limiter);
        }

        return limiter?.GetWindowState();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var limiter in _limiters.Values)
            {
                limiter.Dispose();
            }

            _limiters.Clear();
        }
    }
}
