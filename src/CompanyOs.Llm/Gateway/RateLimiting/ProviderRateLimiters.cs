using System.Collections.Frozen;
using CompanyOs.Llm.Configuration;

namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>One <see cref="SlidingWindowLogRateLimiter"/> per provider that has <c>rate_limit_rpm</c> or <c>rate_limit_tpm</c>.</summary>
internal sealed class ProviderRateLimiters : IDisposable
{
    private readonly FrozenDictionary<string, SlidingWindowLogRateLimiter> _limiters;

    public ProviderRateLimiters(LlmOptions options, TimeProvider time)
    {
        _limiters = options.Providers.Values
            .Where(p => p.Enabled && (p.RateLimitRpm is not null || p.RateLimitTpm is not null))
            .ToFrozenDictionary(
                p => p.Name,
                p => new SlidingWindowLogRateLimiter(
                    new SlidingWindowLogOptions { RequestLimit = p.RateLimitRpm, TokenLimit = p.RateLimitTpm, QueueLimit = options.RateLimits.QueueLimit },
                    time),
                StringComparer.Ordinal);
    }

    public bool Any => _limiters.Count > 0;

    public SlidingWindowLogRateLimiter? For(ProviderOptions provider) => _limiters.GetValueOrDefault(provider.Name);

    public SlidingWindowLogRateLimiter? For(string provider) => _limiters.GetValueOrDefault(provider);

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }
}
