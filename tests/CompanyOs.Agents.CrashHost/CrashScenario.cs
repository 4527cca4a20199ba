using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Runtime;
using CompanyOs.Events;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Resilience;
using CompanyOs.Llm.Providers;
using CompanyOs.Prompts;
using CompanyOs.Tools.Registry;
using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.CrashHost;

/// <summary>
/// The crash-test agent: autonomous, three tools (one idempotent), its model the emulator (OpenAI wire format) behind the
/// gateway, scripted by conversation position so that a resumed process gets the same turns. Shared by the host and the tests.
/// </summary>
public static class CrashScenario
{
    public const string RunId = "crash-run";

    public static readonly string[] NonIdempotentTools = ["write_note", "send"];

    /// <summary>The tool calls of each model turn (turn n = n assistant messages in the history); after the last, a final answer.</summary>
    public static readonly (string Tool, string Query)[][] Turns =
    [
        [("fetch", "a"), ("write_note", "b"), ("send", "c")],
        [("fetch", "d"), ("send", "e")],
        [("write_note", "f")],
    ];

    public const string FinalAnswer = "All chores done.";

    /// <summary>Short, so the resuming process can take over a killed child's lease soon after the kill.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromMilliseconds(600);

    /// <summary>A gateway whose only provider is the emulator at <paramref name="openAIEndpoint"/>.</summary>
    public static LlmGateway CreateGateway(Uri openAIEndpoint)
    {
        var provider = new ProviderOptions
        {
            Name = "emulator",
            Kind = ProviderKind.OpenAI,
            ApiKey = "sk-crash-test",
            BaseUrl = openAIEndpoint,
            DefaultModel = "gpt-4o-mini",
            MaxRetries = 2,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var options = new LlmOptions
        {
            SourceFile = "crash-test",
            Providers = new Dictionary<string, ProviderOptions> { [provider.Name] = provider },
            DefaultProvider = provider.Name,
            Retry = new RetryPolicyOptions { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) },
        };
        return LlmGateway.CreateBuilder(options, new ProviderClientFactory()).Build();
    }

    public static AgentRuntime CreateRuntime(IEventStore store, string countDirectory, IChatClient model)
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
            model,
            store,
            tools,
            new FixedPrompt(),
            new Dictionary<string, AgentDefinition> { ["crasher"] = definition },
            new AgentRuntimeOptions { LeaseDuration = LeaseDuration });
    }

    public static AgentRunRequest Request => new() { AgentType = "crasher", Task = "Do the crash-test chores", OrgId = "org-crash", RunId = RunId };

    private sealed class FixedPrompt : IPromptLibrary
    {
        public RenderedPrompt Render(string name, IReadOnlyDictionary<string, object?> variables, string? version = null) =>
            new(name, "1", "You are a diligent crash-test agent.", null, [new ChatMessage(ChatRole.System, "You are a diligent crash-test agent.")]);

        public IReadOnlyList<PromptInfo> List() => [new PromptInfo("crasher/persona", ["1"], null, [])];
    }
}
