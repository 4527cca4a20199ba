using CompanyOs.Llm.Configuration;

namespace CompanyOs.Configuration.Tests.Contract;

/// <summary><c>providers.openai.base_url</c> of llm.yaml.</summary>
public sealed class LlmYamlValueTests : ConfigValueContract
{
    protected override string FileName => "config/llm.yaml";

    protected override string KeyPath => "providers.openai.base_url";

    protected override string Document(string? value) =>
        "providers:\n  openai:\n    api_key: sk-test\n    default_model: gpt-4o\n" + (value is null ? string.Empty : $"    base_url: {value}\n");

    protected override string? Read(string yaml, Func<string, string?> environment) =>
        new LlmConfigLoader(environment).Parse(yaml, FileName).Providers["openai"].BaseUrl?.ToString();
}
