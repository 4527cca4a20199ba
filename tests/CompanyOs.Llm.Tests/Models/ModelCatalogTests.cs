using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Models;

namespace CompanyOs.Llm.Tests.Models;

public class ModelCatalogTests
{
    [Theory]
    [InlineData("claude-3.5-sonnet", "claude-3-5-sonnet-20241022")]
    [InlineData("claude-3-5-sonnet-latest", "claude-3-5-sonnet-20241022")]
    [InlineData("CLAUDE-3-OPUS", "claude-3-opus-20240229")]
    [InlineData("claude-sonnet-4", "claude-sonnet-4-20250514")]
    [InlineData("claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20241022")]
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("gpt-4o-mini", "gpt-4o-mini")]
    [InlineData("  gpt-4o  ", "gpt-4o")]
    public void Built_in_aliases_resolve_to_exact_ids(string model, string expected) =>
        Assert.Equal(expected, ModelCatalog.BuiltIn.Resolve(model));

    [Fact]
    public void Configured_aliases_override_and_chain_through_built_ins()
    {
        var catalog = new ModelCatalog(new Dictionary<string, string>
        {
            ["smart"] = "claude-3-opus",
            ["claude-3.5-sonnet"] = "claude-3-5-sonnet-20240620",
        });

        Assert.Equal("claude-3-opus-20240229", catalog.Resolve("smart"));
        Assert.Equal("claude-3-5-sonnet-20240620", catalog.Resolve("claude-3.5-sonnet"));
        Assert.True(catalog.IsAlias("SMART"));
        Assert.False(catalog.IsAlias("gpt-4o"));
    }

    [Fact]
    public void Catalog_from_loaded_options_uses_model_aliases()
    {
        var options = new LlmConfigLoader(_ => null).Parse(
            "providers:\n  ollama:\n    default_model: llama3\nmodel_aliases:\n  local: \"llama3.1:8b\"\n", "t.yaml");

        Assert.Equal("llama3.1:8b", ModelCatalog.FromOptions(options).Resolve("local"));
    }

    [Theory]
    [InlineData("claude-3.5-sonnet", ProviderKind.Anthropic)]
    [InlineData("claude-opus-4-20250514", ProviderKind.Anthropic)]
    [InlineData("gpt-4o", ProviderKind.OpenAI)]
    [InlineData("o3-mini", ProviderKind.OpenAI)]
    [InlineData("o1", ProviderKind.OpenAI)]
    [InlineData("llama3.1:8b", ProviderKind.Ollama)]
    [InlineData("qwen2.5", ProviderKind.Ollama)]
    [InlineData("my-finetune", null)]
    [InlineData("omni-thing", null)]
    public void Provider_kind_follows_the_model_family(string model, ProviderKind? kind) =>
        Assert.Equal(kind, ModelCatalog.BuiltIn.GetProviderKind(model));
}
