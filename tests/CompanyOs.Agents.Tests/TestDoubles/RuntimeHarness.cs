using System.Text.Json;
using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runtime;
using CompanyOs.Events;
using CompanyOs.Events.InMemory;
using CompanyOs.Tools;
using CompanyOs.Tools.Registry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Agents.Tests.TestDoubles;

/// <summary>
/// Wires a runtime over the shared in-memory event store (or a given one), a chat client (the scripted fake by default, or
/// an <see cref="EmulatedModel"/>'s gateway), a real ToolRegistry and fake time.
/// </summary>
internal sealed class RuntimeHarness
{
    public RuntimeHarness(IEventStore? store = null)
    {
        Store = store ?? new InMemoryEventStore();
    }

    public IEventStore Store { get; }

    public IChatClient Chat { get; set; } = new ScriptedChatClient();

    public ScriptedChatClient Script => (ScriptedChatClient)Chat;

    public ToolRegistry Tools { get; } = new();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public Dictionary<string, AgentDefinition> Definitions { get; } = new(StringComparer.Ordinal);

    public CountingTool AddTool(string name, ToolRisk risk = ToolRisk.Low, bool idempotent = false)
    {
        var tool = new CountingTool(name, risk, idempotent);
        Tools.Register(tool);
        return tool;
    }

    public AgentDefinition Define(
        AutonomyLevel autonomy = AutonomyLevel.Autonomous,
        string[]? tools = null,
        int maxIterations = 5,
        AgentBudget? budget = null,
        TimeSpan? approvalTimeout = null,
        string type = "researcher")
    {
        var definition = new AgentDefinition
        {
            Type = type,
            PersonaPrompt = $"{type}/persona",
            Tools = tools ?? [.. Tools.Tools.Select(t => t.Name)],
            Autonomy = autonomy,
            MaxIterations = maxIterations,
            Budget = budget ?? AgentBudget.Unlimited,
            ApprovalTimeout = approvalTimeout,
            Temperature = 0.2,
        };
        Definitions[type] = definition;
        return definition;
    }

    public AgentRuntime CreateRuntime(AgentRuntimeOptions? options = null) =>
        new(Chat, Store, Tools, new TestPromptLibrary(), Definitions, options, Time);

    public static AgentRunRequest Request(string task = "Find out about X", string org = "org-1", string type = "researcher") =>
        new() { AgentType = type, Task = task, OrgId = org, TaskId = "task-1" };

    public async Task<List<RecordedEvent>> EventsAsync(string runId)
    {
        var list = new List<RecordedEvent>();
        await foreach (var e in Store.ReadStreamAsync(RunEventCodec.StreamId(runId)))
        {
            list.Add(e);
        }

        return list;
    }

    public async Task<List<string>> TypesAsync(string runId) => [.. (await EventsAsync(runId)).Select(e => e.Type)];

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
