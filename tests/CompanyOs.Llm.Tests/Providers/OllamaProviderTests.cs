using CompanyOs.Emulator;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Providers;

public sealed class OllamaProviderTests : ProviderErrorConformanceTests
{
    protected override ProviderKind Kind => ProviderKind.Ollama;

    protected override EmulatorProvider Wire => EmulatorProvider.Ollama;

    protected override string Model => "llama3.2";

    protected override bool ReportsCacheTokens => false;

    protected override bool WireCarriesCallIds => false;

    protected override void AssertCacheTokens(UsageDetails usage, long read, long written)
    {
        Assert.Null(usage.CachedInputTokenCount);
        Assert.False(usage.AdditionalCounts?.ContainsKey(UsageKeys.CacheWriteInputTokens) ?? false);
    }
}
