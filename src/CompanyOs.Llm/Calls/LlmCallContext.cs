using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Calls;

/// <summary>
/// Who is calling and why: carried on <see cref="ChatOptions.AdditionalProperties"/> so that routing, budgets, stats and the
/// event log can attribute a call. Providers never send it upstream.
/// </summary>
public sealed record LlmCallContext
{
    internal const string PropertyKey = "companyos.call_context";

    /// <summary>The organisation that pays for the call.</summary>
    public string? OrgId { get; init; }

    /// <summary>The agent type (e.g. <c>researcher</c>); selects <c>agent_models</c>.</summary>
    public string? AgentType { get; init; }

    /// <summary>The agent run (session) id, for per-run budgets.</summary>
    public string? RunId { get; init; }

    /// <summary>The prompt template (<c>agent/name</c>) that produced the messages.</summary>
    public string? PromptName { get; init; }

    public string? PromptVersion { get; init; }

    /// <summary>Opt in to the exact-match response cache for this call.</summary>
    public bool UseCache { get; init; }
}
