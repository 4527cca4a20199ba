using System.Threading.RateLimiting;
using CompanyOs.Llm.Gateway.RateLimiting;

namespace CompanyOs.Server.Keys;

/// <summary>
/// Per-key requests per minute (<c>keys create --rpm N</c>), with the gateway's sliding-window limiter: every 60-second
/// window holds at most N requests of the key — across every instance when the limiters come from Redis
/// (<see cref="IWindowRateLimiterFactory"/>). Refused at once (no queue), with the wait until a request would fit.
/// </summary>
internal sealed class KeyRateLimits(TimeProvider time, IWindowRateLimiterFactory? factory = null) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, WindowRateLimiter> _limiters = new(StringComparer.Ordinal);
    private readonly IWindowRateLimiterFactory _factory = factory ?? new InProcessRateLimiterFactory(time);

    /// <summary>
    /// Whether <paramref name="key"/> may make one more request now, with the requests left in the current window (null
    /// without a limit); when not, how long to wait.
    /// </summary>
    public async ValueTask<KeyAdmission> AdmitAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        if (key.Rpm is not { } rpm)
        {
            return new KeyAdmission(true, TimeSpan.Zero, null);
        }

        WindowRateLimiter limiter;
        lock (_gate)
        {
            if (!_limiters.TryGetValue(key.Id, out limiter!))
            {
                limiter = _factory.Create("key:" + key.Id, new SlidingWindowLogOptions { RequestLimit = rpm, QueueLimit = 0 });
                _limiters.Add(key.Id, limiter);
            }
        }

        using var lease = await limiter.AttemptAcquireAsync(1, cancellationToken);
        // The window's figures rather than GetStatistics(): the same count for a request limit, without a statistics object
        // (and a sum over the waiters) per request.
        var remaining = Math.Max(0, limiter.GetWindowState().RemainingRequests ?? 0);
        return lease.IsAcquired
            ? new KeyAdmission(true, TimeSpan.Zero, remaining)
            : new KeyAdmission(false, lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1), remaining);
    }

    /// <summary>The current window of the key's RPM limit; null when it has none (or has made no request since start).</summary>
    public RateLimitWindowState? StateOf(string keyId)
    {
        WindowRateLimiter? limiter;
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

/// <summary>The answer of <see cref="KeyRateLimits.AdmitAsync"/>.</summary>
/// <param name="Admitted">The request may go on.</param>
/// <param name="RetryAfter">When refused: the wait until a request would fit.</param>
/// <param name="Remaining">Requests left in the current window; null when the key has no limit.</param>
internal readonly record struct KeyAdmission(bool Admitted, TimeSpan RetryAfter, long? Remaining);
