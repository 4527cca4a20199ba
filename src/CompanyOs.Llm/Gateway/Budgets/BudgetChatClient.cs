using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>
/// Refuses a call before it reaches a provider when its maximum spend would take an org, agent or run over budget; reserves
/// that maximum while the call runs and settles with the real spend (a stream's too) when it ends.
/// </summary>
internal sealed class BudgetChatClient(IChatClient innerClient, BudgetPolicy policy, ISpendStore store) : DelegatingChatClient(innerClient)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        if (policy.ChecksFor(call.Context) is not { } checks)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var reserved = await ReserveAsync(call, messages, options, checks, cancellationToken).ConfigureAwait(false);
        SpendAmount actual = default;
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            actual = policy.Actual(call);
            return response;
        }
        finally
        {
            await store.SettleAsync(checks, reserved, actual, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        var checks = policy.ChecksFor(call.Context);
        var reserved = checks is null ? default : await ReserveAsync(call, messages, options, checks, cancellationToken).ConfigureAwait(false);
        var completed = false;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            completed = true;
        }
        finally
        {
            if (checks is not null)
            {
                // A stream that broke or was abandoned after producing output was billed for an unknown part: keep the estimate.
                var actual = completed || !call.OutputStarted ? policy.Actual(call) : call.Usage is null ? reserved : policy.Actual(call);
                await store.SettleAsync(checks, reserved, actual, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<SpendAmount> ReserveAsync(GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? options, BudgetCheck[] checks, CancellationToken cancellationToken)
    {
        var estimate = policy.Estimate(call, messages, options, checks);
        var result = await store.TryReserveAsync(checks, estimate, cancellationToken).ConfigureAwait(false);
        if (result.Granted)
        {
            return estimate;
        }

        var refused = result.Refused!.Value;
        throw new BudgetExceededException(refused.Scope, refused.Limit, result.Committed, estimate, string.Create(CultureInfo.InvariantCulture,
            $"Budget of {refused.Scope} would be exceeded: committed ${result.Committed.Usd:0.######} / {result.Committed.Tokens} tokens, " +
            $"this call may spend up to ${estimate.Usd:0.######} / {estimate.Tokens} tokens, limit ${refused.Limit.MaxUsd?.ToString(CultureInfo.InvariantCulture) ?? "∞"} / {refused.Limit.MaxTokens?.ToString(CultureInfo.InvariantCulture) ?? "∞"} tokens."));
    }
}
