using System.Collections.Frozen;
using CompanyOs.Llm.Configuration;

namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>
/// One limiter per provider that has <c>rate_limit_rpm</c> or <c>rate_limit_tpm</c>, from the gateway's
/// <see cref="IWindowRateLimiterFactory"/> (in-process by default; shared through Redis across instances when configured).
/// </summary>
internal sealed class ProviderRateLimiters : IDisposable
{
    private readonly FrozenDictionary<string, WindowRateLimiter> _limiters;

    public ProviderRateLimiters(LlmOptions options, IWindowRateLimiterFactory factory)
    {
        _limiters = options.Providers.Values
            .Where(p => p.Enabled && (p.RateLimitRpm is not null || p.RateLimitTpm is not null))
            .ToFrozenDictionary(
                p => p.Name,
                p => factory.Create(
                    "provider:" + p.Name,
                    new SlidingWindowLogOptions { RequestLimit = p.RateLimitRpm, TokenLimit = p.RateLimitTpm, QueueLimit = options.RateLimits.QueueLimit }),
                StringComparer.Ordinal);
    }

    public bool Any => _limiters.Count > 0;

    public WindowRateLimiter? For(ProviderOptions provider) => _limiters.GetValueOrDefault(provider.Name);

    public WindowRateLimiter? For(string provider) => _limiters.GetValueOrDefault(provider);

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }
}
