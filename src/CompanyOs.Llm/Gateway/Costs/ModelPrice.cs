using CompanyOs.Llm.Configuration;

namespace CompanyOs.Llm.Gateway.Costs;

/// <summary>
/// Prices of one exact model id in USD per one million tokens. A null cache price means cache tokens are billed at
/// <see cref="Input"/> (OpenAI charges nothing extra for cache writes).
/// </summary>
public sealed record ModelPrice
{
    /// <summary>The provider protocol that serves this model, used by routing when a request names only a model.</summary>
    public ProviderKind? Provider { get; init; }

    public required decimal Input { get; init; }

    public required decimal Output { get; init; }

    /// <summary>Price of input tokens read from the provider's prompt cache.</summary>
    public decimal? CacheRead { get; init; }

    /// <summary>Price of input tokens written to the provider's prompt cache.</summary>
    public decimal? CacheWrite { get; init; }
}
