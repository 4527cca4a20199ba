using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Gateway.Costs;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>Which limits apply to a call, and what the call may spend at most.</summary>
internal sealed class BudgetPolicy(BudgetOptions options, GatewayServices services)
{
    public bool Enabled => options.Any;

    /// <summary>The checks for the caller in <paramref name="context"/>; null when no limit applies.</summary>
    public BudgetCheck[]? ChecksFor(LlmCallContext? context)
    {
        if (context is null || !options.Any)
        {
            return null;
        }

        var checks = new List<BudgetCheck>(3);
        if (context.OrgId is { } org && (options.Orgs.GetValueOrDefault(org) ?? options.DefaultOrg) is { } orgLimit)
        {
            checks.Add(new BudgetCheck(new BudgetScope(BudgetScopeKind.Org, org), orgLimit));
        }

        if (context.AgentType is { } agent && (options.Agents.GetValueOrDefault(agent) ?? options.DefaultAgent) is { } agentLimit)
        {
            checks.Add(new BudgetCheck(new BudgetScope(BudgetScopeKind.Agent, $"{context.OrgId ?? "(no org)"}/{agent}"), agentLimit));
        }

        if (context.RunId is { } run && options.PerRun is { } runLimit)
        {
            checks.Add(new BudgetCheck(new BudgetScope(BudgetScopeKind.Run, run), runLimit));
        }

        return checks.Count == 0 ? null : [.. checks];
    }

    /// <summary>The most the call can spend: estimated prompt plus the output cap, all input priced uncached.</summary>
    /// <exception cref="BudgetExceededException">A USD limit applies but the model has no price, so the limit cannot be enforced.</exception>
    public SpendAmount Estimate(GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? chatOptions, BudgetCheck[] checks)
    {
        long prompt = call.PromptTokenEstimate(messages, chatOptions, services.TokenCounter);
        long output = chatOptions?.MaxOutputTokens ?? options.DefaultMaxOutputTokens;
        if (services.Costs.TryGetPrice(call.Provider.Kind, null, call.Model, out var price))
        {
            return new SpendAmount(CostCalculator.Estimate(price, prompt, output), prompt + output);
        }

        foreach (var check in checks)
        {
            if (check.Limit.MaxUsd is not null)
            {
                throw new BudgetExceededException(check.Scope, check.Limit, default, new SpendAmount(0, prompt + output),
                    $"Cannot enforce the USD budget of {check.Scope}: model '{call.Model}' has no price. Add it to the prices section.");
            }
        }

        return new SpendAmount(0, prompt + output);
    }

    /// <summary>What the call really spent, from the answering attempt's usage.</summary>
    public SpendAmount Actual(GatewayCall call)
    {
        if (call.CacheHit || call.Usage is not { } usage)
        {
            return default;
        }

        long tokens = usage.TotalTokenCount ?? ((usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0));
        return new SpendAmount(services.CostOf(call) ?? 0m, tokens);
    }
}
