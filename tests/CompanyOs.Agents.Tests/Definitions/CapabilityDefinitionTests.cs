using CompanyOs.Agents.Definitions;
using CompanyOs.Configuration;

namespace CompanyOs.Agents.Tests.Definitions;

/// <summary><c>capabilities:</c> in agent definitions: a name mapped to a prompt template, optionally a version and a model.</summary>
public sealed class CapabilityDefinitionTests
{
    private const string Head = "type: researcher\npersona_prompt: researcher/persona\n";

    [Fact]
    public void Capabilities_map_names_to_prompts_in_long_and_short_form()
    {
        var definition = AgentDefinitionLoader.Parse(Head + """
            capabilities:
              literature_review:
                prompt: researcher/literature_review
                prompt_version: "1.0"
                model: claude-sonnet
                description: Reviews literature.
              quick_summary: researcher/summary
            """, "x.yaml");

        Assert.Equal(
            new AgentCapability { Prompt = "researcher/literature_review", PromptVersion = "1.0", Model = "claude-sonnet", Description = "Reviews literature." },
            definition.Capabilities["literature_review"]);
        Assert.Equal(new AgentCapability { Prompt = "researcher/summary" }, definition.Capabilities["quick_summary"]);
    }

    [Theory]
    [InlineData("capabilities:\n  Bad Name: researcher/x", "capabilities[\"Bad Name\"]", "not a valid capability name")]
    [InlineData("capabilities:\n  review: not-a-ref", "capabilities.review", "not a prompt reference")]
    [InlineData("capabilities:\n  review:\n    promt: researcher/x", "capabilities.review.promt", "promt")]
    [InlineData("capabilities:\n  review:\n    model: m", "capabilities.review.prompt", "is required")]
    [InlineData("capabilities: [a]", "capabilities", "expected a mapping")]
    public void Invalid_capabilities_name_the_key_and_the_problem(string yaml, string key, string problem)
    {
        var error = Assert.Throws<ConfigurationException>(() => AgentDefinitionLoader.Parse(Head + yaml, "config/agents/x.yaml"));

        Assert.Equal(key, error.KeyPath);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_agents_map_their_capabilities_to_shipped_prompts()
    {
        var root = AgentDefinitionLoaderTests.RepoRoot();
        var definitions = AgentDefinitionLoader.LoadDirectory(Path.Combine(root, "config", "agents"));

        Assert.Equal("researcher/literature_review", definitions["researcher"].Capabilities["literature_review"].Prompt);
        Assert.Equal("implementer/code_generation", definitions["implementer"].Capabilities["code_generation"].Prompt);
        Assert.Equal("architect/system_design", definitions["architect"].Capabilities["system_design"].Prompt);
        Assert.All(definitions.Values.SelectMany(d => d.Capabilities.Values), c => Assert.True(File.Exists(Path.Combine(root, "prompts", c.Prompt + ".yaml")), c.Prompt));
    }
}
