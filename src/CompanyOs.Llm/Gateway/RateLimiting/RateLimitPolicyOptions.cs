namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>The <c>rate_limits</c> configuration section; the limits themselves are per provider (<c>rate_limit_rpm</c>, <c>rate_limit_tpm</c>).</summary>
public sealed record RateLimitPolicyOptions
{
    public RateLimitMode Mode { get; init; } = RateLimitMode.Wait;

    /// <summary>Calls allowed to wait per provider; more fail with <see cref="RateLimitedException"/>.</summary>
    public int QueueLimit { get; init; } = 1000;

    /// <summary>Longest wait for a permit before failing with <see cref="RateLimitedException"/>.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Output tokens assumed for a request without <c>MaxOutputTokens</c> when estimating its TPM cost.</summary>
    public int DefaultMaxOutputTokens { get; init; } = 4096;
}
