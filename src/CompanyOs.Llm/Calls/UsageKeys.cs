namespace CompanyOs.Llm.Calls;

/// <summary>
/// How usage is normalised across providers. <see cref="Microsoft.Extensions.AI.UsageDetails.InputTokenCount"/> is always
/// the <b>total</b> input, cached or not (OpenAI's convention); <see cref="Microsoft.Extensions.AI.UsageDetails.CachedInputTokenCount"/>
/// is the part read from the prompt cache; cache writes go into <see cref="Microsoft.Extensions.AI.UsageDetails.AdditionalCounts"/>
/// under <see cref="CacheWriteInputTokens"/>. Anthropic reports the three separately, so its adapter adds them up.
/// </summary>
public static class UsageKeys
{
    /// <summary>Input tokens written to the provider's prompt cache (Anthropic <c>cache_creation_input_tokens</c>).</summary>
    public const string CacheWriteInputTokens = "CacheWriteInputTokens";

    /// <summary>Set to 1 in AdditionalCounts when token counts are estimates rather than the provider's own usage.</summary>
    public const string Estimated = "Estimated";
}
