using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Tests.Configuration;
using CompanyOs.Llm.Tests.Gateway.Fakes;

namespace CompanyOs.Llm.Tests.Gateway.Resilience;

public sealed class FallbackTests
{
    private readonly FakeProviderFactory _factory = new(TimeProvider.System);

    private static LlmOptions ThreeProviders(bool bEnabled = true) => TestOptions.Create(
        TestOptions.ProviderA() with { MaxRetries = 0 },
        TestOptions.ProviderB() with { MaxRetries = 0, FallbackProvider = "c", Enabled = bEnabled },
        new ProviderOptions { Name = "c", Kind = ProviderKind.Ollama, DefaultModel = "llama3.1:8b", MaxRetries = 0 });

    [Fact]
    public void A_fallback_cycle_is_rejected_when_the_config_is_loaded()
    {
        const string yaml = """
            providers:
              a: { type: openai, api_key: "k", default_model: gpt-4o, fallback_provider: b }
              b: { type: openai, api_key: "k", default_model: gpt-4o, fallback_provider: a }
            """;

        var error = Assert.Throws<ConfigurationException>(() => ConfigTestEnvironment.Load(yaml));

        Assert.Contains("fallback_provider", error.KeyPath, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fallback_cycle_in_options_built_in_code_is_rejected_when_the_gateway_is_built()
    {
        var options = TestOptions.Create(TestOptions.ProviderA(), TestOptions.ProviderB() with { FallbackProvider = "a" });

        var error = Assert.Throws<ConfigurationException>(() => LlmGateway.CreateBuilder(options, _factory).Build());

        Assert.Equal("providers.b.fallback_provider", error.KeyPath);
        Assert.Contains("a → b → a", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_chain_continues_a_b_c_and_costs_the_answering_provider()
    {
        using var gateway = LlmGateway.CreateBuilder(ThreeProviders(), _factory).Build();
        _factory["a"].Enqueue(MatrixFault.Status(503));
        _factory["b"].Enqueue(MatrixFault.Status(529));

        var result = await GatewayCalls.CallAsync(gateway, false, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(("c", "llama3.1:8b", 0m), (result.Info.Provider, result.Info.Model, result.Info.CostUsd));
        Assert.Equal(["a", "b"], result.Info.FallbackPath);
    }

    [Fact]
    public async Task A_disabled_provider_in_the_chain_is_skipped()
    {
        using var gateway = LlmGateway.CreateBuilder(ThreeProviders(bEnabled: false), _factory).Build();
        _factory["a"].Enqueue(MatrixFault.Status(500));

        var result = await GatewayCalls.CallAsync(gateway, true, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("c", result.Info.Provider);
        Assert.Equal(0, _factory["b"].Attempts);
    }

    [Fact]
    public async Task When_the_whole_chain_fails_the_last_error_surfaces()
    {
        using var gateway = LlmGateway.CreateBuilder(ThreeProviders(), _factory).Build();
        _factory["a"].Enqueue(MatrixFault.Status(503));
        _factory["b"].Enqueue(MatrixFault.Status(503));
        _factory["c"].Enqueue(MatrixFault.Reset());

        var error = await Assert.ThrowsAsync<ProviderException>(() => GatewayCalls.CallAsync(gateway, false, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(("c", ProviderErrorKind.ConnectionFailed), (error.Provider, error.Kind));
        Assert.Equal(1, gateway.GetStats().Errors);
    }
}
