using CompanyOs.Llm.Gateway.RateLimiting;

namespace CompanyOs.Llm.Redis;

/// <summary>Makes <see cref="RedisWindowRateLimiter"/>s: limits shared by every instance using the same Redis and key prefix.</summary>
public sealed class RedisRateLimiterFactory(RedisConnection redis, TimeProvider? time = null) : IWindowRateLimiterFactory
{
    public WindowRateLimiter Create(string name, SlidingWindowLogOptions options) => new RedisWindowRateLimiter(redis, name, options, time);
}
