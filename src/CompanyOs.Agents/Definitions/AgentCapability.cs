namespace CompanyOs.Agents.Definitions;

/// <summary>
/// What an agent does for one named capability (<c>capabilities:</c> in its definition): the prompt template whose rendering
/// becomes the run's task — answering the seed's "literature_review — HOW? WHAT model? WHAT prompt?" — and optionally the model.
/// </summary>
public sealed record AgentCapability
{
    /// <summary>Prompt-library reference of the template (<c>agent/name</c>).</summary>
    public required string Prompt { get; init; }

    /// <summary>Pinned template version; null = latest.</summary>
    public string? PromptVersion { get; init; }

    /// <summary>Model (id or alias) for runs of this capability; null = the agent's model.</summary>
    public string? Model { get; init; }

    public string? Description { get; init; }
}
