using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Gateway.Costs;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>Which limits apply to a call, and what the call may spend at most.</summary>
internal sealed class BudgetPolicy(BudgetOptions options, GatewayServices services)
{
    /// <summary>The configured checks for the caller in <paramref name="context"/> (kept in the spend store); null when none applies.</summary>
    public BudgetCheck[]? ChecksFor(LlmCallContext? context)
    {
        if (context is null || (!options.Any && context.ApiKeyBudget is null))
        {
            return null;
        }

        // The limits first, then one array of the right size: this runs on every call that has a budget.
        var orgLimit = context.OrgId is { } org ? options.Orgs.GetValueOrDefault(org) ?? options.DefaultOrg : null;
        var agentLimit = context.AgentType is { } agent ? options.Agents.GetValueOrDefault(agent) ?? options.DefaultAgent : null;
        var runLimit = context.RunId is not null ? options.PerRun : null;
        var keyLimit = context.ApiKeyId is not null ? context.ApiKeyBudget : null;
        var count = (orgLimit is null ? 0 : 1) + (agentLimit is null ? 0 : 1) + (runLimit is null ? 0 : 1) + (keyLimit is null ? 0 : 1);
        if (count == 0)
        {
            return null;
        }

        var checks = new BudgetCheck[count];
        var i = 0;
        if (orgLimit is not null)
        {
            checks[i++] = new BudgetCheck(new BudgetScope(BudgetScopeKind.Org, context.OrgId!), orgLimit);
        }

        if (agentLimit is not null)
        {
            checks[i++] = new BudgetCheck(new BudgetScope(BudgetScopeKind.Agent, $"{context.OrgId ?? "(no org)"}/{context.AgentType}"), agentLimit);
        }

        if (runLimit is not null)
        {
            checks[i++] = new BudgetCheck(new BudgetScope(BudgetScopeKind.Run, context.RunId!), runLimit);
        }

        if (keyLimit is not null)
        {
            checks[i] = new BudgetCheck(new BudgetScope(BudgetScopeKind.ApiKey, context.ApiKeyId!), keyLimit);
        }

        return checks;
    }

    /// <summary>The caller's own run limit (<see cref="LlmCallContext.RunLimit"/>), whose spend the caller keeps; null when not set.</summary>
    public static BudgetCheck? CallerCheckFor(LlmCallContext? context) =>
        context?.RunLimit is { } limit ? new BudgetCheck(new BudgetScope(BudgetScopeKind.Run, context.RunId ?? "(caller)"), limit) : null;

    /// <summary>The most the call can spend on the model it is currently routed to: estimated prompt plus the output cap, all input priced uncached.</summary>
    /// <exception cref="BudgetExceededException">A USD limit applies but the model has no price, so the limit cannot be enforced.</exception>
    public SpendAmount Estimate(GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? chatOptions, IEnumerable<BudgetCheck> checks)
    {
        var (prompt, output, price) = Maximum(call, messages, chatOptions);
        if (price.Found)
        {
            return new SpendAmount(CostCalculator.Estimate(price.Price, prompt, output), prompt + output);
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

    /// <summary>
    /// What an attempt that failed after the provider answered (and billed it) is charged: its reported usage when it has one,
    /// else its maximum, marked as an estimate (<see cref="Interrupted"/>). Cost null = unpriced model.
    /// </summary>
    public (UsageDetails Usage, decimal? CostUsd) Billed(GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? chatOptions) =>
        call.Usage is { } usage ? (usage, services.CostOf(call)) : Interrupted(call, messages, chatOptions);

    /// <summary>
    /// What a stream that broke after output had started is charged: its maximum — the prompt estimate and the output cap,
    /// or the usage reported before the break where that is larger, all input priced uncached — since the provider billed an
    /// unknown part. Marked as an estimate. Budgets settle with this and the caller is told it
    /// (<see cref="LlmCallInfo.From(Exception)"/>), so both keep the same figure. Cost null = unpriced model.
    /// </summary>
    public (UsageDetails Usage, decimal? CostUsd) Interrupted(GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? chatOptions)
    {
        var (prompt, output, price) = Maximum(call, messages, chatOptions);
        var input = Math.Max(prompt, call.Usage?.InputTokenCount ?? 0);
        output = Math.Max(output, call.Usage?.OutputTokenCount ?? 0);
        var estimated = new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            TotalTokenCount = input + output,
            AdditionalCounts = new() { [UsageKeys.Estimated] = 1 },
        };
        return (estimated, price.Found ? CostCalculator.Estimate(price.Price, input, output) : null);
    }

    private (long Prompt, long Output, (bool Found, ModelPrice? Price) Price) Maximum(GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? chatOptions)
    {
        long prompt = call.PromptTokenEstimate(messages, chatOptions, services.TokenCounter);
        long output = chatOptions?.MaxOutputTokens ?? options.DefaultMaxOutputTokens;
        var found = services.Costs.TryGetPrice(call.Provider.Kind, null, call.Model, out var price);
        return (prompt, output, (found, price));
    }
}
