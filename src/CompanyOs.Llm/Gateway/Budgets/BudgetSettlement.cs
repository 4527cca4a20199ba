namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>
/// A budget stage's reservation, to be settled once the call's attempts have ended: handed from the budget stage to the
/// resilience stage below it on the call (<see cref="GatewayCall.OfferSettlement"/>), so that the call waits for its attempts
/// in one async state instead of one per stage. The default value is no settlement.
/// </summary>
internal readonly struct BudgetSettlement(BudgetChatClient stage, BudgetCheck[]? checks, SpendAmount reserved, SpendAmount billedBefore)
{
    public bool IsEmpty => stage is null;

    /// <summary>
    /// Settles the reservation with the call's spend when <paramref name="answered"/>, else with its billed failed attempts
    /// only, as the budget stage does itself; a failure comes back as a faulted task.
    /// </summary>
    public ValueTask SettleAsync(GatewayCall call, bool answered) =>
        stage is null ? ValueTask.CompletedTask : stage.Settle(call, checks, reserved, billedBefore, answered);
}
