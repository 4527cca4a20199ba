using System.Text.Json;

namespace CompanyOs.Agents.Journal;

/// <summary>The first event of a run: who, what, and everything needed to rebuild the conversation from the store alone.</summary>
public sealed record RunStarted : RunEvent
{
    public required string RunId { get; init; }

    public string? OrgId { get; init; }

    public string? TaskId { get; init; }

    public required string AgentType { get; init; }

    public required string Task { get; init; }

    public IReadOnlyDictionary<string, JsonElement> Variables { get; init; } = new Dictionary<string, JsonElement>();

    public IReadOnlyList<string> Memory { get; init; } = [];

    /// <summary>The complete system prompt: persona + memory + autonomy instructions.</summary>
    public required string SystemPrompt { get; init; }

    public IReadOnlyList<PromptMessage> FewShot { get; init; } = [];

    public required string UserMessage { get; init; }

    public string? PromptName { get; init; }

    public string? PromptVersion { get; init; }

    public required RunSettings Settings { get; init; }
}
