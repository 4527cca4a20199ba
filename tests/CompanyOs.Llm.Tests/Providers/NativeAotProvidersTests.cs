using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Providers;

namespace CompanyOs.Llm.Tests.Providers;

/// <summary>The provider kinds a Native AOT build of the server refuses at start-up (see docs/benchmarks.md, Native AOT).</summary>
public sealed class NativeAotProvidersTests
{
    [Theory]
    [InlineData(ProviderKind.Anthropic)]
    [InlineData(ProviderKind.Ollama)]
    public void A_native_AOT_build_refuses_anthropic_and_ollama_providers_with_a_reason_and_a_way_out(ProviderKind kind)
    {
        var problem = NativeAotProviders.Problem(kind, nativeAot: true);

        Assert.NotNull(problem);
        Assert.Contains("Native AOT", problem, StringComparison.Ordinal);
        Assert.Contains("JIT build", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ProviderKind.OpenAI, true)]
    [InlineData(ProviderKind.Anthropic, false)]
    [InlineData(ProviderKind.OpenAI, false)]
    [InlineData(ProviderKind.Ollama, false)]
    public void Every_other_combination_is_served(ProviderKind kind, bool nativeAot) =>
        Assert.Null(NativeAotProviders.Problem(kind, nativeAot));

    [Fact]
    public void The_test_process_is_not_native_AOT() => Assert.False(NativeAotProviders.IsNativeAot);
}
