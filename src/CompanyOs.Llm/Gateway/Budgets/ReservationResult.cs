namespace CompanyOs.Llm.Gateway.Budgets;

/// <summary>The answer of <see cref="ISpendStore.TryReserveAsync"/>: granted, or refused with the first scope that would overflow.</summary>
public readonly record struct ReservationResult(bool Granted, BudgetCheck? Refused = null, SpendAmount Committed = default)
{
    public static ReservationResult Grant { get; } = new(true);
}
