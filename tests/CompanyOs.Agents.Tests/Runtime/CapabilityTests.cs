using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.ReadModel;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Tests.Definitions;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Prompts;
using CompanyOs.Prompts.Library;

namespace CompanyOs.Agents.Tests.Runtime;

/// <summary>Runs started for a capability: the shipped definitions' capability templates, rendered strictly, become the task.</summary>
public sealed class CapabilityTests : IDisposable
{
    private readonly PromptLibrary _prompts = new(new PromptLibraryOptions { Directory = Path.Combine(AgentDefinitionLoaderTests.RepoRoot(), "prompts") });
    private readonly IReadOnlyDictionary<string, AgentDefinition> _shipped = AgentDefinitionLoader.LoadDirectory(Path.Combine(AgentDefinitionLoaderTests.RepoRoot(), "config", "agents"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _prompts.Dispose();

    private AgentRuntime Runtime(RuntimeHarness h, IReadOnlyDictionary<string, AgentDefinition>? definitions = null) =>
        new(h.Chat, h.Store, h.Tools, _prompts, definitions ?? _shipped, timeProvider: h.Time);

    [Theory]
    [InlineData("researcher", "literature_review", "researcher/literature_review", "topic", "event sourcing")]
    [InlineData("implementer", "code_generation", "implementer/code_generation", "task_description", "a retry helper")]
    [InlineData("architect", "system_design", "architect/system_design", "requirements", "a URL shortener")]
    public async Task A_capability_run_renders_its_template_as_the_task_and_records_prompt_name_and_version(
        string agent, string capability, string prompt, string variable, string value)
    {
        var h = new RuntimeHarness();
        h.Script.ThenText("Answer.");
        await using var runtime = Runtime(h);
        var variables = new Dictionary<string, object?> { [variable] = value };
        if (agent == "implementer")
        {
            variables["tech_stack"] = "C# on .NET 10";
        }

        var result = await runtime.RunAsync(new AgentRunRequest { AgentType = agent, Capability = capability, Variables = variables, OrgId = "org-1" }, cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        var start = result.State.Start!;
        var expected = _prompts.Render(prompt, variables);
        Assert.Equal((capability, prompt, expected.Version), (start.Capability, start.PromptName, start.PromptVersion));
        Assert.Equal(expected.User!.Trim(), start.Task);
        Assert.Equal(start.Task, start.UserMessage);
        Assert.Contains(value, start.Task, StringComparison.Ordinal);
        Assert.Contains(expected.System!, start.SystemPrompt, StringComparison.Ordinal);
        // The template's few-shot pair is sent as real user/assistant messages before the request.
        Assert.Equal(["user", "assistant"], start.FewShot.Select(m => m.Role).TakeLast(2));
        Assert.Equal(expected.Messages[^2].Text, start.FewShot[^1].Text);
        var (messages, _) = h.Script.Requests.Single();
        Assert.Contains(messages, m => m.Role == Microsoft.Extensions.AI.ChatRole.Assistant && m.Text == expected.Messages[^2].Text);

        var summary = await runtime.Runs.GetSummaryAsync(result.State.RunId, Ct);
        Assert.Equal((capability, prompt, expected.Version), (summary!.Capability, summary.PromptName, summary.PromptVersion));
    }

    [Fact]
    public async Task A_capability_model_overrides_the_agents_model()
    {
        var h = new RuntimeHarness();
        h.Script.ThenText("Answer.");
        var definitions = new Dictionary<string, AgentDefinition>(StringComparer.Ordinal)
        {
            ["researcher"] = _shipped["researcher"] with
            {
                Model = "agent-model",
                Capabilities = new Dictionary<string, AgentCapability> { ["literature_review"] = new() { Prompt = "researcher/literature_review", PromptVersion = "1.0", Model = "review-model" } },
            },
        };
        await using var runtime = Runtime(h, definitions);

        var result = await runtime.RunAsync(
            new AgentRunRequest { AgentType = "researcher", Capability = "literature_review", Variables = new Dictionary<string, object?> { ["topic"] = "x", ["context"] = "c", ["constraints"] = "none" } },
            cancellationToken: Ct);

        Assert.Equal(("review-model", "1.0"), (result.State.Start!.Settings.Model, result.State.Start.PromptVersion));
        Assert.Equal("review-model", h.Script.Requests.Single().Options!.ModelId);
    }

    [Fact]
    public async Task An_unknown_capability_is_refused_listing_the_known_ones_and_nothing_is_stored()
    {
        var h = new RuntimeHarness();
        await using var runtime = Runtime(h);

        var error = await Assert.ThrowsAsync<AgentRunException>(() =>
            runtime.RunAsync(new AgentRunRequest { AgentType = "researcher", Capability = "code_generation", RunId = "run_x" }, cancellationToken: Ct));

        Assert.Equal(AgentRunErrorKind.UnknownCapability, error.Kind);
        Assert.Equal("Agent 'researcher' has no capability 'code_generation' (known: literature_review).", error.Message);
        Assert.Null(await h.Store.GetStreamVersionAsync("agent-session:run_x", Ct));
    }

    [Fact]
    public async Task A_missing_required_variable_names_the_template_and_the_variable()
    {
        var h = new RuntimeHarness();
        await using var runtime = Runtime(h);

        var error = await Assert.ThrowsAsync<PromptException>(() =>
            runtime.RunAsync(new AgentRunRequest { AgentType = "implementer", Capability = "code_generation", Variables = new Dictionary<string, object?> { ["task_description"] = "x" } }, cancellationToken: Ct));

        Assert.Contains("tech_stack", error.Message, StringComparison.Ordinal);
        Assert.Contains("implementer/code_generation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_for_a_template_that_takes_none_is_refused_instead_of_dropped()
    {
        var h = new RuntimeHarness();
        await using var runtime = Runtime(h);

        var error = await Assert.ThrowsAsync<AgentRunException>(() =>
            runtime.RunAsync(new AgentRunRequest { AgentType = "architect", Capability = "system_design", Task = "also this", Variables = new Dictionary<string, object?> { ["requirements"] = "x" } }, cancellationToken: Ct));

        Assert.Equal(AgentRunErrorKind.InvalidRequest, error.Kind);
        Assert.Contains("takes no task", error.Message, StringComparison.Ordinal);
    }
}
