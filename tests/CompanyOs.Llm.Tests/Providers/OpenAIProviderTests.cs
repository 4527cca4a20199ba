using CompanyOs.Emulator;
using CompanyOs.Llm.Configuration;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Providers;

public sealed class OpenAIProviderTests : ProviderErrorConformanceTests
{
    protected override ProviderKind Kind => ProviderKind.OpenAI;

    protected override EmulatorProvider Wire => EmulatorProvider.OpenAI;

    protected override string Model => "gpt-4o-mini";

    // OpenAI's usage has no cache-write field: cache writes are not reported (and not billed separately).
    protected override void AssertCacheTokens(UsageDetails usage, long read, long written)
    {
        Assert.Equal(read, usage.CachedInputTokenCount);
        Assert.False(usage.AdditionalCounts?.ContainsKey(Calls.UsageKeys.CacheWriteInputTokens) ?? false);
    }
}
