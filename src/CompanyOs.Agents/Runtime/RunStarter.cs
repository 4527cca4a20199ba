using System.Text.Json;
using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Journal;
using CompanyOs.Prompts;
using CompanyOs.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Agents.Runtime;

/// <summary>Builds a run's <see cref="RunStarted"/>: renders the persona, assembles the system prompt and snapshots the settings.</summary>
internal sealed class RunStarter(IPromptLibrary prompts, IToolRegistry registry, ILogger logger)
{
    public RunStarted Create(AgentDefinition definition, AgentRunRequest request, string runId)
    {
        var declared = prompts.List().FirstOrDefault(p => p.Name == definition.PersonaPrompt)?.Variables.Select(v => v.Name).ToHashSet(StringComparer.Ordinal)
            ?? [];
        var available = definition.Tools.Where(t => !BuiltInTools.IsBuiltIn(t) && registry.TryGet(t, out _)).ToList();
        var memory = request.Memory.Skip(Math.Max(0, request.Memory.Count - definition.MemoryItems)).ToList();
        var persona = prompts.Render(
            definition.PersonaPrompt, PersonaVariables(declared, definition, request, available, memory), definition.PersonaPromptVersion);
        var fewShot = new List<PromptMessage>();
        var messages = persona.Messages.Where(m => m.Role != ChatRole.System).ToList();
        if (persona.User is not null && messages.Count > 0 && messages[^1].Role == ChatRole.User)
        {
            messages.RemoveAt(messages.Count - 1);
        }

        foreach (var message in messages)
        {
            fewShot.Add(new PromptMessage(message.Role == ChatRole.Assistant ? "assistant" : "user", message.Text));
        }

        var unavailable = definition.Tools.Where(t => !BuiltInTools.IsBuiltIn(t)).Except(available).ToList();
        if (unavailable.Count > 0)
        {
            RuntimeLog.ToolsUnavailable(logger, definition.Type, string.Join(", ", unavailable));
        }

        return new RunStarted
        {
            RunId = runId,
            OrgId = request.OrgId,
            TaskId = request.TaskId,
            AgentType = definition.Type,
            Task = request.Task,
            Variables = request.Variables.ToDictionary(kv => kv.Key, kv => ToJson(kv.Value), StringComparer.Ordinal),
            Memory = request.Memory,
            // Personas that render memory or autonomy themselves (declared variables) do not get them twice.
            SystemPrompt = SystemPromptBuilder.Build(
                persona.System,
                declared.Contains("memory") ? [] : memory,
                definition.MemoryItems,
                declared.Contains("autonomy_level") ? null : definition.Autonomy),
            FewShot = fewShot,
            UserMessage = $"Task: {request.Task}",
            PromptName = persona.Name,
            PromptVersion = persona.Version,
            Settings = new RunSettings
            {
                Model = definition.Model,
                Temperature = definition.Temperature,
                MaxOutputTokens = definition.MaxOutputTokens,
                MaxIterations = definition.MaxIterations,
                MaxParallelTools = definition.MaxParallelTools,
                Autonomy = definition.Autonomy.ToString().ToLowerInvariant(),
                BudgetUsd = definition.Budget.MaxUsd,
                BudgetTokens = definition.Budget.MaxTokens,
                Tools = available,
                UnavailableTools = unavailable,
                ApprovalTimeoutSeconds = definition.ApprovalTimeout?.TotalSeconds,
            },
        };
    }

    /// <summary>Only the variables the persona declares are rendered (the library is strict about unknown ones).</summary>
    private Dictionary<string, object?> PersonaVariables(
        HashSet<string> declared, AgentDefinition definition, AgentRunRequest request, List<string> tools, List<string> memory)
    {
        var result = request.Variables.Where(kv => declared.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        AddIfDeclared(result, declared, "task", request.Task);
        AddIfDeclared(result, declared, "agent_type", definition.Type);
        AddIfDeclared(result, declared, "org_id", request.OrgId);
        AddIfDeclared(result, declared, "autonomy_level", definition.Autonomy.ToString().ToLowerInvariant());
        AddIfDeclared(result, declared, "memory", memory);
        var described = tools.Select(name =>
        {
            registry.TryGet(name, out var tool);
            return (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["name"] = name,
                ["description"] = tool?.Description,
                ["risk"] = tool?.Risk == ToolRisk.Low ? "low" : "high",
            };
        }).ToList();
        AddIfDeclared(result, declared, "tools", described);
        return result;
    }

    private static void AddIfDeclared(Dictionary<string, object?> variables, HashSet<string> declared, string name, object? value)
    {
        if (declared.Contains(name) && !variables.ContainsKey(name) && value is not null)
        {
            variables[name] = value;
        }
    }

    private static JsonElement ToJson(object? value) =>
        JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value?.GetType() ?? typeof(object)));
}
