using System.Threading.RateLimiting;

namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>
/// A requests-per-window and tokens-per-window limiter the gateway can hold calls to: the in-process
/// <see cref="SlidingWindowLogRateLimiter"/> (the default), or one whose window is shared by several server instances
/// (<see cref="Redis.RedisWindowRateLimiter"/>). Both admit <c>n</c> tokens at <c>t</c> only if the window
/// <c>(t − window, t]</c> stays within both limits, and both correct an admitted estimate with the actual usage.
/// </summary>
public abstract class WindowRateLimiter : RateLimiter
{
    /// <summary>The limits this limiter enforces.</summary>
    public abstract SlidingWindowLogOptions Options { get; }

    /// <summary>Counts an admitted lease for <paramref name="actualTokens"/> instead of its estimate (0 requests when <paramref name="countRequest"/> is false).</summary>
    public abstract void Correct(RateLimitLease lease, long actualTokens, bool countRequest = true);

    /// <summary>The current window: limits, what it holds and when each part is back to its initial state.</summary>
    public abstract RateLimitWindowState GetWindowState();

    /// <summary>
    /// <see cref="RateLimiter.AttemptAcquire(int)"/> without blocking a thread on I/O: a limiter whose window lives elsewhere
    /// asks it asynchronously. The in-process limiter answers synchronously.
    /// </summary>
    public virtual ValueTask<RateLimitLease> AttemptAcquireAsync(int permitCount, CancellationToken cancellationToken = default) =>
        new(AttemptAcquire(permitCount));
}
