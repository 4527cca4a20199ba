namespace CompanyOs.Llm.Gateway.Caching;

/// <summary>The <c>cache</c> configuration section.</summary>
public sealed record ResponseCacheOptions
{
    /// <summary>Cache every call. When false (default), only calls whose <c>LlmCallContext.UseCache</c> is true use the cache.</summary>
    public bool Enabled { get; init; }

    /// <summary>How long a cached response lives.</summary>
    public TimeSpan Expiration { get; init; } = TimeSpan.FromHours(1);
}
