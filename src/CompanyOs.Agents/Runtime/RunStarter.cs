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
        var (capability, rendered) = RenderCapability(definition, request);
        var task = rendered?.User?.Trim() ?? request.Task;
        var declared = prompts.List().FirstOrDefault(p => p.Name == definition.PersonaPrompt)?.Variables.Select(v => v.Name).ToHashSet(StringComparer.Ordinal)
            ?? [];
        var available = definition.Tools.Where(t => !BuiltInTools.IsBuiltIn(t) && registry.TryGet(t, out _)).ToList();
        var memory = request.Memory.Skip(Math.Max(0, request.Memory.Count - definition.MemoryItems)).ToList();
        var persona = prompts.Render(
            definition.PersonaPrompt, PersonaVariables(declared, definition, request with { Task = task }, available, memory), definition.PersonaPromptVersion);
        // Persona examples first, then the capability's: the model sees how this agent answers this kind of request.
        var fewShot = FewShot(persona).Concat(rendered is null ? [] : FewShot(rendered)).ToList();
        var system = rendered?.System is { Length: > 0 } extra ? (persona.System is { Length: > 0 } p ? p + "\n\n" + extra : extra) : persona.System;
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
            Task = task,
            Variables = request.Variables.ToDictionary(kv => kv.Key, kv => ToJson(kv.Value), StringComparer.Ordinal),
            Memory = request.Memory,
            // Personas that render memory or autonomy themselves (declared variables) do not get them twice.
            SystemPrompt = SystemPromptBuilder.Build(
                system,
                declared.Contains("memory") ? [] : memory,
                definition.MemoryItems,
                declared.Contains("autonomy_level") ? null : definition.Autonomy),
            FewShot = fewShot,
            // A capability's rendered user message is the whole request; a plain task is labelled as one.
            UserMessage = rendered is null ? $"Task: {request.Task}" : task,
            PromptName = rendered?.Name ?? persona.Name,
            PromptVersion = rendered?.Version ?? persona.Version,
            Capability = request.Capability,
            TraceParent = AgentTelemetry.TraceParent(),
            Settings = new RunSettings
            {
                Model = capability?.Model ?? definition.Model,
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

    /// <summary>
    /// Renders the capability's template with the request's variables it declares (and the task as <c>task</c> when it
    /// declares one). Strict like every rendering: a missing required variable fails the start, naming it.
    /// </summary>
    /// <exception cref="AgentRunException">The definition has no such capability, or a task was given that its template does not take.</exception>
    private (AgentCapability? Capability, RenderedPrompt? Rendered) RenderCapability(AgentDefinition definition, AgentRunRequest request)
    {
        if (request.Capability is not { } name)
        {
            return (null, null);
        }

        if (!definition.Capabilities.TryGetValue(name, out var capability))
        {
            var known = definition.Capabilities.Count == 0 ? "it has none" : "known: " + string.Join(", ", definition.Capabilities.Keys.Order(StringComparer.Ordinal));
            throw new AgentRunException(AgentRunErrorKind.UnknownCapability, $"Agent '{definition.Type}' has no capability '{name}' ({known}).");
        }

        var declared = prompts.List().FirstOrDefault(p => p.Name == capability.Prompt)?.Variables.Select(v => v.Name).ToHashSet(StringComparer.Ordinal) ?? [];
        var variables = request.Variables.Where(kv => declared.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(request.Task))
        {
            if (!declared.Contains("task"))
            {
                throw new AgentRunException(
                    AgentRunErrorKind.InvalidRequest,
                    $"Capability '{name}' of agent '{definition.Type}' renders {capability.Prompt}, which takes no task; give its variables instead ({string.Join(", ", declared.Order(StringComparer.Ordinal))}).");
            }

            variables.TryAdd("task", request.Task);
        }

        return (capability, prompts.Render(capability.Prompt, variables, capability.PromptVersion));
    }

    /// <summary>The template's few-shot examples as user/assistant pairs: every message but the system one and the final user request.</summary>
    private static IEnumerable<PromptMessage> FewShot(RenderedPrompt rendered)
    {
        var messages = rendered.Messages.Where(m => m.Role != ChatRole.System).ToList();
        if (rendered.User is not null && messages.Count > 0 && messages[^1].Role == ChatRole.User)
        {
            messages.RemoveAt(messages.Count - 1);
        }

        return messages.Select(m => new PromptMessage(m.Role == ChatRole.Assistant ? "assistant" : "user", m.Text));
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
