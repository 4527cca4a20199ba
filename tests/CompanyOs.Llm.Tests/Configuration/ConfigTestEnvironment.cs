using CompanyOs.Llm.Configuration;

namespace CompanyOs.Llm.Tests.Configuration;

internal static class ConfigTestEnvironment
{
    public const string FileName = "test/llm.yaml";
    public const string AnthropicSecret = "sk-ant-SECRET-never-shown";
    public const string OpenAiSecret = "sk-openai-SECRET-never-shown";

    public static Func<string, string?> Env(params (string Name, string Value)[] vars)
    {
        var map = vars.ToDictionary(v => v.Name, v => v.Value);
        return name => map.GetValueOrDefault(name);
    }

    public static Func<string, string?> Keys => Env(("ANTHROPIC_API_KEY", AnthropicSecret), ("OPENAI_API_KEY", OpenAiSecret));

    public static LlmOptions Load(string yaml, Func<string, string?>? env = null, bool requireApiKeys = true) =>
        new LlmConfigLoader(env ?? Keys, requireApiKeys: requireApiKeys).Parse(yaml, FileName);
}
