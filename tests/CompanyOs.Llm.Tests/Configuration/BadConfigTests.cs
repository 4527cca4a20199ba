using CompanyOs.Llm.Configuration;
using static CompanyOs.Llm.Tests.Configuration.ConfigTestEnvironment;

namespace CompanyOs.Llm.Tests.Configuration;

/// <summary>Every bad configuration fails at load time with the file, the key path and the problem.</summary>
public class BadConfigTests
{
    private const string Anthropic = """
        providers:
          anthropic:
            api_key: "${ANTHROPIC_API_KEY}"
            default_model: claude-3.5-sonnet

        """;

    public static TheoryData<string, string, string, string> Cases => new()
    {
        { "empty file", "", "", "the file is empty" },
        { "only comments", "# nothing here\n", "", "the file is empty" },
        { "root is a list", "- a\n- b\n", "", "expected a mapping of sections" },
        { "malformed yaml", "providers:\n  anthropic:\n    api_key: \"unclosed\n", "", "malformed YAML: " },
        { "bad indentation", "providers:\n  anthropic:\n   enabled: true\n  default_model: x\n bad: 1\n", "", "malformed YAML: " },
        { "two documents", Anthropic + "---\nproviders: {}\n", "", "several YAML documents" },
        { "unknown top-level key with suggestion", Anthropic + "agent_model:\n  x: {primary: anthropic}\n", "agent_model", "unknown key 'agent_model'; did you mean 'agent_models'?" },
        { "unknown provider key with suggestion", Anthropic.Replace("default_model:", "rate_limit_rmp: 5\n    default_model:", StringComparison.Ordinal), "providers.anthropic.rate_limit_rmp", "did you mean 'rate_limit_rpm'?" },
        { "duplicate key", Anthropic.Replace("default_model: claude-3.5-sonnet", "default_model: a\n    default_model: b", StringComparison.Ordinal), "providers.anthropic.default_model", "duplicate key 'default_model'" },
        { "missing providers", "default_provider: anthropic\n", "providers", "is required" },
        { "providers is a list", "providers:\n  - anthropic\n", "providers", "expected a mapping" },
        { "providers empty", "providers: {}\n", "providers", "at least one provider" },
        { "no enabled provider", Anthropic.Replace("api_key", "enabled: false\n    api_key", StringComparison.Ordinal), "providers", "no provider is enabled" },
        { "enabled not a bool", Anthropic.Replace("api_key", "enabled: yes\n    api_key", StringComparison.Ordinal), "providers.anthropic.enabled", "expected true or false, got 'yes'" },
        { "rpm not a number", Anthropic + "    rate_limit_rpm: fifty\n", "providers.anthropic.rate_limit_rpm", "expected an integer, got 'fifty'" },
        { "rpm quoted", Anthropic + "    rate_limit_rpm: \"50\"\n", "providers.anthropic.rate_limit_rpm", "expected an integer, got the quoted string \"50\"" },
        { "rpm zero", Anthropic + "    rate_limit_rpm: 0\n", "providers.anthropic.rate_limit_rpm", "must be positive, got 0" },
        { "tpm negative", Anthropic + "    rate_limit_tpm: -100\n", "providers.anthropic.rate_limit_tpm", "must be positive, got -100" },
        { "timeout zero", Anthropic + "    timeout_seconds: 0\n", "providers.anthropic.timeout_seconds", "must be a positive number of seconds" },
        { "max retries negative", Anthropic + "    max_retries: -1\n", "providers.anthropic.max_retries", "must be between 0 and 10, got -1" },
        { "bad url", Anthropic + "    base_url: \"not a url\"\n", "providers.anthropic.base_url", "'not a url' is not an absolute http(s) URL" },
        { "ftp url", Anthropic + "    base_url: ftp://example.org\n", "providers.anthropic.base_url", "is not an absolute http(s) URL" },
        { "missing default model", "providers:\n  anthropic:\n    api_key: \"${ANTHROPIC_API_KEY}\"\n", "providers.anthropic.default_model", "is required" },
        { "empty default model", Anthropic.Replace("claude-3.5-sonnet", "\"\"", StringComparison.Ordinal), "providers.anthropic.default_model", "must not be empty" },
        { "unknown type", "providers:\n  mine:\n    type: gemini\n    api_key: k\n    default_model: m\n", "providers.mine.type", "unknown provider type 'gemini'" },
        { "type required for custom name", "providers:\n  vllm:\n    api_key: k\n    default_model: m\n", "providers.vllm.type", "is required because the provider name 'vllm' is not a provider type" },
        { "bad provider name", "providers:\n  Big Provider:\n    type: openai\n    api_key: k\n    default_model: m\n", "providers[\"Big Provider\"]", "must be lower-case letters" },
        { "provider with no settings", "providers:\n  anthropic:\n", "providers.anthropic", "got nothing" },
        { "missing env var for enabled provider", Anthropic.Replace("ANTHROPIC_API_KEY", "NOT_SET_ANYWHERE", StringComparison.Ordinal), "providers.anthropic.api_key", "environment variable 'NOT_SET_ANYWHERE' is not set" },
        { "missing api key for enabled provider", "providers:\n  openai:\n    default_model: gpt-4o\n", "providers.openai.api_key", "is required for an enabled provider" },
        { "unterminated env reference", Anthropic.Replace("${ANTHROPIC_API_KEY}", "${ANTHROPIC_API_KEY", StringComparison.Ordinal), "providers.anthropic.api_key", "unterminated '${'" },
        { "invalid env var name", Anthropic.Replace("${ANTHROPIC_API_KEY}", "${1-BAD}", StringComparison.Ordinal), "providers.anthropic.api_key", "is not a valid environment variable reference" },
        { "unknown fallback provider", Anthropic + "    fallback_provider: antropic\n", "providers.anthropic.fallback_provider", "unknown provider 'antropic'; did you mean 'anthropic'?" },
        { "fallback to itself", Anthropic + "    fallback_provider: anthropic\n", "providers.anthropic.fallback_provider", "cannot fall back to itself" },
        { "fallback to disabled provider", Anthropic + "    fallback_provider: openai\n  openai:\n    enabled: false\n    default_model: gpt-4o\n", "providers.anthropic.fallback_provider", "falls back to 'openai', which is disabled" },
        { "fallback cycle of two", Anthropic + "    fallback_provider: openai\n  openai:\n    api_key: \"${OPENAI_API_KEY}\"\n    default_model: gpt-4o\n    fallback_provider: anthropic\n", "providers.anthropic.fallback_provider", "fallback cycle: anthropic -> openai -> anthropic" },
        { "fallback cycle of three", Anthropic + "    fallback_provider: openai\n  openai:\n    api_key: k\n    default_model: gpt-4o\n    fallback_provider: ollama\n  ollama:\n    default_model: llama3\n    fallback_provider: anthropic\n", "providers.anthropic.fallback_provider", "fallback cycle: anthropic -> openai -> ollama -> anthropic" },
        { "fallback models not a map", Anthropic + "    fallback_models: [gpt-4o]\n", "providers.anthropic.fallback_models", "expected a mapping" },
        { "default provider unknown", Anthropic + "default_provider: openai\n", "default_provider", "unknown provider 'openai'" },
        { "default provider disabled", Anthropic + "  ollama:\n    enabled: false\n    default_model: llama3\ndefault_provider: ollama\n", "default_provider", "provider 'ollama' is disabled" },
        { "agent model unknown provider", Anthropic + "agent_models:\n  researcher:\n    primary: anthropc\n    model: x\n", "agent_models.researcher.primary", "unknown provider 'anthropc'; did you mean 'anthropic'?" },
        { "agent model disabled provider", Anthropic + "  ollama:\n    enabled: false\n    default_model: llama3\nagent_models:\n  coder:\n    primary: ollama\n", "agent_models.coder.primary", "provider 'ollama' is disabled" },
        { "agent model missing primary", Anthropic + "agent_models:\n  researcher:\n    model: x\n", "agent_models.researcher.primary", "is required" },
        { "agent model unknown key", Anthropic + "agent_models:\n  researcher:\n    primary: anthropic\n    modle: x\n", "agent_models.researcher.modle", "did you mean 'model'?" },
        { "agent model is a string", Anthropic + "agent_models:\n  researcher: anthropic\n", "agent_models.researcher", "expected a mapping" },
        { "alias to itself", Anthropic + "model_aliases:\n  fast: FAST\n", "model_aliases.fast", "cannot point to itself" },
        { "alias cycle", Anthropic + "model_aliases:\n  a: b\n  b: a\n", "model_aliases.a", "alias cycle: a -> b -> a" },
        { "alias target a list", Anthropic + "model_aliases:\n  fast: [a, b]\n", "model_aliases.fast", "expected a string, got a list" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_config_names_file_key_and_problem(string name, string yaml, string keyPath, string problem)
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(yaml));

        Assert.Equal(FileName, e.File);
        Assert.True(keyPath == e.KeyPath, $"{name}: expected key path '{keyPath}', got '{e.KeyPath}' ({e.Message})");
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"{FileName}: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_carry_line_and_column()
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(Anthropic + "    rate_limit_rpm: 0\n"));

        Assert.Contains("(line 5, column 21)", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_a_configuration_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"companyos-missing-{Guid.NewGuid():N}.yaml");

        var e = Assert.Throws<ConfigurationException>(() => new LlmConfigLoader(Keys).LoadAsync(path, TestContext.Current.CancellationToken).GetAwaiter().GetResult());

        Assert.Equal(path, e.File);
        Assert.Contains("file not found", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_literal_secret_in_a_wrongly_typed_api_key_is_not_echoed()
    {
        var yaml = "providers:\n  anthropic:\n    api_key: [sk-ant-SECRET-literal]\n    default_model: x\n";

        var e = Assert.Throws<ConfigurationException>(() => Load(yaml));

        Assert.Equal("providers.anthropic.api_key", e.KeyPath);
        Assert.DoesNotContain("SECRET", e.Message, StringComparison.Ordinal);
    }
}
