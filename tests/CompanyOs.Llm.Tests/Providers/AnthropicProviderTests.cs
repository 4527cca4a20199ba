using CompanyOs.Emulator;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Providers;

public sealed class AnthropicProviderTests : ProviderErrorConformanceTests
{
    protected override ProviderKind Kind => ProviderKind.Anthropic;

    protected override EmulatorProvider Wire => EmulatorProvider.Anthropic;

    protected override string Model => "claude-3-5-haiku-20241022";

    protected override void AssertCacheTokens(UsageDetails usage, long read, long written)
    {
        Assert.Equal(read, usage.CachedInputTokenCount);
        Assert.Equal(written, usage.AdditionalCounts![UsageKeys.CacheWriteInputTokens]);
    }
}
