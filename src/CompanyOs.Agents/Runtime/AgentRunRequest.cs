using CompanyOs.Agents.Definitions;

namespace CompanyOs.Agents.Runtime;

/// <summary>What to run: the agent type, the task, who pays, and the context the persona prompt may use.</summary>
public sealed record AgentRunRequest
{
    public required string AgentType { get; init; }

    /// <summary>The task. With <see cref="Capability"/> it may be empty: the capability's rendered prompt is the task (a non-empty one is passed to the template as <c>task</c>).</summary>
    public string Task { get; init; } = string.Empty;

    /// <summary>
    /// A capability of the agent definition (<c>capabilities:</c> in its YAML): its prompt template is rendered with
    /// <see cref="Variables"/> (strict: a missing variable fails the start) and becomes the run's task, its few-shot pairs
    /// become messages, and its model (when set) the run's model. Null = a plain task.
    /// </summary>
    public string? Capability { get; init; }

    public string? OrgId { get; init; }

    public string? TaskId { get; init; }

    /// <summary>The run (session) id; null = a new random id.</summary>
    public string? RunId { get; init; }

    /// <summary>Variables for the persona template; those it does not declare are recorded with the run but not rendered.</summary>
    public IReadOnlyDictionary<string, object?> Variables { get; init; } = new Dictionary<string, object?>();

    /// <summary>Memory items, oldest first; the last <c>memory_items</c> of the definition go into the system prompt.</summary>
    public IReadOnlyList<string> Memory { get; init; } = [];

    /// <summary>Overrides the definition's autonomy for this run only (snapshotted into <c>RunStarted</c>); null = the definition's.</summary>
    public AutonomyLevel? Autonomy { get; init; }

    /// <summary>Overrides the definition's iteration limit for this run only (snapshotted); null = the definition's.</summary>
    public int? MaxIterations { get; init; }
}
