using System.Collections.Concurrent;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CompanyOs.Llm.Gateway.Costs;

/// <summary>
/// Turns normalised usage (see <see cref="UsageKeys"/>) into USD with decimal arithmetic. Providers of kind
/// <see cref="ProviderKind.Ollama"/> are free by rule; a model without a price costs <c>null</c> (unknown) and is logged once.
/// </summary>
public sealed partial class CostCalculator
{
    private const decimal PerMillion = 1_000_000m;
    private readonly ConcurrentDictionary<string, byte> _warned = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    public CostCalculator(PriceTable prices, ILogger<CostCalculator>? logger = null)
    {
        Prices = prices ?? throw new ArgumentNullException(nameof(prices));
        _logger = logger ?? NullLogger<CostCalculator>.Instance;
    }

    public PriceTable Prices { get; }

    /// <summary>
    /// Cost of one call. <paramref name="answeredModel"/> (the id the provider reported) is priced first, then
    /// <paramref name="requestedModel"/>; null when neither has a price.
    /// </summary>
    public decimal? Compute(ProviderKind providerKind, string? answeredModel, string requestedModel, UsageDetails? usage)
    {
        if (!TryGetPrice(providerKind, answeredModel, requestedModel, out var price))
        {
            return null;
        }

        return price is null ? 0m : Compute(price, usage);
    }

    /// <summary>
    /// Finds the price for a call; <paramref name="price"/> is null for a free (Ollama) provider. False, with the unknown model
    /// logged once, when nothing matches exactly.
    /// </summary>
    public bool TryGetPrice(ProviderKind providerKind, string? answeredModel, string requestedModel, out ModelPrice? price)
    {
        ArgumentNullException.ThrowIfNull(requestedModel);
        price = null;
        if (providerKind == ProviderKind.Ollama)
        {
            return true;
        }

        if ((answeredModel is not null && Prices.TryGetPrice(answeredModel, out var found)) || Prices.TryGetPrice(requestedModel, out found))
        {
            price = found;
            return true;
        }

        var unknown = answeredModel ?? requestedModel;
        if (_warned.TryAdd(unknown, 0))
        {
            LogUnknownModel(_logger, unknown);
        }

        return false;
    }

    /// <summary>Cost of <paramref name="usage"/> at <paramref name="price"/>; cache reads and writes are split out of the total input.</summary>
    public static decimal Compute(ModelPrice price, UsageDetails? usage)
    {
        ArgumentNullException.ThrowIfNull(price);
        if (usage is null)
        {
            return 0m;
        }

        long total = usage.InputTokenCount ?? 0;
        long cacheRead = usage.CachedInputTokenCount ?? 0;
        long cacheWrite = usage.AdditionalCounts is { } counts && counts.TryGetValue(UsageKeys.CacheWriteInputTokens, out var w) ? w : 0;
        long uncached = Math.Max(0, total - cacheRead - cacheWrite);
        long output = usage.OutputTokenCount ?? 0;

        decimal sum = (uncached * price.Input)
            + (cacheRead * (price.CacheRead ?? price.Input))
            + (cacheWrite * (price.CacheWrite ?? price.Input))
            + (output * price.Output);
        return sum / PerMillion;
    }

    /// <summary>Upper-bound cost of a call that has not happened yet (all input uncached).</summary>
    public static decimal Estimate(ModelPrice? price, long inputTokens, long maxOutputTokens) =>
        price is null ? 0m : ((inputTokens * price.Input) + (maxOutputTokens * price.Output)) / PerMillion;

    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning,
        Message = "No price for model '{Model}': its calls are reported with unknown cost. Add it to config/prices.json or the prices section.")]
    private static partial void LogUnknownModel(ILogger logger, string model);
}
