namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>
/// Creates the gateway's RPM/TPM limiters (one per provider with a limit, one per API key with an RPM limit). The default
/// makes in-process <see cref="SlidingWindowLogRateLimiter"/>s; <see cref="Redis.RedisRateLimiterFactory"/> makes limiters
/// whose windows are shared by every instance using the same Redis.
/// </summary>
public interface IWindowRateLimiterFactory
{
    /// <summary>A limiter for <paramref name="name"/> (e.g. <c>provider:openai</c>, <c>key:k_123</c>); instances sharing a limit use the same name.</summary>
    WindowRateLimiter Create(string name, SlidingWindowLogOptions options);
}

/// <summary>The default <see cref="IWindowRateLimiterFactory"/>: limits held by this process alone.</summary>
public sealed class InProcessRateLimiterFactory(TimeProvider time) : IWindowRateLimiterFactory
{
    public WindowRateLimiter Create(string name, SlidingWindowLogOptions options) => new SlidingWindowLogRateLimiter(options, time);
}
