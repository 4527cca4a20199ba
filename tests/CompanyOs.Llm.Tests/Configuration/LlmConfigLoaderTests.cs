using CompanyOs.Llm.Configuration;
using static CompanyOs.Llm.Tests.Configuration.ConfigTestEnvironment;

namespace CompanyOs.Llm.Tests.Configuration;

public class LlmConfigLoaderTests
{
    private static string RepoFile(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "CompanyOs.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), relative);
    }

    [Fact]
    public async Task Shipped_config_loads_with_keys_set()
    {
        var options = await new LlmConfigLoader(Keys).LoadAsync(RepoFile("config/llm.yaml"), TestContext.Current.CancellationToken);

        Assert.Equal("anthropic", options.DefaultProvider);
        var anthropic = options.Providers["anthropic"];
        Assert.Equal(ProviderKind.Anthropic, anthropic.Kind);
        Assert.Equal(AnthropicSecret, anthropic.ApiKey);
        Assert.Equal("ANTHROPIC_API_KEY", anthropic.ApiKeyVariable);
        Assert.Equal(50, anthropic.RateLimitRpm);
        Assert.Equal("openai", anthropic.FallbackProvider);
        Assert.Null(options.Providers["openai"].FallbackProvider);
        Assert.Equal("gpt-4o", options.Providers["openai"].FallbackModels["claude-3-5-sonnet-20241022"]);
        Assert.False(options.Providers["ollama"].Enabled);
        Assert.Equal(ProviderKind.Ollama, options.Providers["ollama"].Kind);
        Assert.Equal(new AgentModelOptions("anthropic", "claude-3-opus"), options.AgentModels["architect"]);
        Assert.Equal("claude-3-opus", options.ModelAliases["smart"]);
    }

    [Fact]
    public async Task Shipped_config_without_keys_fails_unless_keys_are_optional()
    {
        var path = RepoFile("config/llm.yaml");

        var e = await Assert.ThrowsAsync<ConfigurationException>(() => new LlmConfigLoader(_ => null).LoadAsync(path, TestContext.Current.CancellationToken));
        Assert.Equal("providers.anthropic.api_key", e.KeyPath);

        var lenient = await new LlmConfigLoader(_ => null, requireApiKeys: false).LoadAsync(path, TestContext.Current.CancellationToken);
        Assert.Null(lenient.Providers["anthropic"].ApiKey);
        Assert.Equal("ANTHROPIC_API_KEY", lenient.Providers["anthropic"].ApiKeyVariable);
    }

    [Fact]
    public void Disabled_provider_and_ollama_need_no_key()
    {
        var options = Load("""
            providers:
              openai:
                enabled: false
                api_key: "${UNSET_KEY}"
                default_model: gpt-4o
              ollama:
                default_model: llama3.1:8b
            """, Env());

        Assert.Null(options.Providers["openai"].ApiKey);
        Assert.Null(options.Providers["ollama"].ApiKey);
        Assert.Equal("ollama", options.DefaultProvider);
    }

    [Fact]
    public void Defaults_apply_and_type_selects_protocol_for_custom_names()
    {
        var options = Load("""
            providers:
              vllm:
                type: openai
                base_url: http://127.0.0.1:8000/v1
                default_model: qwen2.5
            """, Env());

        var vllm = options.Providers["vllm"];
        Assert.Equal(ProviderKind.OpenAI, vllm.Kind);
        Assert.True(vllm.Enabled);
        Assert.Null(vllm.ApiKey);
        Assert.Equal(new Uri("http://127.0.0.1:8000/v1"), vllm.BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(120), vllm.Timeout);
        Assert.Equal(3, vllm.MaxRetries);
        Assert.Null(vllm.RateLimitRpm);
        Assert.Null(vllm.FallbackProvider);
    }

    [Fact]
    public void Env_references_expand_inside_strings_and_support_defaults()
    {
        var options = Load("""
            providers:
              openai:
                api_key: "Bearer-${TOKEN_PART}"
                base_url: "http://${HOST:-127.0.0.1}:${PORT}/v1"
                default_model: gpt-4o
                timeout_seconds: 2.5
            """, Env(("TOKEN_PART", "abc"), ("PORT", "9999")));

        Assert.Equal("Bearer-abc", options.Providers["openai"].ApiKey);
        Assert.Equal(new Uri("http://127.0.0.1:9999/v1"), options.Providers["openai"].BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.Providers["openai"].Timeout);
    }

    [Fact]
    public void Provider_tostring_redacts_the_key()
    {
        var options = Load("providers:\n  anthropic:\n    api_key: \"${ANTHROPIC_API_KEY}\"\n    default_model: x\n");

        Assert.DoesNotContain(AnthropicSecret, options.Providers["anthropic"].ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AnthropicSecret, options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_extra_section_is_claimed_by_registering_it()
    {
        var yaml = "providers:\n  ollama:\n    default_model: m\ncustom:\n  level: 3\n";
        Assert.Throws<ConfigurationException>(() => Load(yaml, Env()));

        var seen = new List<int?>();
        var loader = new LlmConfigLoader(Env(), [.. LlmConfigSections.Default, new TestSection(seen)]);
        loader.Parse(yaml, FileName);

        Assert.Equal([3], seen);
        var e = Assert.Throws<ConfigurationException>(() => loader.Parse(yaml.Replace("level", "levle", StringComparison.Ordinal), FileName));
        Assert.Equal("custom.levle", e.KeyPath);
    }

    [Fact]
    public void Two_sections_with_the_same_key_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new LlmConfigLoader(Env(), [.. LlmConfigSections.Default, .. LlmConfigSections.Default]));
        Assert.Contains("providers", e.Message, StringComparison.Ordinal);
    }

    private sealed class TestSection(List<int?> seen) : ILlmConfigSection
    {
        public string Key => "custom";

        public LlmOptions Read(ConfigNode node, LlmOptions options)
        {
            node.ExpectOnlyKeys(["level"]);
            seen.Add(node.Child("level").AsInt(min: 0));
            return options;
        }
    }
}
