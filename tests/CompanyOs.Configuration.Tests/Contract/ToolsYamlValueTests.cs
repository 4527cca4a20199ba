using CompanyOs.Tools.Configuration;

namespace CompanyOs.Configuration.Tests.Contract;

/// <summary><c>web_search.base_url</c> of tools.yaml.</summary>
public sealed class ToolsYamlValueTests : ConfigValueContract
{
    protected override string FileName => "config/tools.yaml";

    protected override string KeyPath => "web_search.base_url";

    protected override string Document(string? value) =>
        "web_search:\n  provider: brave\n  api_key: bk-test\n" + (value is null ? string.Empty : $"  base_url: {value}\n");

    protected override string? Read(string yaml, Func<string, string?> environment) =>
        new ToolsConfigLoader(environment).Parse(yaml, FileName, Path.GetTempPath()).WebSearch?.BaseUrl?.ToString();
}
