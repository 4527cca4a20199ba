using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using CompanyOs.Llm.Gateway.Resilience;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>
/// Refuses a call before it reaches a provider when its maximum spend would take an org, agent or run over budget (the
/// configured limits, kept in the spend store, and the caller's own run limit, <c>LlmCallContext.RunLimit</c>); reserves that
/// maximum while the call runs and settles with the real spend (a stream's too) when it ends — the answer's plus that of every
/// attempt of the step that failed after the provider had billed it (<see cref="GatewayCall.BilledSpend"/>). Sits inside
/// fallback, so every fallback step is priced and reserved for the model it actually calls.
/// </summary>
internal sealed class BudgetChatClient(IChatClient innerClient, BudgetPolicy policy, ISpendStore store) : DelegatingChatClient(innerClient)
{
    // The resilience stage right below settles this stage's reservations when it waits for the attempts itself (see Start).
    private readonly bool _handsOver = innerClient is ResilienceChatClient;

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        var checks = policy.ChecksFor(call.Context);
        var caller = BudgetPolicy.CallerCheckFor(call.Context);

        // No budget applies: the inner task is handed straight back, without an async state of this stage's own.
        return checks is null && caller is null
            ? base.GetResponseAsync(messages, options, cancellationToken)
            : GetBudgetedAsync(call, checks, caller, messages, options, cancellationToken);
    }

    /// <summary>
    /// Reserve, call, settle. When the reservation, the inner call and the settlement all complete synchronously (an in-memory
    /// store and an answer already there), this runs without an async state of its own and hands back the inner task.
    /// </summary>
    private Task<ChatResponse> GetBudgetedAsync(
        GatewayCall call, BudgetCheck[]? checks, BudgetCheck? caller, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var reserving = ReserveAsync(call, messages, options, checks, caller, cancellationToken);
        if (!reserving.IsCompletedSuccessfully)
        {
            return GetReservedAsync(reserving, call, checks, messages, options, cancellationToken);
        }

        var reserved = reserving.Result;
        var billedBefore = call.BilledSpend;
        var inner = Start(call, checks, reserved, billedBefore, messages, options, cancellationToken, out var handedOver);
        if (handedOver)
        {
            return inner;
        }

        if (!inner.IsCompleted)
        {
            return SettleWhenDoneAsync(inner, call, checks, reserved, billedBefore);
        }

        var settling = Settle(call, checks, reserved, billedBefore, answered: inner.IsCompletedSuccessfully);
        return settling.IsCompletedSuccessfully ? inner : ReturnAfterSettleAsync(settling, inner);
    }

    /// <summary><paramref name="actual"/> plus what the step's billed failed attempts added (nothing to add, and no arithmetic, when none was billed).</summary>
    private static SpendAmount WithBilled(SpendAmount actual, GatewayCall call, SpendAmount billedBefore) =>
        call.BilledUsage is null ? actual : actual + (call.BilledSpend - billedBefore);

    private async Task<ChatResponse> GetReservedAsync(
        ValueTask<SpendAmount> reserving, GatewayCall call, BudgetCheck[]? checks, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var reserved = await reserving.ConfigureAwait(false);
        var billedBefore = call.BilledSpend;
        var inner = Start(call, checks, reserved, billedBefore, messages, options, cancellationToken, out var handedOver);

        return await (handedOver ? inner : SettleWhenDoneAsync(inner, call, checks, reserved, billedBefore)).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the inner call. When the resilience stage is the inner client, the settlement is offered to it on the call: it
    /// takes it when it waits for the attempts in an async state of its own, and settles there once they have ended (then
    /// <paramref name="handedOver"/> is true and this stage has nothing left to do); otherwise this stage settles.
    /// </summary>
    private Task<ChatResponse> Start(
        GatewayCall call, BudgetCheck[]? checks, SpendAmount reserved, SpendAmount billedBefore, IEnumerable<ChatMessage> messages, ChatOptions? options,
        CancellationToken cancellationToken, out bool handedOver)
    {
        if (!_handsOver)
        {
            handedOver = false;
            return InnerCall.Start(InnerClient, messages, options, cancellationToken);
        }

        call.OfferSettlement(new BudgetSettlement(this, checks, reserved, billedBefore));
        var inner = InnerCall.Start(InnerClient, messages, options, cancellationToken);
        handedOver = !call.WithdrawSettlement();
        return inner;
    }

    /// <summary>
    /// Settles the reservation once the call's attempts have ended: with the call's spend when <paramref name="answered"/>, else
    /// with its billed failed attempts only; when working out the spend fails, settles with those and then fails with that
    /// error. Used for an inner call that completed at once, and by a <see cref="BudgetSettlement"/> handed over to the
    /// resilience stage (see <see cref="Start"/>). A failure comes back as a faulted task, never thrown.
    /// </summary>
    internal ValueTask Settle(GatewayCall call, BudgetCheck[]? checks, SpendAmount reserved, SpendAmount billedBefore, bool answered)
    {
        SpendAmount actual = default;
        if (answered)
        {
            try
            {
                actual = policy.Actual(call);
            }
            catch (Exception ex)
            {
                return ThrowAfterAsync(SettleAsync(checks, reserved, WithBilled(default, call, billedBefore)), ex);
            }
        }

        return SettleAsync(checks, reserved, WithBilled(actual, call, billedBefore));
    }

    private static async ValueTask ThrowAfterAsync(ValueTask settling, Exception error)
    {
        await settling.ConfigureAwait(false);
        ExceptionDispatchInfo.Throw(error);
    }

    private async Task<ChatResponse> SettleWhenDoneAsync(Task<ChatResponse> inner, GatewayCall call, BudgetCheck[]? checks, SpendAmount reserved, SpendAmount billedBefore)
    {
        SpendAmount actual = default;
        try
        {
            var response = await inner.ConfigureAwait(false);
            actual = policy.Actual(call);
            return response;
        }
        finally
        {
            await SettleAsync(checks, reserved, WithBilled(actual, call, billedBefore)).ConfigureAwait(false);
        }
    }

    private static async Task<ChatResponse> ReturnAfterSettleAsync(ValueTask settling, Task<ChatResponse> inner)
    {
        await settling.ConfigureAwait(false);
        return await inner.ConfigureAwait(false);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        var checks = policy.ChecksFor(call.Context);
        var caller = BudgetPolicy.CallerCheckFor(call.Context);
        var reserved = checks is null && caller is null
            ? default
            : await ReserveAsync(call, messages, options, checks, caller, cancellationToken).ConfigureAwait(false);
        var billedBefore = call.BilledSpend;
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
                // A stream that broke or was abandoned after producing output was billed for an unknown part: charge its maximum.
                var actual = completed || !call.OutputStarted ? policy.Actual(call) : ToSpend(policy.Interrupted(call, messages, options));
                await SettleAsync(checks, reserved, actual + (call.BilledSpend - billedBefore)).ConfigureAwait(false);
            }
        }
    }

    private static SpendAmount ToSpend((UsageDetails Usage, decimal? CostUsd) charge) =>
        new(charge.CostUsd ?? 0m, charge.Usage.TotalTokenCount ?? ((charge.Usage.InputTokenCount ?? 0) + (charge.Usage.OutputTokenCount ?? 0)));

    /// <summary>The store's settlement, handed back as is (no async state of this stage's own); a store that throws gives a faulted task.</summary>
    private ValueTask SettleAsync(BudgetCheck[]? checks, SpendAmount reserved, SpendAmount actual)
    {
        if (checks is null)
        {
            return ValueTask.CompletedTask;
        }

        try
        {
            return store.SettleAsync(checks, reserved, actual, CancellationToken.None);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException(ex);
        }
    }

    /// <summary>
    /// Estimates the call's maximum spend and reserves it: without an async state of its own when the store answers at once
    /// (the in-memory store always does). A refusal or failure comes back as a faulted task, never thrown.
    /// </summary>
    private ValueTask<SpendAmount> ReserveAsync(
        GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? options, BudgetCheck[]? checks, BudgetCheck? caller, CancellationToken cancellationToken)
    {
        SpendAmount estimate;
        ValueTask<ReservationResult> reserving;
        try
        {
            estimate = policy.Estimate(call, messages, options, caller is { } c ? [.. checks ?? [], c] : checks!);

            // The caller keeps the run's spend (its journal), so its limit is checked against what it reports, not the store.
            if (caller is { } own && !own.Limit.Allows(call.Context!.RunSpent + estimate))
            {
                throw Refused(call, own, call.Context.RunSpent, estimate);
            }

            if (checks is null)
            {
                return new ValueTask<SpendAmount>(estimate);
            }

            reserving = store.TryReserveAsync(checks, estimate, cancellationToken);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<SpendAmount>(ex);
        }

        return reserving.IsCompletedSuccessfully ? Reserved(reserving.Result, call, estimate) : ReservedAsync(reserving, call, estimate);
    }

    private static async ValueTask<SpendAmount> ReservedAsync(ValueTask<ReservationResult> reserving, GatewayCall call, SpendAmount estimate) =>
        await Reserved(await reserving.ConfigureAwait(false), call, estimate).ConfigureAwait(false);

    private static ValueTask<SpendAmount> Reserved(ReservationResult result, GatewayCall call, SpendAmount estimate) =>
        result.Granted
            ? new ValueTask<SpendAmount>(estimate)
            : ValueTask.FromException<SpendAmount>(Refused(call, result.Refused!.Value, result.Committed, estimate));

    private static BudgetExceededException Refused(GatewayCall call, BudgetCheck refused, SpendAmount committed, SpendAmount estimate) =>
        new(refused.Scope, refused.Limit, committed, estimate, string.Create(CultureInfo.InvariantCulture,
            $"Budget of {refused.Scope} would be exceeded by a call to '{call.Model}': committed ${committed.Usd:0.######} / {committed.Tokens} tokens, " +
            $"this call may spend up to ${estimate.Usd:0.######} / {estimate.Tokens} tokens, limit ${refused.Limit.MaxUsd?.ToString(CultureInfo.InvariantCulture) ?? "∞"} / {refused.Limit.MaxTokens?.ToString(CultureInfo.InvariantCulture) ?? "∞"} tokens."));
}
