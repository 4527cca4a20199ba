using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Tests.Definitions;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Prompts.Library;
using CompanyOs.Tools;

namespace CompanyOs.Agents.Tests.Runtime;

/// <summary>The shipped agent definitions run with the shipped persona prompts from the real prompt library.</summary>
public sealed class ShippedAgentsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("researcher")]
    [InlineData("architect")]
    [InlineData("implementer")]
    public async Task Each_shipped_agent_renders_its_persona_with_tools_memory_and_autonomy(string type)
    {
        var root = AgentDefinitionLoaderTests.RepoRoot();
        using var prompts = new PromptLibrary(new PromptLibraryOptions { Directory = Path.Combine(root, "prompts") });
        var definitions = AgentDefinitionLoader.LoadDirectory(Path.Combine(root, "config", "agents"));
        var h = new RuntimeHarness();
        h.AddTool("read_file", ToolRisk.Low);
        h.Script.ThenText("Answer.");
        await using var runtime = new AgentRuntime(h.Chat, h.Store, h.Tools, prompts, definitions, timeProvider: h.Time);

        var result = await runtime.RunAsync(
            new AgentRunRequest { AgentType = type, Task = "Summarise the repo layout", OrgId = "org-1", Memory = ["The repo uses .NET 10"] },
            cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        var start = result.State.Start!;
        Assert.Equal($"{type}/persona", start.PromptName);
        Assert.False(string.IsNullOrEmpty(start.PromptVersion));
        Assert.Contains("Summarise the repo layout", start.SystemPrompt, StringComparison.Ordinal);
        Assert.Contains("read_file", start.SystemPrompt, StringComparison.Ordinal);
        Assert.Contains("The repo uses .NET 10", start.SystemPrompt, StringComparison.Ordinal);
        Assert.Contains("supervised", start.SystemPrompt, StringComparison.Ordinal);
        Assert.Contains("read_file", start.Settings.Tools);
        Assert.NotEmpty(start.Settings.UnavailableTools);
    }
}
