using CompanyOs.Prompts;
using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.Tests.TestDoubles;

/// <summary>Persona templates for tests: "{agent}/persona" with an optional required variable, strict about unknown variables.</summary>
internal sealed class TestPromptLibrary : IPromptLibrary
{
    private readonly Dictionary<string, (string System, string[] Variables)> _templates = new(StringComparer.Ordinal)
    {
        ["researcher/persona"] = ("You are a careful researcher.", []),
        ["architect/persona"] = ("You are a software architect.", []),
        ["implementer/persona"] = ("You are an implementer.", []),
        ["test/persona"] = ("You are a test agent for {{ project }}.", ["project"]),
    };

    public RenderedPrompt Render(string name, IReadOnlyDictionary<string, object?> variables, string? version = null)
    {
        if (!_templates.TryGetValue(name, out var template))
        {
            throw new PromptException($"Unknown template '{name}'.", name);
        }

        var system = template.System;
        foreach (var key in variables.Keys)
        {
            if (!template.Variables.Contains(key))
            {
                throw new PromptException($"Template '{name}' v1: unknown variable '{key}'.", name, "1", key);
            }
        }

        foreach (var variable in template.Variables)
        {
            if (!variables.TryGetValue(variable, out var value))
            {
                throw new PromptException($"Template '{name}' v1: missing required variable '{variable}'.", name, "1", variable);
            }

            system = system.Replace("{{ " + variable + " }}", value?.ToString(), StringComparison.Ordinal);
        }

        return new RenderedPrompt(name, version ?? "1", system, null, [new ChatMessage(ChatRole.System, system)]);
    }

    public IReadOnlyList<PromptInfo> List() =>
        [.. _templates.Select(t => new PromptInfo(t.Key, ["1"], null, [.. t.Value.Variables.Select(v => new PromptVariable(v, null, true, null, "string"))]))];
}
