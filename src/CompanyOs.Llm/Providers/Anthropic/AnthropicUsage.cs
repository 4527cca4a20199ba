using CompanyOs.Llm.Calls;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers.Anthropic;

/// <summary>
/// Anthropic reports <c>input_tokens</c> (uncached), <c>cache_read_input_tokens</c> and <c>cache_creation_input_tokens</c>
/// separately; the house convention (<see cref="UsageKeys"/>) wants their sum as input, cache reads as cached input and
/// cache writes under <see cref="UsageKeys.CacheWriteInputTokens"/>.
/// </summary>
internal static class AnthropicUsage
{
    public static UsageDetails Create(long? input, long? output, long? cacheRead, long? cacheWrite)
    {
        var usage = new UsageDetails
        {
            InputTokenCount = (input ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0),
            OutputTokenCount = output ?? 0,
            CachedInputTokenCount = cacheRead ?? 0,
        };
        usage.TotalTokenCount = usage.InputTokenCount + usage.OutputTokenCount;
        if (cacheWrite is > 0)
        {
            (usage.AdditionalCounts ??= [])[UsageKeys.CacheWriteInputTokens] = cacheWrite.Value;
        }

        return usage;
    }
}
