using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Costs;
using CompanyOs.Llm.Gateway.Routing;
using CompanyOs.Llm.Models;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Routing;

public sealed class ModelRouterTests
{
    private static readonly PriceTable Prices = PriceTable.LoadDefault();

    private static LlmOptions Options() => TestOptions.Create() with
    {
        AgentModels = new Dictionary<string, AgentModelOptions> { ["researcher"] = new("b", "claude-3.5-sonnet") },
        ModelAliases = new Dictionary<string, string> { ["fast"] = "gpt-4o-mini" },
    };

    private static ModelRouter Router(LlmOptions? options = null)
    {
        options ??= Options();
        return new ModelRouter(options, ModelCatalog.FromOptions(options), Prices);
    }

    [Fact]
    public void Nothing_named_uses_the_default_provider_and_model() =>
        Assert.Equal(("a", "gpt-4o-mini"), Route(Router().Resolve(null, null)));

    [Fact]
    public void Agent_assignment_is_used_and_its_alias_resolved() =>
        Assert.Equal(("b", "claude-3-5-sonnet-20241022"), Route(Router().Resolve(null, new LlmCallContext { AgentType = "researcher" })));

    [Fact]
    public void Request_model_overrides_the_agent_assignment() =>
        Assert.Equal(("a", "gpt-4o"), Route(Router().Resolve("gpt-4o", new LlmCallContext { AgentType = "researcher" })));

    [Theory]
    [InlineData("b/claude-3-opus", "b", "claude-3-opus-20240229")]
    [InlineData("a/some-finetune", "a", "some-finetune")]
    [InlineData("fast", "a", "gpt-4o-mini")]
    [InlineData("claude-opus-4-20250514", "b", "claude-opus-4-20250514")]
    [InlineData("o4-mini", "a", "o4-mini")]
    public void Model_names_route_to_the_provider_that_serves_them(string requested, string provider, string model) =>
        Assert.Equal((provider, model), Route(Router().Resolve(requested, null)));

    [Fact]
    public void Unknown_model_is_a_routing_error_naming_it()
    {
        var error = Assert.Throws<RoutingException>(() => Router().Resolve("mystery-model-9", null));

        Assert.Equal("mystery-model-9", error.RequestedModel);
        Assert.Contains("mystery-model-9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disabled_provider_is_a_routing_error()
    {
        var options = Options() with { Providers = new Dictionary<string, ProviderOptions> { ["a"] = TestOptions.ProviderA(), ["b"] = TestOptions.ProviderB() with { Enabled = false }, } };
        options = options with { AgentModels = new Dictionary<string, AgentModelOptions>() };

        var error = Assert.Throws<RoutingException>(() => Router(options).Resolve("b/claude-3-opus", null));

        Assert.Contains("disabled", error.Message, StringComparison.Ordinal);
        Assert.Throws<RoutingException>(() => Router(options).Resolve("claude-opus-4-20250514", null));
    }

    [Fact]
    public void Agent_assignment_to_an_unknown_provider_fails_when_built()
    {
        var options = Options() with { AgentModels = new Dictionary<string, AgentModelOptions> { ["x"] = new("nowhere", "m") } };

        var error = Assert.Throws<ConfigurationException>(() => Router(options));

        Assert.Equal("agent_models.x.primary", error.KeyPath);
    }

    [Fact]
    public async Task Gateway_rejects_unknown_models_before_calling_any_provider()
    {
        var time = TimeProvider.System;
        var factory = new FakeProviderFactory(time);
        using var gateway = LlmGateway.CreateBuilder(Options(), factory).Build();

        await Assert.ThrowsAsync<RoutingException>(() => gateway.GetResponseAsync([new(ChatRole.User, "hi")], new ChatOptions { ModelId = "nope" }, TestContext.Current.CancellationToken));

        Assert.Equal(0, factory["a"].Attempts + factory["b"].Attempts);
    }

    [Fact]
    public async Task Gateway_does_not_modify_the_callers_options()
    {
        var factory = new FakeProviderFactory(TimeProvider.System);
        using var gateway = LlmGateway.CreateBuilder(Options(), factory).Build();
        var options = new ChatOptions { ModelId = "fast" }.WithCallContext(new LlmCallContext { OrgId = "acme" });

        await gateway.GetResponseAsync([new(ChatRole.User, "hi")], options, TestContext.Current.CancellationToken);

        Assert.Equal("fast", options.ModelId);
        Assert.Single(options.AdditionalProperties!);
        Assert.Equal("gpt-4o-mini", factory["a"].LastOptions!.ModelId);
    }

    private static (string, string) Route(ModelRoute route) => (route.Provider.Name, route.Model);
}
