using CompanyOs.Agents.Definitions;

namespace CompanyOs.Configuration.Tests.Contract;

/// <summary><c>model</c> of an agent definition (agents/*.yaml).</summary>
public sealed class AgentYamlValueTests : ConfigValueContract
{
    protected override string FileName => "config/agents/probe.yaml";

    protected override string KeyPath => "model";

    protected override string Document(string? value) =>
        "type: probe\npersona_prompt: probe/persona\n" + (value is null ? string.Empty : $"model: {value}\n");

    protected override string? Read(string yaml, Func<string, string?> environment) =>
        AgentDefinitionLoader.Parse(yaml, FileName, environment).Model;
}
