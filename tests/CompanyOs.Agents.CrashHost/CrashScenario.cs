using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Runtime;
using CompanyOs.Events;
using CompanyOs.Prompts;
using CompanyOs.Tools.Registry;
using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.CrashHost;

/// <summary>The crash-test agent: autonomous, three tools (one idempotent), a deterministic model. Shared by the host and the tests.</summary>
public static class CrashScenario
{
    public const string RunId = "crash-run";

    public static readonly string[] NonIdempotentTools = ["write_note", "send"];

    public static AgentRuntime CreateRuntime(IEventStore store, string countDirectory)
    {
        var tools = new ToolRegistry(
        [
            new FileCountingTool("fetch", countDirectory, idempotent: true),
            new FileCountingTool("write_note", countDirectory, idempotent: false),
            new FileCountingTool("send", countDirectory, idempotent: false),
        ]);
        var definition = new AgentDefinition
        {
            Type = "crasher",
            PersonaPrompt = "crasher/persona",
            Tools = ["fetch", "write_note", "send"],
            Autonomy = AutonomyLevel.Autonomous,
            MaxIterations = 10,
        };
        return new AgentRuntime(
            new DeterministicChatClient(), store, tools, new FixedPrompt(), new Dictionary<string, AgentDefinition> { ["crasher"] = definition });
    }

    public static AgentRunRequest Request => new() { AgentType = "crasher", Task = "Do the crash-test chores", OrgId = "org-crash", RunId = RunId };

    private sealed class FixedPrompt : IPromptLibrary
    {
        public RenderedPrompt Render(string name, IReadOnlyDictionary<string, object?> variables, string? version = null) =>
            new(name, "1", "You are a diligent crash-test agent.", null, [new ChatMessage(ChatRole.System, "You are a diligent crash-test agent.")]);

        public IReadOnlyList<PromptInfo> List() => [new PromptInfo("crasher/persona", ["1"], null, [])];
    }
}
