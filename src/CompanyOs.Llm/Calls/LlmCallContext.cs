using CompanyOs.Llm.Gateway.Budgets;
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

    /// <summary>The API key that made the call (the gateway server's key id, never the key itself), for usage records.</summary>
    public string? ApiKeyId { get; init; }

    /// <summary>
    /// The limit of <see cref="ApiKeyId"/>'s own budget, enforced by the gateway's budget policy like the configured ones (scope
    /// <see cref="BudgetScopeKind.ApiKey"/>, spend kept in the spend store). Null: the key has no budget of its own.
    /// </summary>
    public BudgetLimit? ApiKeyBudget { get; init; }

    /// <summary>Opt in to the exact-match response cache for this call.</summary>
    public bool UseCache { get; init; }

    /// <summary>
    /// The caller's own limit for the run (e.g. an agent definition's budget), enforced by the gateway's budget policy before
    /// the call and before each fallback step: the call is refused with <see cref="BudgetExceededException"/> (scope
    /// <see cref="BudgetScopeKind.Run"/>) when <see cref="RunSpent"/> plus the call's maximum spend on the model actually
    /// called would pass it. Null: no caller limit (the configured <c>budgets</c> still apply).
    /// </summary>
    public BudgetLimit? RunLimit { get; init; }

    /// <summary>
    /// What the run has already spent by the caller's own record, counted against <see cref="RunLimit"/>. The caller keeps it
    /// (an agent run's journal does), so it holds across processes; the gateway does not add to it.
    /// </summary>
    public SpendAmount RunSpent { get; init; }
}
