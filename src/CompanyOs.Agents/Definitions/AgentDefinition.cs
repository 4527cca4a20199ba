namespace CompanyOs.Agents.Definitions;

/// <summary>
/// One agent type, as loaded from <c>config/agents/&lt;type&gt;.yaml</c>: persona, model, tools, autonomy and limits.
/// A run snapshots its definition when it starts, so editing the file never changes a run in flight.
/// </summary>
public sealed record AgentDefinition
{
    /// <summary>The agent type, e.g. <c>researcher</c>; also selects <c>agent_models</c> in the gateway.</summary>
    public required string Type { get; init; }

    public string? Description { get; init; }

    /// <summary>Prompt-library reference of the persona template (<c>agent/name</c>).</summary>
    public required string PersonaPrompt { get; init; }

    /// <summary>Pinned persona version; null = latest.</summary>
    public string? PersonaPromptVersion { get; init; }

    /// <summary>Explicit model (id or alias); null = the gateway routes by <c>agent_models</c> or its default.</summary>
    public string? Model { get; init; }

    /// <summary>Names of registry tools offered to the model. The built-ins <c>ask_human</c> and <c>complete_task</c> are always offered.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    public AutonomyLevel Autonomy { get; init; } = AutonomyLevel.Supervised;

    /// <summary>Model round trips with tools; one more turn without tools follows when the limit is reached.</summary>
    public int MaxIterations { get; init; } = 10;

    public double? Temperature { get; init; }

    public int? MaxOutputTokens { get; init; }

    /// <summary>How many tool calls of one assistant message run at the same time.</summary>
    public int MaxParallelTools { get; init; } = 4;

    /// <summary>How many of the most recent memory items go into the system prompt.</summary>
    public int MemoryItems { get; init; } = 5;

    /// <summary>How long a pending approval or question stays valid; null = no expiry.</summary>
    public TimeSpan? ApprovalTimeout { get; init; }

    public AgentBudget Budget { get; init; } = AgentBudget.Unlimited;

    /// <summary>Named capabilities (e.g. <c>literature_review</c>), each a prompt template and optionally a model.</summary>
    public IReadOnlyDictionary<string, AgentCapability> Capabilities { get; init; } = new Dictionary<string, AgentCapability>(StringComparer.Ordinal);

    /// <summary>Where the definition came from, for error messages.</summary>
    public string SourceFile { get; init; } = "(in memory)";
}

/// <summary>Spend limits of one run, summed over every LLM call of the run. Null members are unlimited.</summary>
public sealed record AgentBudget(decimal? MaxUsd = null, long? MaxTokens = null)
{
    public static AgentBudget Unlimited { get; } = new();
}
